package io.reactiveuring.core.file;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.UringErrors;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Kernel errors of file ops as the exceptions the JDK raises for the same failure, through
 * {@link UringErrors#ofFile} (the library's one errno-to-type table), and errors as an
 * {@code AsynchronousFileChannel} reports them. Stateless.
 */
final class FileErrors {
    private FileErrors() {
    }

    /** The error of {@code res < 0} from {@code op} on {@code path}. */
    static Exception of(int res, String op, Path path) {
        return UringErrors.ofFile(res, op, path.toString());
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
            return withCause(UringErrors.ofFile(u.errno(), u.operation(), path.toString()), t);
        }
        return t;
    }

    private static <T extends Throwable> T withCause(T e, Throwable cause) {
        e.initCause(cause);
        return e;
    }
}
