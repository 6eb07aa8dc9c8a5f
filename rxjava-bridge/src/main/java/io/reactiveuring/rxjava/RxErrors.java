package io.reactiveuring.rxjava;

import io.reactivex.rxjava3.exceptions.Exceptions;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;

/**
 * Where errors go that no subscriber can receive: RxJava's global error handler, {@code RxJavaPlugins.onError}
 * (the application's handler if it set one; otherwise RxJava prints the error and hands it to the thread's
 * uncaught-exception handler, without ending the thread). A failure of the reporting itself never escapes into
 * the ring's loop, except a JVM-fatal one. Stateless; safe from any thread.
 */
final class RxErrors {
    private RxErrors() {
    }

    /**
     * An error that arrived after its subscriber disposed, a failed scheduled task, or an exception a subscriber
     * threw on a loop thread.
     */
    static void undeliverable(Throwable error) {
        try {
            RxJavaPlugins.onError(error);
        } catch (Throwable t) {
            Exceptions.throwIfFatal(t); // a broken handler must not end the ring's loop
        }
    }
}
