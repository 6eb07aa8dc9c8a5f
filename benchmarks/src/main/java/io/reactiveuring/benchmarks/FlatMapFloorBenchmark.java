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

    @Benchmark
    @OperationsPerInvocation(N)
    public long flatMap32() {
        return Flux.range(0, N).flatMap(i -> zero, 32).count().block();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long concatMap() {
        return Flux.range(0, N).concatMap(i -> zero).count().block();
    }
}
