package io.reactiveuring.benchmarks;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.ring.CompletionQueue;
import io.reactiveuring.core.ring.Ring;
import io.reactiveuring.core.ring.SubmissionQueue;
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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.IoUring.IORING_ENTER_GETEVENTS;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_NOP;

/**
 * The floor under {@link EngineNopBenchmark}: the same NOPs with no engine. The benchmark thread owns a
 * {@link Ring}, writes SQEs through {@link SubmissionQueue}, enters through {@link LibC} (the same non-waiting
 * critical downcall the engine uses when it has work) and reaps through {@link CompletionQueue}; the loop is the C
 * peer's ({@code native/nop_bench.c}): refill as many SQEs as were reaped, one enter per batch, one CQ head store
 * per batch. No slots, no callbacks, no hand-off.
 *
 * <p>{@code IORING_SETUP_SINGLE_ISSUER}: the ring is created in a {@link Scope#Thread} trial setup, which JMH runs
 * on the same worker thread as the benchmark method, so the creator is the thread that enters it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BareFfmNopBenchmark {

    /**
     * The ring, owned by the benchmark thread. Its public fields are JMH secondary results per iteration, as in
     * {@link EngineNopBenchmark.Engine}: here {@code ringCpuNs} and {@code callerCpuNs} measure the same thread.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class OwnedRing {
        public long ringCpuNs;
        public long callerCpuNs;
        public long ops;

        private Ring ring;
        private SubmissionQueue sq;
        private CompletionQueue cq;
        private MemorySegment errnoCapture;
        private final CpuMeter cpu = new CpuMeter();

        @Setup(Level.Trial)
        public void createRing() {
            ring = Ring.create(Nops.SQ_ENTRIES, 2 * Nops.SQ_ENTRIES, 0);
            sq = ring.sq();
            cq = ring.cq();
            errnoCapture = LibC.errnoCapture();
        }

        @Setup(Level.Iteration)
        public void startCpu() {
            cpu.begin(Thread.currentThread());
        }

        @TearDown(Level.Iteration)
        public void stopCpu() {
            ringCpuNs += cpu.ringNanos();
            callerCpuNs += cpu.callerNanos();
        }

        @TearDown(Level.Trial)
        public void closeRing() {
            ring.close();
        }

        /** {@code count} NOPs with up to {@code depth} in flight; returns when all completed. */
        void runNops(int count, int depth) {
            int issued = 0;
            int completed = 0;
            int failures = 0;
            while (issued < depth && issued < count) {
                queueNop(issued++);
            }
            while (completed < count) {
                enter();
                int head = cq.head();
                int tail = cq.acquireTail();
                for (int i = head; i != tail; i++) {
                    if (cq.res(i) != 0) {
                        failures++;
                    }
                }
                cq.releaseHead(tail);
                int reaped = tail - head;
                completed += reaped;
                for (int i = 0; i < reaped && issued < count; i++) {
                    queueNop(issued++);
                }
            }
            if (failures != 0) {
                throw new IllegalStateException(failures + " NOPs completed with an error");
            }
        }

        private void queueNop(int userData) {
            long sqe = sq.claim();
            if (sqe < 0) {
                throw new IllegalStateException("SQ full: depth exceeds the SQ size");
            }
            sq.setOpcode(sqe, IORING_OP_NOP);
            sq.setUserData(sqe, userData);
        }

        /**
         * Submits what is queued with GETEVENTS: NOPs complete inline, and under DEFER_TASKRUN their CQEs are
         * posted before the call returns, so no waiting enter is needed (a loop that found nothing enters again).
         */
        private void enter() {
            sq.publish();
            int r = LibC.ioUringEnterNoWait(errnoCapture, ring.fd(), sq.unsubmitted(), IORING_ENTER_GETEVENTS);
            if (r >= 0) {
                sq.submitted(r);
            } else if (r != -Errno.EINTR) {
                throw new IllegalStateException("io_uring_enter failed: " + Errno.name(-r));
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(Nops.PER_INVOCATION)
    public void batched32(OwnedRing ring) {
        ring.runNops(Nops.PER_INVOCATION, Nops.BATCH_DEPTH);
        ring.ops += Nops.PER_INVOCATION;
    }

    @Benchmark
    @OperationsPerInvocation(Nops.PER_INVOCATION)
    public void single(OwnedRing ring) {
        ring.runNops(Nops.PER_INVOCATION, 1);
        ring.ops += Nops.PER_INVOCATION;
    }
}
