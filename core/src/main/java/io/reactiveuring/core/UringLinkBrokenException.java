package io.reactiveuring.core;

import io.reactiveuring.core.linux.Errno;

/**
 * An operation of an {@code IOSQE_IO_LINK} chain did not run because an earlier op of the chain failed or was
 * short (the kernel reports {@code ECANCELED} for it). Deliberately not a {@link UringCancelledException}: nobody
 * cancelled it. Immutable; safe to share between threads.
 */
public class UringLinkBrokenException extends UringException {
    private static final long serialVersionUID = 1L;

    public UringLinkBrokenException(String operation) {
        super(Errno.ECANCELED, operation, "an earlier operation of its link chain failed");
    }
}
