package io.reactiveuring.core.reactive;

import org.reactivestreams.Subscriber;

/**
 * Where an outcome goes that its subscriber will never receive: a one-shot op's result that arrived after (or was held
 * across) a cancel, or a multishot op's items queued or arriving after the stream ended for its subscriber. The
 * default ({@link #CALL_CLEANS_UP}) lets the call clean up itself (a buffer released, an fd closed); a shell passes
 * its own, e.g. Reactor's, which hands values to the subscriber context's discard hook. Given to a publisher once and
 * shared by all its subscriptions, so it costs nothing per subscription.
 *
 * <p>Threading: called on the loop thread (after the op's last CQE, before the call's memory is released), or on the
 * calling thread once the loop has ended. Ownership: a value handed to a hook belongs to the hook; except values the
 * call must clean up itself ({@link OpCall#closesLateResult()}, {@link MultishotCall#closesLateItems()}: fds are
 * closed by the library), which an implementation must pass back to the call.
 */
public interface DiscardPolicy {
    /** The call's own cleanup for everything: a successful result to {@link OpCall#discardResult}, errors ignored. */
    DiscardPolicy CALL_CLEANS_UP = new DiscardPolicy() {
    };

    /**
     * A one-shot op's final outcome nobody will receive. By default a successful result goes to
     * {@link OpCall#discardResult} and an error is ignored (typically the {@code -ECANCELED} the cancel caused).
     *
     * @param subscriber the subscriber that cancelled (for its context)
     * @param call       the op's call, still holding its memory
     * @param res        the CQE's result
     * @param flags      the CQE's flags
     * @param <T>        the value type
     */
    default <T> void discardOutcome(Subscriber<? super T> subscriber, OpCall<T> call, int res, int flags) {
        if (call.succeeded(res)) {
            call.discardResult(res, flags);
        }
    }

    /**
     * A multishot op's item nobody will receive. By default the call's own {@link MultishotCall#discard}.
     *
     * @param subscriber the subscriber (for its context)
     * @param call       the op's call
     * @param item       the item
     * @param <T>        the item type
     */
    default <T> void discardItem(Subscriber<? super T> subscriber, MultishotCall<T> call, T item) {
        call.discard(item);
    }
}
