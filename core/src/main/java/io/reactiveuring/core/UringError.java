package io.reactiveuring.core;

import io.reactiveuring.core.linux.Errno;

/**
 * What every error the library raises for a failed kernel call tells, whatever its Java type: the errno, its
 * symbolic name and the operation that failed ({@code EBADF (9) from READ fd=42}). Errors that the JDK has a type for
 * are that type ({@code NoSuchFileException}, {@code ConnectException}, ...) and implement this interface, so code can
 * catch the JDK type and still read the errno: {@code if (e instanceof UringError u) u.errno()}.
 *
 * <p>Implementations are immutable and safe to share between threads.
 */
public interface UringError {
    /** @return the positive errno value, e.g. 9 for {@code EBADF} */
    int errno();

    /** @return the errno's symbolic name, e.g. {@code "EBADF"} */
    default String errnoName() {
        return Errno.name(errno());
    }

    /** @return the operation that failed, e.g. {@code "READ fd=42"} */
    String operation();

    /**
     * The errno of {@code t} if it is a {@link UringError} (or caused by one), else 0.
     *
     * @param t any throwable
     * @return its errno, or 0
     */
    static int errnoOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UringError u) {
                return u.errno();
            }
        }
        return 0;
    }
}
