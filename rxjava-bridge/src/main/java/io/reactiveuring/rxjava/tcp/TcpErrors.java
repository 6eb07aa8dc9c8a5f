package io.reactiveuring.rxjava.tcp;

import io.reactivex.rxjava3.exceptions.Exceptions;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;

/**
 * Where the TCP shell's errors go that no subscriber can receive: {@code RxJavaPlugins.onError}. A failure of the
 * reporting itself never escapes into the loop, except a JVM-fatal one. Stateless; safe from any thread.
 */
final class TcpErrors {
    private TcpErrors() {
    }

    static void undeliverable(Throwable error) {
        try {
            RxJavaPlugins.onError(error);
        } catch (Throwable t) {
            Exceptions.throwIfFatal(t); // a broken handler must not end the ring's loop
        }
    }
}
