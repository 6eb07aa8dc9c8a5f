package io.reactiveuring.core;

import io.reactiveuring.core.linux.Errno;

import java.util.concurrent.CancellationException;

/**
 * {@code ECANCELED}: the operation was cancelled, by an {@code ASYNC_CANCEL} or because the ring's loop ended
 * (dispose, JVM shutdown, loop death) before it completed. Callers recognise it as a cancellation with
 * {@code instanceof UringCancelledException} or {@link #isCancellation(Throwable)}.
 *
 * <p>A link broken by an earlier failing op also reports {@code ECANCELED} from the kernel, but the library
 * raises {@link UringLinkBrokenException} for it instead. Immutable; safe to share between threads.
 */
public class UringCancelledException extends UringException {
    private static final long serialVersionUID = 1L;

    public UringCancelledException(String operation, String detail) {
        super(Errno.ECANCELED, operation, detail);
    }

    /** True if {@code t} is a cancellation: this type or a JDK {@link CancellationException}. */
    public static boolean isCancellation(Throwable t) {
        return t instanceof UringCancelledException || t instanceof CancellationException;
    }
}
