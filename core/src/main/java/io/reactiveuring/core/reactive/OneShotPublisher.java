package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.LoopPlacement;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A cold Reactive Streams publisher of one io_uring op: every subscription gets a fresh {@link OpCall} and its
 * own submission (subscribing twice submits twice) on a ring its {@link LoopPlacement} picks at subscribe time,
 * nothing is submitted before {@code request(n > 0)}, and the CQE becomes {@code onNext} + {@code onComplete} or
 * {@code onError}. See {@link OneShotSubscription} for retry, cancellation and threading.
 *
 * <p>Threading: immutable; {@link #subscribe} may be called from any thread. Ownership: each subscription's call
 * and its memory belong to that subscription until its last CQE; a value delivered belongs to the subscriber.
 *
 * @param <T> the emitted value
 */
public final class OneShotPublisher<T> implements Publisher<T> {
    private final LoopPlacement placement;
    private final Supplier<? extends OpCall<T>> calls;
    private final OpOptions options;
    private final DiscardPolicy discard;

    /**
     * The op {@code calls} supplies, on the ring {@code placement} picks.
     *
     * @param placement where each subscription runs
     * @param calls     a fresh call per subscription
     * @param options   retry mode and timeout
     * @param discard   where unreceived outcomes go
     */
    public OneShotPublisher(LoopPlacement placement, Supplier<? extends OpCall<T>> calls, OpOptions options,
                            DiscardPolicy discard) {
        this.placement = Objects.requireNonNull(placement, "placement");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.options = Objects.requireNonNull(options, "options");
        this.discard = Objects.requireNonNull(discard, "discard");
    }

    /**
     * On one ring, with the call's own cleanup for unreceived outcomes.
     *
     * @param loop    the ring
     * @param calls   a fresh call per subscription
     * @param options retry mode and timeout
     */
    public OneShotPublisher(UringLoop loop, Supplier<? extends OpCall<T>> calls, OpOptions options) {
        this(LoopPlacement.of(loop), calls, options, DiscardPolicy.CALL_CLEANS_UP);
    }

    /**
     * On one ring, default options.
     *
     * @param loop  the ring
     * @param calls a fresh call per subscription
     */
    public OneShotPublisher(UringLoop loop, Supplier<? extends OpCall<T>> calls) {
        this(loop, calls, OpOptions.DEFAULT);
    }

    @Override
    public void subscribe(Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // §1.9
        OneShotSubscription<T> subscription =
                new OneShotSubscription<>(placement.pick(), calls, options, discard, subscriber);
        subscription.holdSignalsUnlessOnRunningLoop();
        subscriber.onSubscribe(subscription);
        subscription.onSubscribeReturned();
    }

    /** @return where subscriptions run */
    public LoopPlacement placement() {
        return placement;
    }

    /** @return the call supplier */
    public Supplier<? extends OpCall<T>> calls() {
        return calls;
    }

    /** @return the per-op settings */
    public OpOptions options() {
        return options;
    }

    /** @return where unreceived outcomes go */
    public DiscardPolicy discard() {
        return discard;
    }

    /** @param newOptions other settings @return the same op with them */
    public OneShotPublisher<T> withOptions(OpOptions newOptions) {
        return new OneShotPublisher<>(placement, calls, newOptions, discard);
    }

    /** @param policy where unreceived outcomes go @return the same op with it */
    public OneShotPublisher<T> withDiscard(DiscardPolicy policy) {
        return new OneShotPublisher<>(placement, calls, options, policy);
    }
}
