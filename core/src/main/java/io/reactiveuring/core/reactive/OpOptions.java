package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.PollRetry;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-op settings of a publisher: the poll-retry mode (null: the ring's own), an optional kernel-side timeout
 * ({@code LINK_TIMEOUT}, re-armed for every retry from one absolute deadline), and whether a poll-driven retry
 * submits the readiness poll and the re-issued op as one linked chain (the kernel runs the op as soon as the poll
 * fires) or in two steps through the loop. Immutable; safe to share.
 *
 * @param pollRetry   overrides the ring's {@code LoopOptions.pollRetry()}, or null
 * @param linkTimeout kernel-side timeout of the whole op including its retries, or null for none
 * @param linkedRetry true (the default): linked poll → op retries where possible (not with a timeout)
 */
public record OpOptions(PollRetry pollRetry, Duration linkTimeout, boolean linkedRetry) {
    /** The ring's retry mode, no timeout, linked retries. */
    public static final OpOptions DEFAULT = new OpOptions(null, null, true);

    /** Checks the timeout. */
    public OpOptions {
        if (linkTimeout != null && (linkTimeout.isNegative() || linkTimeout.isZero())) {
            throw new IllegalArgumentException("linkTimeout must be positive: " + linkTimeout);
        }
    }

    /**
     * Settings with linked retries.
     *
     * @param pollRetry   the mode, or null for the ring's
     * @param linkTimeout the timeout, or null
     */
    public OpOptions(PollRetry pollRetry, Duration linkTimeout) {
        this(pollRetry, linkTimeout, true);
    }

    /** @param mode the retry mode @return these settings with it */
    public OpOptions withPollRetry(PollRetry mode) {
        return new OpOptions(Objects.requireNonNull(mode, "mode"), linkTimeout, linkedRetry);
    }

    /** @param timeout the kernel-side timeout @return these settings with it */
    public OpOptions withLinkTimeout(Duration timeout) {
        return new OpOptions(pollRetry, Objects.requireNonNull(timeout, "timeout"), linkedRetry);
    }

    /** @param linked true for linked poll → op retries, false for two steps @return these settings with it */
    public OpOptions withLinkedRetry(boolean linked) {
        return new OpOptions(pollRetry, linkTimeout, linked);
    }
}
