package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A cold Reactive Streams publisher of one io_uring op: every subscription gets a fresh {@link OpCall} and its
 * own submission (subscribing twice submits twice), nothing is submitted before {@code request(n > 0)}, and the
 * CQE becomes {@code onNext} + {@code onComplete} or {@code onError}. See {@link OneShotSubscription} for retry,
 * cancellation and threading. Immutable; {@link #subscribe} may be called from any thread.
 *
 * @param <T> the emitted value
 */
public final class OneShotPublisher<T> implements Publisher<T> {
    private final UringLoop loop;
    private final Supplier<? extends OpCall<T>> calls;
    private final OpOptions options;

    public OneShotPublisher(UringLoop loop, Supplier<? extends OpCall<T>> calls, OpOptions options) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.options = Objects.requireNonNull(options, "options");
    }

    public OneShotPublisher(UringLoop loop, Supplier<? extends OpCall<T>> calls) {
        this(loop, calls, OpOptions.DEFAULT);
    }

    @Override
    public void subscribe(Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // §1.9
        OneShotSubscription<T> subscription = new OneShotSubscription<>(loop, calls, options, subscriber);
        subscription.holdSignalsUnlessOnRunningLoop();
        subscriber.onSubscribe(subscription);
        subscription.onSubscribeReturned();
    }

    public UringLoop loop() {
        return loop;
    }

    public OpOptions options() {
        return options;
    }

    /** The same op with other options. */
    public OneShotPublisher<T> withOptions(OpOptions newOptions) {
        return new OneShotPublisher<>(loop, calls, newOptions);
    }
}
