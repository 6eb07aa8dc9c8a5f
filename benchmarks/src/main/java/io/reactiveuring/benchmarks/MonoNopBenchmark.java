package io.reactiveuring.benchmarks;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.ControlCalls;
import io.reactiveuring.core.reactive.OneShotPublisher;
import io.reactiveuring.reactor.ReactorUring;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * NOPs through the Reactor API, as a user would write them: {@code ReactorUring.of(loop).nop()}, a cold
 * {@code Mono<Integer>} subscribed once per NOP (each subscription is its own op with its own SQE), driven from the
 * loop thread (see {@link MonoNopRun}):
 * <ul>
 *   <li>{@link #batched32}: {@code Flux.range(0, n).flatMap(i -> nop, 32)}, 32 in flight;</li>
 *   <li>{@link #chainedSingle}: {@code Flux.range(0, n).concatMap(i -> nop)}, one at a time.</li>
 * </ul>
 * Same sizes, JMH settings and counters as {@link EngineNopBenchmark}, so the two compare directly: what is left
 * is the cost of the Reactive Streams layer (a subscription per op, the operator, the boxed index and result).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MonoNopBenchmark {

    /**
     * One loop for the whole trial, the {@link ReactorUring} over it and the two drivers. Its public fields are JMH
     * secondary results per iteration, as in {@link EngineNopBenchmark.Engine}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Reactor {
        public long ringCpuNs;
        public long callerCpuNs;
        public long ops;

        UringLoop loop;
        ReactorUring uring;
        MonoNopRun batched;
        MonoNopRun chained;
        PublisherNopRun publisher;
        private final CpuMeter cpu = new CpuMeter();

        @Setup(Level.Trial)
        public void startLoop() {
            loop = new UringLoop(LoopOptions.defaults().withThreadName("bench-loop"));
            uring = ReactorUring.of(loop);
            var nop = uring.nop(); // one cold Mono; every subscription is a new op
            batched = new MonoNopRun(loop, nop, Nops.PER_INVOCATION, Nops.BATCH_DEPTH);
            chained = new MonoNopRun(loop, nop, Nops.PER_INVOCATION, 1);
            // the same op as core's publisher, the one the Mono wraps, driven without Reactor
            publisher = new PublisherNopRun(loop, new OneShotPublisher<>(loop, ControlCalls.nop()),
                    Nops.PER_INVOCATION, Nops.BATCH_DEPTH);
        }

        @Setup(Level.Iteration)
        public void startCpu() {
            cpu.begin(loop.thread());
        }

        @TearDown(Level.Iteration)
        public void stopCpu() {
            ringCpuNs += cpu.ringNanos();
            callerCpuNs += cpu.callerNanos();
        }

        @TearDown(Level.Trial)
        public void closeLoop() throws InterruptedException {
            uring.dispose(); // ends the loop it was made over
            if (!uring.awaitTermination(Duration.ofSeconds(10))) {
                throw new IllegalStateException("the loop did not end");
            }
            if (loop.inFlight() != 0 || loop.staleCompletions() != 0 || loop.callbackErrors() != 0) {
                throw new IllegalStateException("engine not clean after the run: " + loop.inFlight()
                        + " in flight, " + loop.staleCompletions() + " stale completions, "
                        + loop.callbackErrors() + " callback errors");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(Nops.PER_INVOCATION)
    public void batched32(Reactor reactor) {
        reactor.batched.runNops();
        reactor.ops += Nops.PER_INVOCATION;
    }

    /**
     * Core's publisher of the same op with no Reactor: 32 minimal subscribers in flight, each completion subscribing
     * the next (see {@link PublisherNopRun}); above the engine's batched figure, the library's reactive layer alone.
     */
    @Benchmark
    @OperationsPerInvocation(Nops.PER_INVOCATION)
    public void publisherBatched32(Reactor reactor) {
        reactor.publisher.runNops();
        reactor.ops += Nops.PER_INVOCATION;
    }

    @Benchmark
    @OperationsPerInvocation(Nops.PER_INVOCATION)
    public void chainedSingle(Reactor reactor) {
        reactor.chained.runNops();
        reactor.ops += Nops.PER_INVOCATION;
    }
}
