package io.reactiveuring.core.binding;

import io.reactiveuring.core.linux.Errno;
/**
 * A plain libc call (not an io_uring operation) that failed with an errno, e.g. {@code mmap} or {@code eventfd}.
 * Immutable; safe to share between threads.
 */
public final class NativeCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NativeCallException(String call, int errno) {
        super(Errno.name(errno) + " (" + Math.abs(errno) + ") from " + call);
        this.errno = Math.abs(errno);
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
