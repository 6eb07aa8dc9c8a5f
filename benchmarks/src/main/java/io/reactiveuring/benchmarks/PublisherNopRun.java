package io.reactiveuring.benchmarks;

import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Runs a count of NOPs through core's {@link io.reactiveuring.core.reactive.OneShotPublisher} with no Reactor at
 * all: {@code depth} minimal subscribers in flight, each of which, at its {@code onComplete}, subscribes a new one
 * (a Reactive Streams subscriber serves one subscription), all on the loop thread. What it costs above
 * {@code EngineNopBenchmark.batched32} (reusable operations, no subscription) is the library's reactive layer alone:
 * the subscription object, its request, its outcome and signals, and the subscriber's own few instructions, without
 * the interplay with an operator that the Mono benchmark's figure includes.
 *
 * <p>Threading: {@link #runNops} from one thread at a time (not the loop's); the subscribers run on the loop thread
 * and hand the result back through {@link Waiter}.
 */
final class PublisherNopRun implements Runnable {
    private final UringLoop loop;
    private final Publisher<Integer> nop;
    private final long count;
    private final int depth;
    private final Waiter done = new Waiter();
    // loop thread only during a run; published to the caller by done.signal()
    private long subscribed;
    private long completed;
    private long nonZero;
    private Throwable error;

    /** {@code nop}: one cold publisher, subscribed {@code count} times per run, {@code depth} at a time. */
    PublisherNopRun(UringLoop loop, Publisher<Integer> nop, int count, int depth) {
        this.loop = loop;
        this.nop = nop;
        this.count = count;
        this.depth = depth;
    }

    /** Runs the NOPs and returns once all completed; throws if any failed or did not complete with 0. */
    void runNops() {
        subscribed = 0;
        completed = 0;
        nonZero = 0;
        error = null;
        done.arm();
        loop.execute(this);
        done.await();
        if (error != null) {
            throw new IllegalStateException("a NOP failed", error);
        }
        if (completed != count || nonZero != 0) {
            throw new IllegalStateException(completed + " NOPs of " + count + " completed, " + nonZero
                    + " of them with a result other than 0");
        }
    }

    /** On the loop thread: the first {@code depth} subscriptions. */
    @Override
    public void run() {
        for (int i = 0; i < depth && subscribed < count; i++) {
            subscribeNext();
        }
    }

    private void subscribeNext() {
        subscribed++;
        nop.subscribe(new One());
    }

    /** One subscription's subscriber: requests its one value, then starts the next subscription. */
    private final class One implements Subscriber<Integer> {
        @Override
        public void onSubscribe(Subscription s) {
            s.request(1);
        }

        @Override
        public void onNext(Integer res) {
            if (res != 0) {
                nonZero++;
            }
        }

        @Override
        public void onError(Throwable t) {
            if (error == null) {
                error = t;
            }
            done.signal();
        }

        @Override
        public void onComplete() {
            completed++;
            if (subscribed < count) {
                subscribeNext();
            } else if (completed == count) {
                done.signal();
            }
        }
    }
}
