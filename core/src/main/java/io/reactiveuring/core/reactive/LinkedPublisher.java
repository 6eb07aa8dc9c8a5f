package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringLinkBrokenException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.LoopPlacement;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A chain of ops submitted as one linked sequence ({@code IOSQE_IO_LINK}) in one {@code io_uring_enter}, e.g.
 * write-then-fsync. Emits each op's {@code res} in chain order as demand allows, then completes; the first op
 * that fails ends the stream with its error. An op that the kernel skipped because an earlier one failed or was
 * short (a broken link: {@code -ECANCELED} although nobody cancelled) raises {@link UringLinkBrokenException}.
 * Cold: each subscription gets fresh calls from the supplier and its own submission at the first request. Links
 * are submitted blocking-style (no poll-driven retry).
 *
 * <p>Threading: {@code subscribe}/{@code request}/{@code cancel} from any thread; signals from the loop thread
 * (errors before submission from the requesting thread), never concurrently. Ownership: memory of the calls is
 * released after the last op's final CQE.
 */
public final class LinkedPublisher implements Publisher<Integer> {
    private final LoopPlacement placement;
    private final Supplier<? extends List<? extends OpCall<Integer>>> calls;

    /**
     * The chain {@code calls} supplies, on the ring {@code placement} picks at subscribe time.
     *
     * @param placement where each subscription runs
     * @param calls     fresh calls per subscription, in chain order
     */
    public LinkedPublisher(LoopPlacement placement, Supplier<? extends List<? extends OpCall<Integer>>> calls) {
        this.placement = Objects.requireNonNull(placement, "placement");
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    /**
     * On one ring.
     *
     * @param loop  the ring
     * @param calls fresh calls per subscription, in chain order
     */
    public LinkedPublisher(UringLoop loop, Supplier<? extends List<? extends OpCall<Integer>>> calls) {
        this(LoopPlacement.of(loop), calls);
    }

    @Override
    public void subscribe(Subscriber<? super Integer> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Chain chain = new Chain(placement.pick(), subscriber);
        subscriber.onSubscribe(chain);
        chain.onSubscribeReturned();
    }

    private final class Chain implements Subscription {
        private final UringLoop loop;
        private final Subscriber<? super Integer> actual;
        private final java.util.concurrent.atomic.AtomicLong requested = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicInteger wip = new java.util.concurrent.atomic.AtomicInteger();
        private volatile boolean started;
        /** Set once onSubscribe returned; no signal before. */
        private volatile boolean subscribed;
        private volatile boolean cancelled;
        private volatile Throwable badRequest;
        // Written on the loop thread as CQEs arrive; read in drain() under the wip guard.
        private List<? extends OpCall<Integer>> chain;
        private Link[] links;
        private volatile int completedCount;
        private int emitted;
        private boolean done;

        Chain(UringLoop loop, Subscriber<? super Integer> actual) {
            this.loop = loop;
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            if (cancelled) {
                return; // §3.6: and above all, a chain of writes must not start after cancel
            }
            if (n <= 0) {
                badRequest = new IllegalArgumentException("§3.9: request must be positive, was " + n);
                cancelLinks();
                drain();
                return;
            }
            requested.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            if (!started) {
                synchronized (this) {
                    if (started) {
                        drain();
                        return;
                    }
                    started = true;
                }
                start();
            }
            drain();
        }

        /**
         * Opens the gate for signals (§1.3: none from the loop thread while onSubscribe still runs on the
         * subscribing thread) and delivers what arrived meanwhile. §1.9: after the loop ended, a subscriber that has
         * not requested yet gets its error without a request.
         */
        void onSubscribeReturned() {
            if (loop.isShuttingDown()) {
                boolean fail;
                synchronized (this) {
                    fail = !started; // if requested from onSubscribe, the rejected submission reports the error
                    started = true;
                }
                if (fail) {
                    badRequest = LoopEnd.error("linked chain (not yet requested)", null);
                }
            }
            subscribed = true;
            drain();
        }

        private void start() {
            if (loop.isShuttingDown()) {
                badRequest = LoopEnd.error("linked chain", null); // before the calls allocate anything
                drain();
                return;
            }
            try {
                chain = List.copyOf(Objects.requireNonNull(calls.get(), "calls"));
                if (chain.isEmpty()) {
                    throw new IllegalArgumentException("empty chain");
                }
                links = new Link[chain.size()];
                for (int i = 0; i < links.length; i++) {
                    links[i] = new Link(i, chain.get(i).spec());
                }
                loop.submitLinked(links);
            } catch (Throwable t) {
                badRequest = loop.isShuttingDown() ? LoopEnd.error("linked chain", t) : t;
                links = null;
                releaseAll();
                drain();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            cancelLinks();
        }

        private void cancelLinks() {
            Link[] ls = links;
            if (ls != null) {
                for (Link l : ls) {
                    loop.cancel(l);
                }
            }
        }

        /** Some link was quarantined: the chain's memory is never released. */
        private boolean kernelKeptMemory;

        private final class Link extends UringOperation {
            final int index;
            boolean finished;
            int res;
            int flags;

            Link(int index, OpSpec spec) {
                super(spec);
                this.index = index;
            }

            @Override
            protected void onCompletion(int res, int flags) {
                this.res = res;
                this.flags = flags;
                this.finished = true;
                kernelKeptMemory |= UringOperation.quarantined(flags);
                if (++completedCount == links.length) {
                    releaseAll();
                }
                drain();
            }
        }

        private void releaseAll() {
            // A link the kernel kept at the loop's end (quarantined) may still use any of the chain's memory.
            if (chain != null && !kernelKeptMemory) {
                chain.forEach(OpCall::release);
            }
        }

        /** Emits results in chain order as demand allows; serialised by the wip counter. */
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                if (!done) {
                    step();
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        private void step() {
            if (!subscribed) {
                return; // onSubscribeReturned() drains again
            }
            if (cancelled) {
                done = true;
                return;
            }
            Throwable bad = badRequest;
            Link[] ls = links;
            if (bad != null && (ls == null || completedCount == ls.length)) {
                done = true;
                actual.onError(bad);
                return;
            }
            if (ls == null || bad != null) {
                return;
            }
            long r = requested.get();
            while (emitted < ls.length && ls[emitted].finished) {
                Link l = ls[emitted];
                if (l.res < 0) {
                    if (completedCount < ls.length) {
                        return; // wait for every CQE, so the memory is released before the terminal signal
                    }
                    done = true;
                    actual.onError(error(l));
                    return;
                }
                if (r == 0) {
                    return;
                }
                emitted++;
                r = requested.decrementAndGet();
                actual.onNext(l.res);
            }
            if (emitted == ls.length && completedCount == ls.length) {
                done = true;
                actual.onComplete();
            }
        }

        private Exception error(Link l) {
            String op = l.spec().describe();
            if ((l.flags & UringOperation.FLAG_LOOP_TERMINATED) != 0) {
                return new UringCancelledException(op, "the ring's loop ended before the operation completed");
            }
            if (l.res == -Errno.ECANCELED && l.index > 0 && !cancelled) {
                return new UringLinkBrokenException(op);
            }
            return UringErrors.of(l.res, op);
        }
    }
}
