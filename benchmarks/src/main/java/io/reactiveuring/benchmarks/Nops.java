package io.reactiveuring.benchmarks;

import java.time.Duration;

/** Sizes shared by the NOP benchmarks, so the engine, the bare FFM loop and the C peer do the same work. */
final class Nops {
    private Nops() {
    }

    /**
     * NOPs per benchmark invocation in the batched and chained benchmarks: large, so the one hand-off to the loop
     * thread per invocation (an eventfd write and a wake-up, a few microseconds) costs well under 0.1 ns per op.
     */
    static final int PER_INVOCATION = 1 << 17;

    /** NOPs in flight in the batched benchmarks, as in the C peer's batched mode. */
    static final int BATCH_DEPTH = 32;

    /** SQ size of every ring in these benchmarks, as in the C peer. */
    static final int SQ_ENTRIES = 256;

    /** A benchmark that waits longer than this for its NOPs reports a hang instead of blocking the run. */
    static final Duration HANG_TIMEOUT = Duration.ofSeconds(30);
}
