package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.OpSpec;
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
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        if (key == Attr.RUN_ON) {
            return scheduler;
        }
        return null;
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

        MultishotOpSubscription(FluxUringMultishot<T> parent, UringLoop loop, CoreSubscriber<? super T> actual) {
            super(loop, discardingTo(parent.calls, actual.currentContext()), actual);
            this.parent = parent;
        }

        /** The calls, routed to the context's discard hook if it has one; unchanged otherwise. */
        private static <T> Supplier<? extends MultishotCall<T>> discardingTo(
                Supplier<? extends MultishotCall<T>> calls, Context context) {
            if (!DiscardHooks.isPresent(context)) {
                return calls;
            }
            return () -> new ContextDiscardingCall<>(Objects.requireNonNull(calls.get(), "MultishotCall"), context);
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
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.ASYNC;
            }
            if (key == Attr.RUN_ON) {
                return parent.scheduler;
            }
            return null;
        }
    }

    /**
     * A call whose undelivered items go to the context's discard hook (which then owns them) instead of the call's
     * own {@code discard}. Delegates every other method of {@link MultishotCall}: one added there must be added here.
     * Used as the call it wraps is (drain thread, never concurrently).
     */
    private static final class ContextDiscardingCall<T> implements MultishotCall<T> {
        private final MultishotCall<T> call;
        private final Context context;

        ContextDiscardingCall(MultishotCall<T> call, Context context) {
            this.call = call;
            this.context = context;
        }

        @Override
        public OpSpec spec() {
            return call.spec();
        }

        @Override
        public boolean endOfStream(int res, int flags) {
            return call.endOfStream(res, flags);
        }

        @Override
        public T item(int res, int flags) {
            return call.item(res, flags);
        }

        @Override
        public boolean awaitBufferReturn(Runnable onReturned) {
            return call.awaitBufferReturn(onReturned);
        }

        @Override
        public void discard(T item) {
            DiscardHooks.discard(item, context);
        }

        @Override
        public void release() {
            call.release();
        }
    }
}
