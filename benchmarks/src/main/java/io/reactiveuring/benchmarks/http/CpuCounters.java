package io.reactiveuring.benchmarks.http;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The benchmark thread's CPU time and call count per measurement iteration, as JMH secondary results
 * ({@code cpuNs} / {@code calls} = CPU ns per call): steadier than wall time on a machine shared with other work,
 * since it counts only the time the thread ran. Benchmarks add one to each call through {@link #count()}.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuCounters {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds of the benchmark thread in the iteration. */
    public long cpuNs;
    /** Benchmark calls in the iteration. */
    public long calls;
    private long start;

    @Setup(Level.Iteration)
    public void begin() {
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        start = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void end() {
        cpuNs += THREADS.getCurrentThreadCpuTime() - start;
    }

    /** Counts one benchmark call. */
    void count() {
        calls++;
    }
}
