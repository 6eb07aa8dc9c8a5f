package io.reactiveuring.benchmarks.buffer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * {@link BufferReleaseBenchmark}'s three measurements on {@link ArenaPoolBaseline}, the allocator as it was before
 * (a shared arena per buffer beyond 4,096 live buffers of a class, and per buffer above 64 KiB). Fewer
 * combinations: the old allocator zeroes every block it creates, so 100,000 live 64 KiB or 128 KiB buffers would
 * fault in 6.5 or 13 GB on a shared machine; {@code sizeAndLive} is {@code size:live}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ArenaPoolBaselineBenchmark {
    static final int BATCH = BufferReleaseBenchmark.BATCH;

    /** The old allocator with {@code live} other buffers of {@code size} bytes. */
    @State(Scope.Thread)
    public static class Pool {
        @Param({"4096:1000", "4096:10000", "4096:100000", "65536:1000", "65536:10000", "131072:1000",
                "131072:10000"})
        public String sizeAndLive;

        int size;
        int live;
        ArenaPoolBaseline allocator;
        ArenaPoolBaseline.Buffer[] others;
        int oldest;

        @Setup(Level.Trial)
        public void allocateTheOthers() {
            String[] parts = sizeAndLive.split(":");
            size = Integer.parseInt(parts[0]);
            live = Integer.parseInt(parts[1]);
            allocator = new ArenaPoolBaseline();
            others = new ArenaPoolBaseline.Buffer[live];
            for (int i = 0; i < live; i++) {
                others[i] = allocator.allocate(size);
            }
        }

        @TearDown(Level.Trial)
        public void releaseAll() {
            for (ArenaPoolBaseline.Buffer b : others) {
                b.release();
            }
            if (allocator.liveBuffers() != 0) {
                throw new IllegalStateException("buffers left live: " + allocator.liveBuffers());
            }
            allocator.close();
        }
    }

    /** The batch that {@code release} releases, refilled before every invocation. */
    @State(Scope.Thread)
    public static class Batch {
        final ArenaPoolBaseline.Buffer[] buffers = new ArenaPoolBaseline.Buffer[BATCH];

        @Setup(Level.Invocation)
        public void allocateBatch(Pool pool) {
            for (int i = 0; i < BATCH; i++) {
                buffers[i] = pool.allocator.allocate(pool.size);
            }
        }
    }

    @Benchmark
    public boolean allocateRelease(Pool pool, Blackhole bh) {
        ArenaPoolBaseline.Buffer b = pool.allocator.allocate(pool.size);
        bh.consume(b); // escapes, as a real buffer does (to an operation): no scalar replacement
        return b.release();
    }

    @Benchmark
    public boolean releaseOldestAllocateNew(Pool pool) {
        int i = pool.oldest;
        boolean released = pool.others[i].release();
        pool.others[i] = pool.allocator.allocate(pool.size);
        pool.oldest = i + 1 == pool.live ? 0 : i + 1;
        return released;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void release(Batch batch) {
        ArenaPoolBaseline.Buffer[] buffers = batch.buffers;
        for (int i = 0; i < BATCH; i++) {
            buffers[i].release();
        }
    }
}
