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
 * What the sampled leak detection costs on allocate + release of a 4 KiB buffer: {@code DISABLED} against
 * {@code SIMPLE} at several sampling intervals (a sampled allocation records its stack and registers with a
 * cleaner) and {@code PARANOID} (every allocation does). {@code detection} is {@code LEVEL} or
 * {@code SIMPLE/interval}. A sampled allocation's cost grows with the depth of the allocating stack, so the
 * allocation also runs {@code depth} frames deeper than the benchmark method (0, and 100 frames as in a deep
 * reactive pipeline). The buffer escapes (to a {@link Blackhole}) before its release, as a real one does (to an
 * operation), so that escape analysis cannot remove the allocation at one level and not at another.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LeakDetectionBenchmark {

    /** An allocator at the level under test. */
    @State(Scope.Thread)
    public static class Allocator {
        @Param({"DISABLED", "SIMPLE/128", "SIMPLE/1024", "SIMPLE/4096", "PARANOID"})
        public String detection;
        @Param({"0", "100"})
        public int depth;

        BufferAllocator allocator;

        @Setup(Level.Trial)
        public void create() {
            String[] parts = detection.split("/");
            LeakDetection.Level level = LeakDetection.Level.valueOf(parts[0]);
            int interval = parts.length > 1 ? Integer.parseInt(parts[1]) : LeakDetection.DEFAULT_SAMPLING_INTERVAL;
            allocator = BufferAllocator.pooled(level, interval);
        }

        @TearDown(Level.Trial)
        public void close() {
            allocator.close();
            if (allocator.reportedLeaks() != 0 || allocator.liveBuffers() != 0) {
                throw new IllegalStateException("leaks reported: " + allocator.reportedLeaks());
            }
        }
    }

    @Benchmark
    public boolean allocateRelease(Allocator a, Blackhole bh) {
        return allocateReleaseAt(a.allocator, a.depth, bh);
    }

    private static boolean allocateReleaseAt(BufferAllocator allocator, int depth, Blackhole bh) {
        if (depth > 0) {
            return allocateReleaseAt(allocator, depth - 1, bh);
        }
        UringBuffer b = allocator.allocate(4096);
        bh.consume(b);
        return b.release();
    }
}
