package io.reactiveuring.benchmarks.buffer;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetection;
import io.reactiveuring.core.buffer.UringBuffer;
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
 * The cost of releasing a buffer (and of allocate + release) while {@code live} other buffers of the same size are
 * live, for the 4 KiB and 64 KiB size classes and for a 128 KiB (unpooled) size: the figures at 1k, 10k and 100k
 * live buffers side by side show whether the cost depends on the number of live buffers. The allocator's sampled
 * leak detection is off here ({@link LeakDetectionBenchmark} measures it), so the figures compare with
 * {@link ArenaPoolBaselineBenchmark}, the allocator this one replaced.
 *
 * <ul>
 * <li>{@code allocateRelease}: allocate one buffer and release it (the freshly released chunk is reused).</li>
 * <li>{@code releaseOldestAllocateNew}: the live buffers form a ring; release the oldest and allocate its
 *     replacement, so every release goes to another chunk, in allocation order (slabs drain one after another).</li>
 * <li>{@code release}: release alone: a batch of {@value #BATCH} buffers allocated before each invocation (untimed)
 *     is released. {@code -prof gc}'s B/op includes that setup's allocations.</li>
 * </ul>
 *
 * <p>The buffers are never written: the pool's slabs are anonymous mappings, so their pages are not faulted in
 * (100,000 live 64 KiB buffers are 6.5 GB of address space, not of memory).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BufferReleaseBenchmark {
    static final int BATCH = 256;

    /** The allocator with {@code live} other buffers of {@code size} bytes. */
    @State(Scope.Thread)
    public static class Pool {
        @Param({"4096", "65536", "131072"})
        public int size;
        @Param({"1000", "10000", "100000"})
        public int live;

        BufferAllocator allocator;
        UringBuffer[] others;
        int oldest;

        @Setup(Level.Trial)
        public void allocateTheOthers() {
            allocator = BufferAllocator.pooled(LeakDetection.Level.DISABLED, 1);
            others = new UringBuffer[live];
            for (int i = 0; i < live; i++) {
                others[i] = allocator.allocate(size);
            }
        }

        @TearDown(Level.Trial)
        public void releaseAll() {
            for (UringBuffer b : others) {
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
        final UringBuffer[] buffers = new UringBuffer[BATCH];

        @Setup(Level.Invocation)
        public void allocateBatch(Pool pool) {
            for (int i = 0; i < BATCH; i++) {
                buffers[i] = pool.allocator.allocate(pool.size);
            }
        }
    }

    @Benchmark
    public boolean allocateRelease(Pool pool, Blackhole bh) {
        UringBuffer b = pool.allocator.allocate(pool.size);
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
        UringBuffer[] buffers = batch.buffers;
        for (int i = 0; i < BATCH; i++) {
            buffers[i].release();
        }
    }
}
