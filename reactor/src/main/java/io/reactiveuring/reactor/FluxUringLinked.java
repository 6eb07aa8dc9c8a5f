package io.reactiveuring.reactor;

import io.reactiveuring.core.reactive.LinkedPublisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.util.Objects;

/**
 * A linked chain of ops ({@code IOSQE_IO_LINK}, one {@code io_uring_enter}) as a cold {@link Flux} of each op's
 * {@code res} in chain order, over core's {@link LinkedPublisher} on a ring picked at subscribe time. A broken link
 * is a {@code UringLinkBrokenException}. Immutable; subscribe from any thread; signals on the loop thread.
 */
final class FluxUringLinked extends Flux<Integer> implements Scannable {
    final LinkedPublisher op;
    final UringScheduler scheduler;

    FluxUringLinked(LinkedPublisher op, UringScheduler scheduler) {
        this.op = Objects.requireNonNull(op, "op");
        this.scheduler = scheduler;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Integer> actual) {
        op.subscribe(new LinkedSubscriber(this, actual));
    }

    @SuppressWarnings("rawtypes") // Scannable declares the raw type
    @Override
    public Object scanUnsafe(Attr key) {
        return OperatorScan.publisher(key, scheduler);
    }

    /**
     * Passes the chain's signals to the Reactor subscriber and gives it Reactor's view of the subscription (scan
     * attributes); signals after a terminal one go to the dropped hooks. Signals come serially from the loop thread
     * (errors before submission from the requesting thread); {@code request}/{@code cancel} from any thread.
     */
    static final class LinkedSubscriber implements CoreSubscriber<Integer>, Subscription, Scannable {
        private final FluxUringLinked parent;
        private final CoreSubscriber<? super Integer> actual;
        private Subscription upstream;
        private volatile boolean done;
        private volatile boolean cancelled;

        LinkedSubscriber(FluxUringLinked parent, CoreSubscriber<? super Integer> actual) {
            this.parent = parent;
            this.actual = actual;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(Integer res) {
            if (done) {
                Operators.onNextDropped(res, actual.currentContext());
                return;
            }
            actual.onNext(res);
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                ErrorReporting.dropped(t, actual.currentContext());
                return;
            }
            done = true;
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n); // the chain answers n <= 0 with §3.9's IllegalArgumentException
        }

        @Override
        public void cancel() {
            cancelled = true;
            upstream.cancel();
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
                return cancelled;
            }
            if (key == Attr.TERMINATED) {
                return done;
            }
            return OperatorScan.publisher(key, parent.scheduler);
        }
    }
}
