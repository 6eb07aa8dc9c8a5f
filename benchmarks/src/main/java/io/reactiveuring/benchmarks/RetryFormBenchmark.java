package io.reactiveuring.benchmarks;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.FileCalls;
import io.reactiveuring.core.reactive.OneShotPublisher;
import io.reactiveuring.core.reactive.OpOptions;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The two forms of the poll-driven retry, wake to data: a USER-mode read waits on an empty pipe (its first attempt
 * answered {@code -EAGAIN} and armed a readiness poll, outside the measured time); the benchmark thread writes one
 * byte and waits for the read's value. {@code linked=true}: poll and read were submitted as one chain, the kernel
 * re-issues the read as soon as the poll fires; {@code false}: the poll's CQE comes back to the loop, which submits
 * the read again. The primary score is a whole cycle (subscribe, the first attempt's {@code -EAGAIN}, the poll armed,
 * the write, the value); {@code wakeNs / ops} is its write-to-data part, and {@code ringCpuNs / ops} the loop thread's
 * CPU per cycle.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RetryFormBenchmark {

    /** The secondary results: the loop thread's CPU per iteration and the wakes measured. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        public long ringCpuNs;
        public long wakeNs;
        public long ops;
    }

    /** The loop, the pipe, and the read armed before each invocation. */
    @State(Scope.Thread)
    public static class Retry {
        @Param({"true", "false"})
        public boolean linked;

        UringLoop loop;
        BufferAllocator allocator;
        Pipe pipe;
        Arena arena;
        MemorySegment one;
        OneShotPublisher<UringBuffer> read;
        final Waiter got = new Waiter();
        private long armedBefore;

        @Setup(Level.Trial)
        public void start() {
            loop = new UringLoop(LoopOptions.defaults().withThreadName("bench-retry").withPollRetry(PollRetry.USER));
            allocator = BufferAllocator.pooled();
            pipe = Pipe.open();
            arena = Arena.ofShared();
            one = arena.allocate(1);
            read = new OneShotPublisher<>(loop, FileCalls.readStream(pipe.readFd(), 16, allocator,
                    UringBuffer::release), OpOptions.DEFAULT.withLinkedRetry(linked));
        }

        /** Subscribes the read and waits until its readiness poll is armed. */
        void arm() {
            armedBefore = loop.stats().pollArmedCount();
            got.arm();
            read.subscribe(new Subscriber<>() {
                @Override
                public void onSubscribe(Subscription s) {
                    s.request(1);
                }

                @Override
                public void onNext(UringBuffer b) {
                    b.release();
                }

                @Override
                public void onError(Throwable t) {
                    throw new IllegalStateException(t);
                }

                @Override
                public void onComplete() {
                    got.signal();
                }
            });
            long deadline = System.nanoTime() + Nops.HANG_TIMEOUT.toNanos();
            while (loop.stats().pollArmedCount() == armedBefore) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the read never armed its poll");
                }
                Thread.onSpinWait();
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            loop.close();
            pipe.close();
            allocator.close();
            arena.close();
            if (loop.inFlight() != 0 || loop.staleCompletions() != 0) {
                throw new IllegalStateException("the loop lost or misrouted a completion");
            }
        }
    }

    /** One cycle: arm the read, then write and wait for its value; {@code wakeNs / ops} is the write-to-data part. */
    @Benchmark
    public void wakeToData(Retry r, Counters c) {
        long cpuBefore = ThreadCpu.nanos(r.loop.thread());
        r.arm();
        long start = System.nanoTime();
        LibC.write(r.pipe.writeFd(), r.one, 1);
        r.got.await();
        c.wakeNs += System.nanoTime() - start;
        c.ringCpuNs += ThreadCpu.nanos(r.loop.thread()) - cpuBefore;
        c.ops++;
    }
}
