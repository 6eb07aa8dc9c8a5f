package io.reactiveuring.core;

import java.nio.file.NoSuchFileException;

/**
 * ENOENT: the file (or a directory on its path) does not exist. The JDK's own type, so {@code onErrorResume(NoSuchFileException.class, ...)} matches, and a {@link UringError} with
 * the errno and the operation. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringNoSuchFileException extends NoSuchFileException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringNoSuchFileException(int errno, String operation, String file) {
        super(file, null, UringErrors.reason(errno, operation));
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
