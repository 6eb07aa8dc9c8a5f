package io.reactiveuring.core;

import java.net.SocketTimeoutException;

/**
 * ETIMEDOUT: the connection timed out in the kernel. A JDK {@code SocketTimeoutException} (an {@code IOException}), so {@code onErrorResume(SocketTimeoutException.class, ...)} matches, and a
 * {@link UringError} with the errno and the operation. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringSocketTimeoutException extends SocketTimeoutException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringSocketTimeoutException(int errno, String operation) {
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
