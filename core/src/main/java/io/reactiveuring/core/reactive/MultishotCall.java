package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;

/**
 * One subscription's worth of a multishot operation (multishot {@code POLL_ADD}, {@code ACCEPT}, {@code RECV} with a
 * provided-buffer ring): the SQE that arms it, and what each of its CQEs means. A {@link MultishotPublisher} asks
 * its {@code Supplier<MultishotCall<T>>} for a fresh call at each subscription's first arm, so per-subscription
 * state (a counter, a buffer ring's bookkeeping) belongs to this call.
 *
 * <p>The publisher arms the op while the subscriber has demand and disarms it at zero demand; every CQE with
 * {@code res >= 0} becomes an item through {@link #item} (or ends the stream, see {@link #endOfStream}), queued
 * until requested. How a final CQE (no {@code IORING_CQE_F_MORE}) is treated: {@code res >= 0} carries an item like
 * any other and the op is re-armed if demand remains; {@code -ECANCELED} after the publisher's own disarm is
 * re-armed likewise; {@code -ENOBUFS} is re-armed once {@link #awaitBufferReturn} reports a buffer back; any other
 * negative result ends the stream: with completion if {@link #completesOn} says it is the source's normal end,
 * otherwise with an error.
 *
 * <p>Threading: {@link #endOfStream} and {@link #item} are called on the loop thread, in CQE order;
 * {@link #spec()}, {@link #armResource()}, {@link #awaitBufferReturn}, {@link #discard} and {@link #release} on the
 * thread that drains the subscription (the loop thread, except after the loop ended). Calls are never concurrent.
 * Ownership: memory the spec points at must stay valid until {@link #release()}, which the publisher calls exactly
 * once, after the op's last CQE, whatever the subscriber did; what one arm holds in the kernel's name (a
 * provided-buffer ring's lease) is its {@link #armResource()}, which the engine releases after that arm's final CQE;
 * memory in an item passes to whoever receives the item (the subscriber, or {@link #discard}).
 *
 * @param <T> the item each CQE becomes
 */
public interface MultishotCall<T> {

    /** The multishot SQE, asked at each arm (the first request and every re-arm). */
    OpSpec spec();

    /**
     * What this arm holds for as long as the kernel may use it, asked right after {@link #spec()} at each arm; null
     * for nothing. It is attached to the op, so the engine releases it after the arm's final CQE (and keeps it
     * forever, quarantined with the op, if the loop ends before that CQE came). A multishot recv returns a lease of
     * its provided-buffer ring here.
     */
    default OwnedResource armResource() {
        return null;
    }

    /**
     * True if this non-negative result means the source is exhausted and carries no item: the stream completes
     * once the items before it were delivered (a recv's {@code 0} at EOF, a hang-up for a poll that ends on it).
     * The publisher then disarms the op and completes after its final CQE. Consulted before {@link #item}.
     */
    default boolean endOfStream(int res, int flags) {
        return false;
    }

    /**
     * True if this negative result of a final CQE is how the source ends normally rather than a failure (a multishot
     * accept's {@code -EINVAL} once its listening socket was shut down): the stream then completes after the items
     * before it. Not consulted for the {@code -ECANCELED} of the publisher's own disarm or of the loop's end, nor for
     * an {@code -ENOBUFS} that {@link #awaitBufferReturn} accepted.
     */
    default boolean completesOn(int res) {
        return false;
    }

    /**
     * The item a CQE with {@code res >= 0} carries; ownership of memory in it passes on. Null if this CQE carries
     * nothing for the subscriber.
     */
    T item(int res, int flags);

    /**
     * The op ended with {@code -ENOBUFS}: its provided-buffer ring ran dry. Return true to have the publisher
     * re-arm (if demand remains) only after {@code onReturned} was run (from any thread, once) when a buffer
     * went back to the ring, possibly before this method returns; return false if the op uses no provided
     * buffers, which makes {@code -ENOBUFS} an error.
     */
    default boolean awaitBufferReturn(Runnable onReturned) {
        return false;
    }

    /**
     * True if items nobody receives must be cleaned up by {@link #discard} itself and never handed to a user's
     * discard hook: accepted fds are closed by the library, so a hook that filters by type cannot leak them.
     */
    default boolean closesLateItems() {
        return false;
    }

    /** An item no subscriber will receive (cancelled, failed, or after the end of the stream): free what it holds. */
    default void discard(T item) {
    }

    /** After the op's last CQE, exactly once: free what was not handed on. */
    default void release() {
    }
}
