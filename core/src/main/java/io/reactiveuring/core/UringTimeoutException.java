package io.reactiveuring.core;

import io.reactiveuring.core.linux.Errno;

/**
 * A kernel-side timeout ({@code IORING_OP_LINK_TIMEOUT}) linked to the operation expired before the operation
 * completed; the kernel cancelled the operation. Distinct from {@link UringCancelledException}: nobody cancelled
 * it, time ran out. Carries {@code ETIME}. Immutable; safe to share between threads.
 */
public class UringTimeoutException extends UringException {
    private static final long serialVersionUID = 1L;

    public UringTimeoutException(String operation, java.time.Duration timeout) {
        super(Errno.ETIME, operation, "kernel-side timeout of " + Durations.human(timeout) + " expired");
    }
}
