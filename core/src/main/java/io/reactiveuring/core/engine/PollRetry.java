package io.reactiveuring.core.engine;

/**
 * How an op that finds its fd not ready ({@code -EAGAIN}) is retried: the library's mirror of
 * {@code IORING_FEAT_FAST_POLL}.
 * <ul>
 *   <li>{@link #KERNEL}: submit the op blocking-style; the kernel arms its own poll and re-issues the op on
 *       readiness. An {@code -EAGAIN} that still arrives is handled as in USER mode.</li>
 *   <li>{@link #USER}: submit with the nowait flag ({@code MSG_DONTWAIT}, {@code RWF_NOWAIT}); on {@code -EAGAIN}
 *       the library arms a readiness {@code POLL_ADD} and re-submits the op from the loop thread when it fires,
 *       while the subscriber still wants the result, at most 128 times before one plain kernel-waited attempt.
 *       Regular files are never polled: their {@code -EAGAIN} is re-issued once without the flag.</li>
 *   <li>{@link #AUTO}: KERNEL when the ring reports {@code IORING_FEAT_FAST_POLL}, USER otherwise.</li>
 * </ul>
 */
public enum PollRetry {
    KERNEL,
    USER,
    AUTO;

    /** The kernel's own bound on poll-driven retries ({@code APOLL_MAX_RETRY}). */
    public static final int MAX_RETRIES = 128;
}
