package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.OneShotPublisher;
import io.reactiveuring.core.reactive.OneShotSubscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * One io_uring op as a cold {@link Mono} over core's {@link OneShotPublisher}: every subscription gets a fresh call
 * and its own SQE, submitted at the first {@code request(n > 0)} on the ring the publisher's placement picks at
 * subscribe time. The CQE becomes {@code onNext} + {@code onComplete} or {@code onError} on the loop thread; an
 * outcome nobody receives goes to {@link ReactorDiscard}. The subscription is core's own, with Reactor's scan
 * attributes: one object per subscription besides the call.
 *
 * <p>Threading: immutable; subscribe from any thread. Ownership: as {@link OneShotPublisher}.
 *
 * @param <T> the emitted value
 */
final class MonoUringOp<T> extends Mono<T> implements Scannable {
    final OneShotPublisher<T> op;
    final UringScheduler scheduler;

    MonoUringOp(OneShotPublisher<T> op, UringScheduler scheduler) {
        this.op = Objects.requireNonNull(op, "op");
        this.scheduler = scheduler;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        OpSubscription<T> subscription = new OpSubscription<>(this, op.placement().pick(), actual);
        subscription.holdSignalsUnlessOnRunningLoop(); // no signal may overlap an onSubscribe that requests (§1.3)
        actual.onSubscribe(subscription);
        subscription.onSubscribeReturned();
    }

    @SuppressWarnings("rawtypes") // Scannable declares the raw type
    @Override
    public Object scanUnsafe(Attr key) {
        return OperatorScan.publisher(key, scheduler);
    }

    /** Core's subscription (which is also the op's {@code UringOperation}) plus Reactor's scan attributes. */
    static final class OpSubscription<T> extends OneShotSubscription<T> implements Scannable {
        private final MonoUringOp<T> parent;

        OpSubscription(MonoUringOp<T> parent, UringLoop loop, CoreSubscriber<? super T> actual) {
            super(loop, parent.op.calls(), parent.op.options(), parent.op.discard(), actual);
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
                return isRequested() && !isTerminated() ? 1L : 0L;
            }
            return OperatorScan.publisher(key, parent.scheduler);
        }
    }
}
