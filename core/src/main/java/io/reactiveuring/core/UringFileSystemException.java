package io.reactiveuring.core;

import java.nio.file.FileSystemException;

/**
 * A file-system error the JDK has no narrower type for ({@code EISDIR}, {@code ELOOP}, {@code ENAMETOOLONG},
 * {@code EROFS}, {@code EXDEV}, {@code EMLINK}, {@code ENOSPC}, {@code EDQUOT}, {@code EFBIG}, {@code ETXTBSY}): a
 * {@link FileSystemException} naming the file, and a {@link UringError}. Made by {@link UringErrors#of}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class UringFileSystemException extends FileSystemException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    UringFileSystemException(int errno, String operation, String file) {
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
