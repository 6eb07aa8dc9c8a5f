package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.MultishotCall;
import io.reactiveuring.core.reactive.MultishotSubscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One multishot io_uring op (multishot {@code POLL_ADD}, and later {@code ACCEPT} and {@code RECV}) as a cold
 * {@link Flux}: every subscription gets a fresh {@link MultishotCall} from {@code calls} and its own kernel op on a
 * ring picked at subscribe time, armed while it has demand and disarmed when demand runs out; CQEs that arrive
 * meanwhile wait for the next request, never dropped (core's {@link MultishotSubscription}). Immutable; subscribe
 * from any thread; signals on the loop thread.
 *
 * @param <T> the emitted item
 */
final class FluxUringMultishot<T> extends Flux<T> implements Scannable {
    final RingSet rings;
    final UringScheduler scheduler;
    final Supplier<? extends MultishotCall<T>> calls;

    FluxUringMultishot(RingSet rings, UringScheduler scheduler, Supplier<? extends MultishotCall<T>> calls) {
        this.rings = rings;
        this.scheduler = scheduler;
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        MultishotOpSubscription<T> subscription = new MultishotOpSubscription<>(this, rings.pick(), actual);
        actual.onSubscribe(subscription);
        subscription.start(); // nothing is armed or signalled before onSubscribe returned (§1.3)
    }

    @SuppressWarnings("rawtypes") // Scannable declares the raw type
    @Override
    public Object scanUnsafe(Attr key) {
        return OperatorScan.publisher(key, scheduler);
    }

    /**
     * The subscription and the kernel op at once (core's {@link MultishotSubscription}), with Reactor's view: scan
     * attributes, and items nobody will receive (queued at cancel, arriving after it or after the end of the
     * stream) go to the subscriber context's discard hook when it has one, else to the call's own
     * {@link MultishotCall#discard}. A subscriber that throws from {@code onNext} is cancelled and its exception
     * goes to the loop's error hook (Reactor's dropped-error hook for rings made by {@link ReactorUring#create}).
     */
    static final class MultishotOpSubscription<T> extends MultishotSubscription<T> implements Scannable {
        private final FluxUringMultishot<T> parent;
        private final Context context;

        MultishotOpSubscription(FluxUringMultishot<T> parent, UringLoop loop, CoreSubscriber<? super T> actual) {
            super(loop, parent.calls, actual);
            this.parent = parent;
            this.context = actual.currentContext();
        }

        /** To the context's discard hook (which then owns the item) if it has one, else the call's own discard. */
        @Override
        protected void discardItem(MultishotCall<T> call, T item) {
            if (DiscardHooks.isPresent(context) && !call.closesLateItems()) {
                DiscardHooks.discard(item, context);
            } else {
                call.discard(item);
            }
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
