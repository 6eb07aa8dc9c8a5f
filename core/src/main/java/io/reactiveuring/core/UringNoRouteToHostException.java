package io.reactiveuring.core;

import java.net.NoRouteToHostException;

/**
 * EHOSTUNREACH or ENETUNREACH: no route to the peer. A JDK {@code NoRouteToHostException} (an {@code IOException}), so {@code onErrorResume(NoRouteToHostException.class, ...)} matches, and a
 * {@link UringError} with the errno and the operation. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringNoRouteToHostException extends NoRouteToHostException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringNoRouteToHostException(int errno, String operation) {
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
