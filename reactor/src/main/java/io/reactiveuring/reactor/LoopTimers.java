package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The delayed tasks of one {@link UringScheduler} on one ring, and the ring's {@code IORING_OP_TIMEOUT} that wakes
 * them: a heap ordered by deadline (FIFO for equal deadlines) and at most one kernel timer in flight, armed for
 * the earliest deadline. A task with an earlier deadline than the armed one cancels the timer
 * ({@code ASYNC_CANCEL}); its completion re-arms for the new earliest. So any number of pending tasks costs one
 * slot of the ring, and they run on the loop thread with no other thread involved.
 *
 * <p>Both the kernel timer and {@link System#nanoTime()} use {@code CLOCK_MONOTONIC}, and the relative timer starts
 * after the deadline was read, so a task never runs before its deadline. Threading: loop thread only, except
 * {@link #disposedOne()}. When the ring ends, pending tasks are dropped without running.
 */
final class LoopTimers extends UringOperation {
    private static final Comparator<UringTask> BY_DEADLINE = (a, b) -> {
        int c = Long.compare(a.deadlineNanos - b.deadlineNanos, 0); // wrap-safe, as nanoTime values must be
        return c != 0 ? c : Long.compare(a.sequence, b.sequence);
    };
    /** Rebuild the heap without disposed tasks when they are at least this many and half of it. */
    private static final int PURGE_THRESHOLD = 64;

    private final UringLoop loop;
    private final PriorityQueue<UringTask> queue = new PriorityQueue<>(BY_DEADLINE);
    private final ArrayDeque<UringTask> due = new ArrayDeque<>();
    /** Tasks disposed while (probably) queued; an estimate that only triggers purges. */
    private final AtomicInteger disposedEstimate = new AtomicInteger();
    private long sequence;
    private boolean armed;
    private boolean rearming;
    private boolean firing;
    private long armedDeadline;

    LoopTimers(UringLoop loop) {
        this.loop = loop;
    }

    /** Adds a task (loop thread); arms or re-arms the timer if it is now the earliest. */
    void add(UringTask task) {
        task.sequence = sequence++;
        queue.add(task);
        purgeIfMostlyDisposed();
        if (firing) {
            return; // the running fire() re-arms for the earliest when it is done
        }
        if (!armed) {
            arm();
        } else if (task.deadlineNanos - armedDeadline < 0 && !rearming) {
            rearming = true;
            loop.cancel(this);
        }
    }

    /** A queued task was disposed (any thread). */
    void disposedOne() {
        disposedEstimate.incrementAndGet();
    }

    private void purgeIfMostlyDisposed() {
        int disposed = disposedEstimate.get();
        if (disposed >= PURGE_THRESHOLD && disposed * 2 >= queue.size()) {
            disposedEstimate.addAndGet(-disposed);
            queue.removeIf(UringTask::isDisposed);
        }
    }

    private void arm() {
        UringTask head;
        while ((head = queue.peek()) != null && head.isDisposed()) {
            queue.poll();
        }
        if (head == null) {
            return;
        }
        long delay = Math.max(0, head.deadlineNanos - System.nanoTime());
        spec(OpSpec.timeout(Duration.ofNanos(delay), 0));
        armed = true;
        armedDeadline = head.deadlineNanos;
        loop.submit(this);
    }

    /** The timer fired ({@code -ETIME}) or was cancelled for a re-arm: run what is due, arm for the rest. */
    @Override
    protected void onCompletion(int res, int flags) {
        armed = false;
        rearming = false;
        if ((flags & FLAG_LOOP_TERMINATED) != 0) {
            queue.clear(); // the ring has ended: delayed tasks never run
            return;
        }
        runDue();
        arm();
    }

    private void runDue() {
        firing = true;
        try {
            long now = System.nanoTime();
            UringTask t;
            while ((t = queue.peek()) != null && t.deadlineNanos - now <= 0) {
                due.add(queue.poll());
            }
            // Collected first: a periodic task that re-adds itself (period 0 included) waits for the next fire.
            while ((t = due.poll()) != null) {
                t.fire();
            }
        } finally {
            firing = false;
        }
    }

    @Override
    public String describe() {
        return "TIMEOUT (scheduler timers)";
    }
}
