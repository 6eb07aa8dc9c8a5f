package io.reactiveuring.benchmarks;

/**
 * Measures CPU time over one measurement iteration: of the thread that owns the ring and does the io_uring work
 * (the engine's loop thread, or in the bare FFM benchmark the benchmark thread itself), and of the calling
 * benchmark thread. The benchmarks' {@code @AuxCounters} states call {@link #begin} in their per-iteration setup and
 * read the deltas in their per-iteration teardown, both on the benchmark thread.
 */
final class CpuMeter {
    private Thread ringOwner;
    private long ringStart;
    private long callerStart;

    void begin(Thread ringOwner) {
        this.ringOwner = ringOwner;
        ringStart = ThreadCpu.nanos(ringOwner);
        callerStart = ThreadCpu.nanos(Thread.currentThread());
    }

    /** CPU nanoseconds of the ring's owner since {@link #begin}. */
    long ringNanos() {
        return ThreadCpu.nanos(ringOwner) - ringStart;
    }

    /** CPU nanoseconds of the calling (benchmark) thread since {@link #begin}. */
    long callerNanos() {
        return ThreadCpu.nanos(Thread.currentThread()) - callerStart;
    }
}
