package io.reactiveuring.core;

import java.net.ConnectException;

/**
 * ECONNREFUSED: nobody listens at the address. A JDK {@code ConnectException} (an {@code IOException}), so {@code onErrorResume(ConnectException.class, ...)} matches, and a
 * {@link UringError} with the errno and the operation. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringConnectException extends ConnectException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringConnectException(int errno, String operation) {
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
