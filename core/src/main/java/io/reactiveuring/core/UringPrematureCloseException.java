package io.reactiveuring.core;

import java.net.SocketException;

/**
 * ECONNRESET, EPIPE, ECONNABORTED or ENOTCONN: the peer closed (or reset) the connection before the exchange was over. A JDK {@code SocketException} (an {@code IOException}), so {@code onErrorResume(SocketException.class, ...)} matches, and a
 * {@link UringError} with the errno and the operation. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringPrematureCloseException extends SocketException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringPrematureCloseException(int errno, String operation) {
        super(UringErrors.reason(errno, operation));
        this.errno = errno;
        this.operation = operation;
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public String operation() {
        return operation;
    }
}
