package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.LoopPlacement;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A cold Reactive Streams publisher of one multishot io_uring op: every subscription gets a fresh
 * {@link MultishotCall} and its own kernel op, armed while it has demand and disarmed when demand runs out; the
 * op's CQEs become {@code onNext}s, queued (never dropped) while there is no demand. See
 * {@link MultishotSubscription} for arming, cancellation, the loop's end and threading, {@link PollCall} for
 * multishot {@code POLL_ADD} and {@link MultishotCalls} for multishot accept and recv.
 *
 * <p>Threading: immutable; {@link #subscribe} may be called from any thread. Ownership: an item delivered belongs to
 * the subscriber; one nobody receives goes to the {@link DiscardPolicy}.
 *
 * @param <T> the emitted item
 */
public final class MultishotPublisher<T> implements Publisher<T> {
    private final LoopPlacement placement;
    private final Supplier<? extends MultishotCall<T>> calls;
    private final DiscardPolicy discard;

    /**
     * The multishot op {@code calls} supplies, on the ring {@code placement} picks at subscribe time.
     *
     * @param placement where each subscription runs
     * @param calls     a fresh call per subscription
     * @param discard   where items nobody receives go
     */
    public MultishotPublisher(LoopPlacement placement, Supplier<? extends MultishotCall<T>> calls,
                              DiscardPolicy discard) {
        this.placement = Objects.requireNonNull(placement, "placement");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.discard = Objects.requireNonNull(discard, "discard");
    }

    /**
     * On one ring, with the call's own cleanup for unreceived items.
     *
     * @param loop  the ring
     * @param calls a fresh call per subscription
     */
    public MultishotPublisher(UringLoop loop, Supplier<? extends MultishotCall<T>> calls) {
        this(LoopPlacement.of(loop), calls, DiscardPolicy.CALL_CLEANS_UP);
    }

    @Override
    public void subscribe(Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // §1.9
        MultishotSubscription<T> subscription =
                new MultishotSubscription<>(placement.pick(), calls, discard, subscriber);
        subscriber.onSubscribe(subscription);
        subscription.start();
    }

    /** @return where subscriptions run */
    public LoopPlacement placement() {
        return placement;
    }

    /** @return the call supplier */
    public Supplier<? extends MultishotCall<T>> calls() {
        return calls;
    }

    /** @return where unreceived items go */
    public DiscardPolicy discard() {
        return discard;
    }

    /** @param policy where unreceived items go @return the same op with it */
    public MultishotPublisher<T> withDiscard(DiscardPolicy policy) {
        return new MultishotPublisher<>(placement, calls, policy);
    }
}
