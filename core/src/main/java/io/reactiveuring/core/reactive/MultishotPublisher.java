package io.reactiveuring.core.reactive;

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
 * multishot {@code POLL_ADD} and {@link MultishotCalls} for multishot accept and recv. Immutable; {@link #subscribe} may be called from any thread.
 *
 * @param <T> the emitted item
 */
public final class MultishotPublisher<T> implements Publisher<T> {
    private final UringLoop loop;
    private final Supplier<? extends MultishotCall<T>> calls;

    public MultishotPublisher(UringLoop loop, Supplier<? extends MultishotCall<T>> calls) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    @Override
    public void subscribe(Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // §1.9
        MultishotSubscription<T> subscription = new MultishotSubscription<>(loop, calls, subscriber);
        subscriber.onSubscribe(subscription);
        subscription.start();
    }

    public UringLoop loop() {
        return loop;
    }
}
