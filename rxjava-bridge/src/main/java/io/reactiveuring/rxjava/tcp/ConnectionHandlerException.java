package io.reactiveuring.rxjava.tcp;

/**
 * A connection's handler failed (threw, or its {@code Completable} ended with an error); the connection was closed
 * with the cause. It reaches {@code RxJavaPlugins.onError} (which wraps it in an {@code UndeliverableException}),
 * since no subscriber waits for a handler's result.
 *
 * <p>Threading: immutable. Ownership: holds no resources.
 */
public final class ConnectionHandlerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param connection the connection, described ({@code local -> remote})
     * @param cause      the handler's error
     */
    ConnectionHandlerException(String connection, Throwable cause) {
        super("connection handler failed on " + connection + "; that connection was closed", cause);
    }
}
