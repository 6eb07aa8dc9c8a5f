package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.RetryPlan;

/**
 * One subscription's worth of an operation: the SQE to submit, how to retry it, and what its result means. A
 * cold publisher asks its {@code Supplier<OpCall<T>>} for a fresh call at each subscription's first request, so
 * per-subscription memory (a read buffer, a sockaddr) is allocated then and belongs to this call.
 * What to submit and how to retry it is the {@link RetryPlan} it extends.
 *
 * <p>Threading: {@link #spec()} and {@link #nowaitSpec()} are called on the requesting thread before submission;
 * every other method on the ring's loop thread. Ownership: memory the specs point at must stay valid until
 * {@link #release()}, which the publisher calls exactly once, after the last CQE of the subscription (including
 * those of retries and linked timeouts), whatever the subscriber did.
 *
 * @param <T> the value a successful completion becomes
 */
public interface OpCall<T> extends RetryPlan {

    /**
     * @return what the op is, with its context, for messages: {@code OPENAT /srv/data.txt},
     * {@code CONNECT 127.0.0.1:8080 fd=27}; by default the spec's {@code READ fd=42}
     */
    default String describe() {
        return spec().describe();
    }

    /** @return the file the op concerns (for the file-system exception types' {@code getFile()}), or null */
    default String file() {
        return null;
    }

    /**
     * True if {@code res} is a success: {@code res >= 0}, and for a few ops a specific errno that is their normal
     * outcome (a timer's {@code -ETIME}).
     */
    default boolean succeeded(int res) {
        return res >= 0;
    }

    /**
     * @return the plain syscall that does what this op does, run on the loop thread when the ring's kernel lacks the
     * opcode ({@code IORING_OP_BIND} and {@code LISTEN} before Linux 6.11); it returns a result or {@code -errno} as a
     * CQE would. Null (the default) if there is none: the op then fails as unsupported.
     */
    default java.util.function.IntSupplier fallback() {
        return null;
    }

    /**
     * After a successful completion, the SQE that continues the op (e.g. the rest of a short write), or null when the
     * op is done and {@link #result} gives its value. Called once per successful CQE, on the loop thread; the
     * continuation is submitted as this subscription's next attempt (with the same retry and timeout settings).
     *
     * @param res this attempt's result
     * @return the next SQE, or null
     */
    default OpSpec continuation(int res) {
        return null;
    }

    /** The value of a successful final completion (see {@link #succeeded}); ownership of memory in it passes on. */
    T result(int res, int flags);

    /**
     * A successful result that no subscriber will receive (it cancelled meanwhile): close an fd it carries,
     * hand a buffer to the discard hook. Called instead of {@link #result}.
     */
    default void discardResult(int res, int flags) {
    }

    /**
     * True if a result nobody receives must be cleaned up by {@link #discardResult} itself and never handed to a
     * user's discard hook: a late fd (accept, openat, socket) is closed by the library, so a hook that filters by
     * type cannot leak it.
     */
    default boolean closesLateResult() {
        return false;
    }

    /** After the subscription's last CQE, exactly once: free what was not handed to the subscriber. */
    default void release() {
    }
}
