package io.reactiveuring.reactor;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.OneShotSubscription;
import io.reactiveuring.core.reactive.OpCall;
import io.reactiveuring.core.reactive.OpOptions;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One io_uring op as a cold {@link Mono}: every subscription gets a fresh {@link OpCall} from {@code calls} and
 * its own SQE, submitted at the first {@code request(n > 0)} on a ring picked at subscribe time. The CQE becomes
 * {@code onNext} + {@code onComplete} or {@code onError} on the loop thread. Immutable; subscribe from any thread.
 *
 * @param <T> the emitted value
 */
final class MonoUringOp<T> extends Mono<T> implements Scannable {
    final RingSet rings;
    final UringScheduler scheduler;
    final Supplier<? extends OpCall<T>> calls;
    final OpOptions options;

    MonoUringOp(RingSet rings, UringScheduler scheduler, Supplier<? extends OpCall<T>> calls, OpOptions options) {
        this.rings = rings;
        this.scheduler = scheduler;
        this.calls = Objects.requireNonNull(calls, "calls");
        this.options = options;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        OpSubscription<T> subscription = new OpSubscription<>(this, rings.pick(), actual);
        subscription.holdSignalsUnlessOnRunningLoop(); // no signal may overlap an onSubscribe that requests (§1.3)
        actual.onSubscribe(subscription);
        subscription.onSubscribeReturned();
    }

    @SuppressWarnings("rawtypes") // Scannable declares the raw type
    @Override
    public Object scanUnsafe(Attr key) {
        return OperatorScan.publisher(key, scheduler);
    }

    /**
     * The subscription and, at the same time, the op's {@code UringOperation} (core's {@link OneShotSubscription}):
     * the only object per subscription besides the {@link OpCall}. Adds Reactor's view: scan attributes, and the
     * outcome of an op whose subscriber cancelled goes to the context's discard hook (a value) or dropped-error
     * hook (an error), on the loop thread after the op's final CQE.
     */
    static final class OpSubscription<T> extends OneShotSubscription<T> implements Scannable {
        private final MonoUringOp<T> parent;
        private final CoreSubscriber<? super T> downstream;

        OpSubscription(MonoUringOp<T> parent, UringLoop loop, CoreSubscriber<? super T> actual) {
            super(loop, parent.calls, parent.options, actual);
            this.parent = parent;
            this.downstream = actual;
        }

        @Override
        protected void onCompletionAfterCancel(OpCall<T> call, int res, int flags) {
            Context context = downstream.currentContext();
            if (call.succeeded(res)) {
                if (DiscardHooks.isPresent(context) && !call.closesLateResult()) {
                    DiscardHooks.discard(call.result(res, flags), context); // the hook now owns the value
                } else {
                    call.discardResult(res, flags); // nobody would see it: the call cleans up itself
                }
            } else if (res != -Errno.ECANCELED && (flags & FLAG_LOOP_TERMINATED) == 0) {
                // A real failure that raced with the cancel (ECANCELED is the cancel's own answer).
                ErrorReporting.dropped(UringException.of(res, describe()), context);
            }
        }

        @SuppressWarnings("rawtypes") // Scannable declares the raw type
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return parent;
            }
            if (key == Attr.ACTUAL) {
                return downstream;
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
