package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.UringLoop;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rings a {@link ReactorUring} (and its views) runs on, how work is placed on one of them, and their end.
 * Placement: a caller already on one of the loop threads stays on that ring (its SQE joins the batch of the next
 * {@code io_uring_enter}, no hand-off); any other caller goes round-robin. Safe from any thread.
 */
final class RingSet {
    private final UringLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    RingSet(List<UringLoop> loops) {
        Objects.requireNonNull(loops, "loops");
        if (loops.isEmpty()) {
            throw new IllegalArgumentException("no loops");
        }
        this.loops = loops.stream().map(l -> Objects.requireNonNull(l, "loop")).toArray(UringLoop[]::new);
    }

    int size() {
        return loops.length;
    }

    UringLoop loop(int index) {
        return loops[index];
    }

    List<UringLoop> loops() {
        return List.of(loops);
    }

    /** The index of the loop that new work goes to: the caller's own loop, else the next in turn. */
    int pickIndex() {
        if (loops.length == 1) {
            return 0;
        }
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inLoop()) {
                return i;
            }
        }
        return Math.floorMod(next.getAndIncrement(), loops.length);
    }

    UringLoop pick() {
        return loops[pickIndex()];
    }

    /**
     * The set of just {@code loop}, for an op that only that ring can run (one using its registered buffers).
     *
     * @throws IllegalArgumentException if {@code loop} is not one of these rings
     */
    RingSet pinnedTo(UringLoop loop) {
        Objects.requireNonNull(loop, "loop");
        for (UringLoop l : loops) {
            if (l == loop) {
                return loops.length == 1 ? this : new RingSet(List.of(loop));
            }
        }
        throw new IllegalArgumentException("not one of these rings: " + loop);
    }

    /** Runs {@code action} once every loop has ended: on the thread of the last loop to end, or at once. */
    void whenAllTerminated(Runnable action) {
        Objects.requireNonNull(action, "action");
        AtomicInteger running = new AtomicInteger(loops.length);
        for (UringLoop l : loops) {
            l.addTerminationListener(() -> {
                if (running.decrementAndGet() == 0) {
                    action.run();
                }
            });
        }
    }

    /** Asks every loop to end; returns at once (callable from a loop thread). */
    void dispose() {
        for (UringLoop l : loops) {
            l.dispose();
        }
    }

    /** True once every loop has been asked to end. */
    boolean isDisposed() {
        for (UringLoop l : loops) {
            if (!l.isShuttingDown()) {
                return false;
            }
        }
        return true;
    }

    boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (UringLoop l : loops) {
            if (!l.awaitTermination(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }
}
