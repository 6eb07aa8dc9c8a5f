package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.MultishotCall;
import io.reactiveuring.core.reactive.MultishotPublisher;
import io.reactiveuring.core.reactive.MultishotSubscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;

import java.util.Objects;

/**
 * One multishot io_uring op (multishot {@code POLL_ADD}, and later {@code ACCEPT} and {@code RECV}) as a cold
 * {@link Flux} over core's {@link MultishotPublisher}: every subscription gets a fresh {@link MultishotCall} and its
 * own kernel op on a ring picked at subscribe time, armed while it has demand and disarmed when demand runs out; CQEs that arrive
 * meanwhile wait for the next request, never dropped (core's {@link MultishotSubscription}). Immutable; subscribe
 * from any thread; signals on the loop thread.
 *
 * @param <T> the emitted item
 */
final class FluxUringMultishot<T> extends Flux<T> implements Scannable {
    final MultishotPublisher<T> op;
    final UringScheduler scheduler;

    FluxUringMultishot(MultishotPublisher<T> op, UringScheduler scheduler) {
        this.op = Objects.requireNonNull(op, "op");
        this.scheduler = scheduler;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        MultishotOpSubscription<T> subscription = new MultishotOpSubscription<>(this, op.placement().pick(), actual);
        actual.onSubscribe(subscription);
        subscription.start(); // nothing is armed or signalled before onSubscribe returned (§1.3)
    }

    @SuppressWarnings("rawtypes") // Scannable declares the raw type
    @Override
    public Object scanUnsafe(Attr key) {
        return OperatorScan.publisher(key, scheduler);
    }

    /**
     * The subscription and the kernel op at once (core's {@link MultishotSubscription}), with Reactor's scan
     * attributes; items nobody will receive go to {@link ReactorDiscard} (the context's discard hook, else the
     * call's own {@link MultishotCall#discard}). A subscriber that throws from {@code onNext} is cancelled and its
     * exception goes to the loop's error hook (Reactor's dropped-error hook for rings made by
     * {@link ReactorUring#create}).
     */
    static final class MultishotOpSubscription<T> extends MultishotSubscription<T> implements Scannable {
        private final FluxUringMultishot<T> parent;

        MultishotOpSubscription(FluxUringMultishot<T> parent, UringLoop loop, CoreSubscriber<? super T> actual) {
            super(loop, parent.op.calls(), parent.op.discard(), actual);
            this.parent = parent;
        }

        @SuppressWarnings("rawtypes") // Scannable declares the raw type
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return parent;
            }
            if (key == Attr.ACTUAL) {
                return actual;
            }
            if (key == Attr.CANCELLED) {
                return isCancelled();
            }
            if (key == Attr.TERMINATED) {
                return isTerminated() && !isCancelled();
            }
            if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
                return requestedFromDownstream();
            }
            if (key == Attr.BUFFERED) {
                return bufferedItems();
            }
            return OperatorScan.publisher(key, parent.scheduler);
        }
    }
}
