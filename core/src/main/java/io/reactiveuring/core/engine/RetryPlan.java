package io.reactiveuring.core.engine;

/**
 * How one operation is retried when it finds its fd not ready ({@code -EAGAIN}): the op blocking-style, its nowait
 * variant, the readiness to wait for and on which fd, and whether the fd is a regular file (never polled). Given to
 * {@link OpRetry}; the op catalogue's calls are plans.
 *
 * <p>Threading: {@link #spec()} and {@link #nowaitSpec()} may be asked on the submitting thread; everything else on
 * the loop thread. Implementations are usually immutable.
 */
public interface RetryPlan {

    /** @return the SQE, blocking-style (no nowait flag): what {@code PollRetry.KERNEL} submits */
    OpSpec spec();

    /**
     * @return the same op with its nowait flag ({@code MSG_DONTWAIT}, {@code RWF_NOWAIT}) for {@code PollRetry.USER},
     * or null if the op has none (it is then always submitted as {@link #spec()})
     */
    default OpSpec nowaitSpec() {
        return null;
    }

    /**
     * @return poll events ({@code Poll.READABLE} / {@code Poll.WRITABLE}) to wait for when the op answers
     * {@code -EAGAIN} on a pollable fd (socket, pipe, eventfd), or 0 if it must never be retried through a poll
     */
    default int readiness() {
        return 0;
    }

    /** @return the fd a readiness poll watches; by default the spec's fd */
    default int pollFd() {
        return spec().fd();
    }

    /**
     * @return true for an op on a regular file: an {@code -EAGAIN} under {@code RWF_NOWAIT} is re-issued once without
     * the flag, never through a poll ({@code POLL_ADD} on a regular file is always ready, so polling would spin)
     */
    default boolean regularFile() {
        return false;
    }
}
