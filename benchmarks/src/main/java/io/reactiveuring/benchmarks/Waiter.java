package io.reactiveuring.benchmarks;

import java.util.concurrent.locks.LockSupport;

/**
 * A reusable one-shot signal from the loop thread to one waiting thread: park/unpark, so neither side allocates
 * (a CountDownLatch or future per round would). {@link #arm()} and {@link #await()} belong to the waiting thread,
 * {@link #signal()} to the loop thread.
 */
final class Waiter {
    private volatile Thread waiter;
    private volatile boolean signalled;

    /** Prepares for the next round; call before handing the work to the loop. */
    void arm() {
        waiter = Thread.currentThread();
        signalled = false;
    }

    void signal() {
        signalled = true; // volatile write: the waiter sees everything the loop wrote before it
        LockSupport.unpark(waiter);
    }

    /** Parks until {@link #signal()}; a hang (an engine bug) fails the benchmark instead of blocking the run. */
    void await() {
        long deadline = System.nanoTime() + Nops.HANG_TIMEOUT.toNanos();
        while (!signalled) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("no completion within " + Nops.HANG_TIMEOUT);
            }
            LockSupport.parkNanos(this, left);
        }
    }
}
