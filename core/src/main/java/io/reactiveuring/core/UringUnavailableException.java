package io.reactiveuring.core;

/**
 * io_uring cannot be used on this machine or in this process; the message says why in words a user can act on
 * (kernel too old, {@code kernel.io_uring_disabled} sysctl, seccomp or container policy, memlock limit, OS or
 * architecture). See {@link Uring#unavailabilityCause()}. Immutable; safe to share between threads.
 */
public class UringUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public UringUnavailableException(String message, int errno) {
        super(message);
        this.errno = Math.abs(errno);
    }

    /** The errno that setup failed with, or 0 when the check failed before any syscall (OS, architecture). */
    public int errno() {
        return errno;
    }
}
