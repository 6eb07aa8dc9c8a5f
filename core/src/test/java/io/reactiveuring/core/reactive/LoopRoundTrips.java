package io.reactiveuring.core.reactive;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Waiting on a loop in round trips (a NOP through it), never in sleeps. */
final class LoopRoundTrips {
    private LoopRoundTrips() {
    }

    /** Waits until {@code loop} has processed everything handed over so far (a NOP's round trip). */
    static void barrier(UringLoop loop) throws InterruptedException {
        TestSubscriber<Integer> nop = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(nop);
        assertTrue(nop.await());
        assertNull(nop.error);
    }

    /**
     * Waits, round trip by round trip, until exactly {@code n} user ops are in the ring: a disarm or an arm takes a
     * round trip or two (cancel, then the target's final CQE).
     */
    static void awaitInFlight(UringLoop loop, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            barrier(loop);
            if (loop.inFlight() == n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("expected " + n + " ops in flight, have " + loop.inFlight());
            }
        }
    }
}
