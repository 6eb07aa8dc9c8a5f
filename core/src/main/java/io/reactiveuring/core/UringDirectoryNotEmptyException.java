package io.reactiveuring.core;

import java.nio.file.DirectoryNotEmptyException;

/**
 * ENOTEMPTY: the directory is not empty. The JDK's own type, so {@code onErrorResume(DirectoryNotEmptyException.class, ...)} matches, and a {@link UringError} with
 * the errno and the operation. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringDirectoryNotEmptyException extends DirectoryNotEmptyException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringDirectoryNotEmptyException(int errno, String operation, String file) {
        super(file);
        this.errno = errno;
        this.operation = operation;
    }

    /** The errno and the operation, as in every {@link UringError}'s message. */
    @Override
    public String getReason() {
        return UringErrors.reason(errno, operation);
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
