package io.reactiveuring.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.TimeUnit;

/**
 * The floor under {@link MonoNopBenchmark}: Reactor's own cost of {@code flatMap(i -> mono, 32)} and
 * {@code concatMap} with an inner {@code Mono} that is a real subscription ({@code hide()} defeats the scalar fast
 * path) but does no I/O at all. Whatever a ring's Mono costs comes on top of this.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FlatMapFloorBenchmark {
    private static final int N = 1 << 17;
    private final Mono<Integer> zero = Mono.just(0).hide();

    /**
     * CPU time of the benchmark thread per iteration ({@code ringCpuNs}, named as in the ring benchmarks so the run
     * scripts divide it the same way) and the elements counted ({@code ops}): the steadier figure on a shared machine.
     */
    @State(Scope.Thread)
    @org.openjdk.jmh.annotations.AuxCounters(org.openjdk.jmh.annotations.AuxCounters.Type.EVENTS)
    public static class Cpu {
        public long ringCpuNs;
        public long ops;
        private long start;

        @org.openjdk.jmh.annotations.Setup(org.openjdk.jmh.annotations.Level.Iteration)
        public void begin() {
            start = ThreadCpu.nanos(Thread.currentThread());
        }

        @org.openjdk.jmh.annotations.TearDown(org.openjdk.jmh.annotations.Level.Iteration)
        public void end() {
            ringCpuNs += ThreadCpu.nanos(Thread.currentThread()) - start;
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long flatMap32(Cpu cpu) {
        cpu.ops += N;
        return Flux.range(0, N).flatMap(i -> zero, 32).count().block();
    }

    /**
     * The same with an inner that completes later, as a ring's op does: each inner's request parks its subscriber in
     * a queue, and the benchmark thread then completes the queued ones in batches (onNext + onComplete), the way the
     * loop delivers the CQEs it reaped. {@code flatMap} then keeps 32 inners outstanding and goes through its
     * asynchronous path (inner tracker, drain loop, replenishing requests): Reactor's floor under
     * {@code MonoNopBenchmark.batched32}, whose inners are asynchronous too.
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public long flatMap32Async(Cpu cpu) {
        cpu.ops += N;
        Deferred deferred = new Deferred();
        long[] count = {0};
        boolean[] done = {false};
        Flux.range(0, N).flatMap(i -> deferred, 32).subscribe(v -> count[0]++, e -> done[0] = true,
                () -> done[0] = true);
        while (!done[0]) {
            deferred.completeQueued();
        }
        return count[0];
    }

    /** A Mono of 0 whose value comes only when {@link #completeQueued} runs: one queued subscriber per request. */
    static final class Deferred extends Mono<Integer> {
        private final java.util.ArrayDeque<org.reactivestreams.Subscriber<? super Integer>> queued =
                new java.util.ArrayDeque<>(64);

        @Override
        public void subscribe(reactor.core.CoreSubscriber<? super Integer> actual) {
            actual.onSubscribe(new org.reactivestreams.Subscription() {
                private boolean requested;

                @Override
                public void request(long n) {
                    if (!requested) {
                        requested = true;
                        queued.add(actual);
                    }
                }

                @Override
                public void cancel() {
                }
            });
        }

        void completeQueued() {
            for (int n = queued.size(); n > 0; n--) {
                org.reactivestreams.Subscriber<? super Integer> s = queued.poll();
                s.onNext(0);
                s.onComplete();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long concatMap(Cpu cpu) {
        cpu.ops += N;
        return Flux.range(0, N).concatMap(i -> zero).count().block();
    }
}
