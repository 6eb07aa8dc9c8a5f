package io.reactiveuring.core;

import java.net.BindException;

/**
 * EADDRINUSE or EADDRNOTAVAIL: the address cannot be bound. A JDK {@code BindException} (an {@code IOException}), so {@code onErrorResume(BindException.class, ...)} matches, and a
 * {@link UringError} with the errno and the operation. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringBindException extends BindException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringBindException(int errno, String operation) {
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
