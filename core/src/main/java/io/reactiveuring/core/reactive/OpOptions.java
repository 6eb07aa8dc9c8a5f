package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.PollRetry;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-op settings of a publisher: the poll-retry mode (null: the ring's own), and an optional kernel-side timeout
 * ({@code LINK_TIMEOUT}, re-armed for every retry from one absolute deadline). Immutable; safe to share.
 *
 * @param pollRetry   overrides the ring's {@code LoopOptions.pollRetry()}, or null
 * @param linkTimeout kernel-side timeout of the whole op including its retries, or null for none
 */
public record OpOptions(PollRetry pollRetry, Duration linkTimeout) {
    public static final OpOptions DEFAULT = new OpOptions(null, null);

    public OpOptions {
        if (linkTimeout != null && (linkTimeout.isNegative() || linkTimeout.isZero())) {
            throw new IllegalArgumentException("linkTimeout must be positive: " + linkTimeout);
        }
    }

    public OpOptions withPollRetry(PollRetry mode) {
        return new OpOptions(Objects.requireNonNull(mode, "mode"), linkTimeout);
    }

    public OpOptions withLinkTimeout(Duration timeout) {
        return new OpOptions(pollRetry, Objects.requireNonNull(timeout, "timeout"));
    }
}
