package io.reactiveuring.benchmarks;

import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a count of NOP {@link Mono}s on a {@link UringLoop}'s thread the way a Reactor user would write it:
 * {@code Flux.range(0, count).flatMap(i -> nop, depth)} for {@code depth} in flight, or
 * {@code Flux.range(0, count).concatMap(i -> nop)} for one at a time. The flux is subscribed inside a task on the
 * loop thread, so every inner subscription submits directly to the ring (no hand-off) and every completion, and
 * with it the next subscription, happens on the loop thread too; the caller waits once per run.
 *
 * <p>Threading: {@link #runNops} from one thread at a time (not the loop's); the subscriber runs on the loop thread and
 * hands its results back through {@link Waiter}.
 */
final class MonoNopRun implements Runnable {
    private final UringLoop loop;
    private final Flux<Integer> nops;
    private final long count;
    private final Waiter done = new Waiter();
    private Counting subscriber; // created by the caller before the hand-off, used on the loop thread

    /** {@code nop}: one cold Mono, subscribed {@code count} times per run. */
    MonoNopRun(UringLoop loop, Mono<Integer> nop, int count, int depth) {
        this.loop = loop;
        this.count = count;
        this.nops = depth == 1
                ? Flux.range(0, count).concatMap(i -> nop)
                : Flux.range(0, count).flatMap(i -> nop, depth);
    }

    /** Runs the NOPs and returns once the flux completed; throws if it failed or any NOP did not complete with 0. */
    void runNops() {
        subscriber = new Counting();
        done.arm();
        loop.execute(this);
        done.await();
        Counting s = subscriber;
        if (s.error != null) {
            throw new IllegalStateException("the NOP flux failed", s.error);
        }
        if (s.values != count || s.nonZero != 0) {
            throw new IllegalStateException(s.values + " NOPs of " + count + " completed, " + s.nonZero
                    + " of them with a result other than 0");
        }
    }

    /** On the loop thread. */
    @Override
    public void run() {
        nops.subscribe(subscriber);
    }

    /** Requests everything and counts; one per run (a subscriber is not reused across subscriptions). */
    private final class Counting implements CoreSubscriber<Integer> {
        // loop thread only; published to the caller by done.signal()
        long values;
        long nonZero;
        Throwable error;

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Integer res) {
            values++;
            if (res != 0) {
                nonZero++;
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.signal();
        }

        @Override
        public void onComplete() {
            done.signal();
        }
    }
}
