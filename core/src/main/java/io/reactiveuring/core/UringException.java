package io.reactiveuring.core;

import io.reactiveuring.core.linux.Errno;

/**
 * An io_uring operation ended with a negative result: carries the errno (positive), its symbolic name and the
 * operation that failed, e.g. {@code EBADF (9) from READ fd=42}.
 *
 * <p>Use {@link #of(int, String)} to get the right subtype: {@link UringCancelledException} for
 * {@code ECANCELED}. Immutable; safe to share between threads.
 */
public class UringException extends RuntimeException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    public UringException(int errno, String operation) {
        this(errno, operation, null);
    }

    protected UringException(int errno, String operation, String detail) {
        super(Errno.name(errno) + " (" + Math.abs(errno) + ") from " + operation
                + (detail == null ? "" : ": " + detail));
        this.errno = Math.abs(errno);
        this.operation = operation;
    }

    /**
     * The exception for a CQE result {@code res < 0} (or a positive errno) of {@code operation}: a
     * {@link UringCancelledException} for {@code ECANCELED}, a plain {@code UringException} otherwise.
     */
    public static UringException of(int res, String operation) {
        int e = Math.abs(res);
        if (e == Errno.ECANCELED) {
            return new UringCancelledException(operation, null);
        }
        return new UringException(e, operation);
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public String errnoName() {
        return Errno.name(errno);
    }

    @Override
    public String operation() {
        return operation;
    }
}
