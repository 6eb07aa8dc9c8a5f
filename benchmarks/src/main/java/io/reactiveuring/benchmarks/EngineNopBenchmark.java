package io.reactiveuring.benchmarks;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
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

import java.util.concurrent.TimeUnit;

/**
 * NOPs through the engine's callback API ({@link UringLoop} + {@code UringOperation} + {@code OpSpec.nop()}):
 * <ul>
 *   <li>{@link #batched32}: 32 in flight, each completion resubmits its operation, all on the loop thread;</li>
 *   <li>{@link #chainedSingle}: one at a time on the loop thread, each completion submits the next;</li>
 *   <li>{@link #crossThreadRoundTrip}: the benchmark thread submits one NOP and waits for its completion.</li>
 * </ul>
 * The first two run {@link Nops#PER_INVOCATION} NOPs per invocation, so the hand-off to the loop thread is
 * amortised; time is per NOP. The {@link Engine} state also reports CPU time per iteration (see its counters).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EngineNopBenchmark {

    /**
     * One loop for the whole trial and the reusable drivers on it. Its public fields are JMH secondary results
     * per iteration: {@code ringCpuNs} (CPU of the loop thread), {@code callerCpuNs} (CPU of the benchmark
     * thread) and {@code ops} (NOPs completed); divide to get CPU ns per op.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Engine {
        public long ringCpuNs;
        public long callerCpuNs;
        public long ops;

        UringLoop loop;
        EngineNopRun batched;
        EngineNopRun chained;
        RoundTripNop roundTrip;
        private final CpuMeter cpu = new CpuMeter();

        @Setup(Level.Trial)
        public void startLoop() {
            loop = new UringLoop(LoopOptions.defaults().withThreadName("bench-loop"));
            batched = new EngineNopRun(loop, Nops.BATCH_DEPTH);
            chained = new EngineNopRun(loop, 1);
            roundTrip = new RoundTripNop(loop);
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
        public void closeLoop() {
            loop.close();
            // An engine that lost or misrouted a completion must not produce a number.
            if (loop.inFlight() != 0 || loop.staleCompletions() != 0 || loop.callbackErrors() != 0) {
                throw new IllegalStateException("engine not clean after the run: " + loop.inFlight()
                        + " in flight, " + loop.staleCompletions() + " stale completions, "
                        + loop.callbackErrors() + " callback errors");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(Nops.PER_INVOCATION)
    public void batched32(Engine engine) {
        engine.batched.run(Nops.PER_INVOCATION);
        engine.ops += Nops.PER_INVOCATION;
    }

    @Benchmark
    @OperationsPerInvocation(Nops.PER_INVOCATION)
    public void chainedSingle(Engine engine) {
        engine.chained.run(Nops.PER_INVOCATION);
        engine.ops += Nops.PER_INVOCATION;
    }

    @Benchmark
    public int crossThreadRoundTrip(Engine engine) {
        engine.ops++;
        return engine.roundTrip.roundTrip();
    }
}
