package io.reactiveuring.core.file;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.Errno;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Kernel errors of file ops as the exceptions the JDK raises for the same failure ({@code NoSuchFileException} for
 * {@code ENOENT}, {@code FileAlreadyExistsException} for {@code EEXIST}, {@code AccessDeniedException} for
 * {@code EACCES}/{@code EPERM}, {@code FileSystemException} otherwise), each naming the path and also a
 * {@link UringError} that tells the errno and the op: {@code /tmp/x: ENOENT (2) from OPENAT}. Stateless.
 */
final class FileErrors {
    static final int EXDEV = 18;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EFBIG = 27;

    private FileErrors() {
    }

    /** The error of {@code res < 0} from {@code op} on {@code path}. */
    static Exception of(int res, String op, Path path) {
        int errno = Math.abs(res);
        if (errno == Errno.ECANCELED) {
            return UringException.of(res, op + " " + path); // a cancellation (loop end) stays one
        }
        String file = path.toString();
        String reason = Errno.name(errno) + " (" + errno + ") from " + op;
        return switch (errno) {
            case Errno.ENOENT -> new NoSuchFile(file, reason, errno, op);
            case Errno.EEXIST -> new FileExists(file, reason, errno, op);
            case Errno.EACCES, Errno.EPERM -> new AccessDenied(file, reason, errno, op);
            case ENOTDIR -> new NotDirectory(file, reason, errno, op);
            default -> new FileError(file, reason, errno, op);
        };
    }

    /**
     * {@code t} as the {@code IOException} an {@code AsynchronousFileChannel} reports: already one, a closed handle
     * as {@link ClosedChannelException}, the ring's end as {@link AsynchronousCloseException}, a kernel error as a
     * {@link FileSystemException} naming the file; anything else (a bug, an Error) unchanged.
     */
    static Throwable forChannel(Throwable t, Path path) {
        if (t instanceof IOException) {
            return t;
        }
        if (t instanceof FileClosedException) {
            return withCause(new ClosedChannelException(), t);
        }
        if (t instanceof UringCancelledException) {
            return withCause(new AsynchronousCloseException(), t);
        }
        if (t instanceof UringError u) {
            return withCause(new FileError(path.toString(), t.getMessage(), u.errno(), u.operation()), t);
        }
        return t;
    }

    private static <T extends Throwable> T withCause(T e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    /** The JDK type, plus the errno. */
    static final class NoSuchFile extends NoSuchFileException implements UringError {
        private static final long serialVersionUID = 1L;
        private final int errno;
        private final String op;

        NoSuchFile(String file, String reason, int errno, String op) {
            super(file, null, reason);
            this.errno = errno;
            this.op = op;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String operation() {
            return op;
        }
    }

    /** The JDK type, plus the errno. */
    static final class FileExists extends FileAlreadyExistsException implements UringError {
        private static final long serialVersionUID = 1L;
        private final int errno;
        private final String op;

        FileExists(String file, String reason, int errno, String op) {
            super(file, null, reason);
            this.errno = errno;
            this.op = op;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String operation() {
            return op;
        }
    }

    /** The JDK type, plus the errno. */
    static final class AccessDenied extends AccessDeniedException implements UringError {
        private static final long serialVersionUID = 1L;
        private final int errno;
        private final String op;

        AccessDenied(String file, String reason, int errno, String op) {
            super(file, null, reason);
            this.errno = errno;
            this.op = op;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String operation() {
            return op;
        }
    }

    /** The JDK type, plus the errno. */
    static final class NotDirectory extends NotDirectoryException implements UringError {
        private static final long serialVersionUID = 1L;
        private final int errno;
        private final String op;
        private final String reason;

        NotDirectory(String file, String reason, int errno, String op) {
            super(file);
            this.errno = errno;
            this.op = op;
            this.reason = reason;
        }

        @Override
        public String getReason() {
            return reason;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String operation() {
            return op;
        }
    }

    /** {@code FileSystemException} for the rest ({@code EISDIR}, {@code ELOOP}, {@code EIO}, ...), plus the errno. */
    static final class FileError extends FileSystemException implements UringError {
        private static final long serialVersionUID = 1L;
        private final int errno;
        private final String op;

        FileError(String file, String reason, int errno, String op) {
            super(file, null, reason);
            this.errno = errno;
            this.op = op;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String operation() {
            return op;
        }
    }
}
