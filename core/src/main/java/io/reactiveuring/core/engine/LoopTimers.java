package io.reactiveuring.core.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The timers of one loop ({@link UringLoop#timers()}), woken by the ring's own {@code IORING_OP_TIMEOUT}: a heap of
 * {@link LoopTimer}s ordered by deadline (FIFO for equal deadlines) and at most one kernel timer in flight, armed for
 * the earliest deadline. A timer with an earlier deadline than the armed one cancels the kernel timer
 * ({@code ASYNC_CANCEL}); its completion re-arms for the new earliest. So any number of pending timers costs one slot
 * of the ring, no thread besides the loop's, and no hop between threads.
 *
 * <p>Both the kernel timer and {@link System#nanoTime()} use {@code CLOCK_MONOTONIC}, and the relative kernel
 * timeout starts after the deadline was read, so a timer never runs before its deadline.
 *
 * <p>Threading: loop thread only, except {@link LoopTimer#cancel()}. Ownership: when the ring ends, pending timers
 * are dropped without running.
 */
public final class LoopTimers {
    private static final Comparator<LoopTimer> BY_DEADLINE = (a, b) -> {
        int c = Long.compare(a.deadlineNanos - b.deadlineNanos, 0); // wrap-safe, as nanoTime values must be
        return c != 0 ? c : Long.compare(a.sequence, b.sequence);
    };
    /** Rebuild the heap without cancelled timers when they are at least this many and half of it. */
    private static final int PURGE_THRESHOLD = 64;
    /** Deadlines stay far from overflow: {@code nanoTime() + delay} must compare correctly with wrap-safe math. */
    public static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;

    private final UringLoop loop;
    private final PriorityQueue<LoopTimer> queue = new PriorityQueue<>(BY_DEADLINE);
    private final ArrayDeque<LoopTimer> due = new ArrayDeque<>();
    /** Timers cancelled while (probably) queued; an estimate that only triggers purges. */
    private final AtomicInteger cancelledEstimate = new AtomicInteger();
    private final KernelTimer kernelTimer = new KernelTimer();
    private long sequence;
    private boolean armed;
    private boolean rearming;
    private boolean firing;
    private long armedDeadline;

    LoopTimers(UringLoop loop) {
        this.loop = loop;
    }

    /**
     * Runs {@code timer} on the loop thread once {@code deadlineNanos} ({@link System#nanoTime()} terms) has passed.
     * A timer is in the heap at most once per schedule: schedule it again only after it ran (or from its own
     * {@code onDeadline}). Loop thread only.
     *
     * @param timer         the timer
     * @param deadlineNanos when
     * @throws IllegalStateException if called from another thread
     */
    public void schedule(LoopTimer timer, long deadlineNanos) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("LoopTimers.schedule must run on the ring's loop thread");
        }
        if (timer.isCancelled() || loop.isShuttingDown()) {
            return;
        }
        timer.deadlineNanos = deadlineNanos;
        timer.sequence = sequence++;
        timer.scheduledOn = this;
        queue.add(timer);
        purgeIfMostlyCancelled();
        if (firing) {
            return; // the running fire re-arms for the earliest when it is done
        }
        if (!armed) {
            arm();
        } else if (deadlineNanos - armedDeadline < 0 && !rearming) {
            rearming = true;
            loop.cancel(kernelTimer);
        }
    }

    /**
     * {@link #schedule(LoopTimer, long)} after {@code delay} from now (at most {@link #MAX_DELAY_NANOS}).
     *
     * @param timer the timer
     * @param delay how long from now; negative counts as 0
     */
    public void schedule(LoopTimer timer, Duration delay) {
        long nanos;
        try {
            nanos = Math.min(Math.max(0, delay.toNanos()), MAX_DELAY_NANOS);
        } catch (ArithmeticException e) {
            nanos = MAX_DELAY_NANOS;
        }
        schedule(timer, System.nanoTime() + nanos);
    }

    /** @return timers waiting (cancelled ones not yet dropped included); loop thread only */
    public int pending() {
        return queue.size();
    }

    void cancelledOne() {
        cancelledEstimate.incrementAndGet();
    }

    private void purgeIfMostlyCancelled() {
        int cancelled = cancelledEstimate.get();
        if (cancelled >= PURGE_THRESHOLD && cancelled * 2 >= queue.size()) {
            cancelledEstimate.addAndGet(-cancelled);
            queue.removeIf(LoopTimer::isCancelled);
        }
    }

    private void arm() {
        LoopTimer head;
        while ((head = queue.peek()) != null && head.isCancelled()) {
            queue.poll();
        }
        if (head == null) {
            return;
        }
        long delay = Math.max(0, head.deadlineNanos - System.nanoTime());
        kernelTimer.spec(OpSpec.timeout(Duration.ofNanos(delay), 0));
        armed = true;
        armedDeadline = head.deadlineNanos;
        loop.submit(kernelTimer);
    }

    private void runDue() {
        firing = true;
        try {
            long now = System.nanoTime();
            LoopTimer t;
            while ((t = queue.peek()) != null && t.deadlineNanos - now <= 0) {
                due.add(queue.poll());
            }
            // Collected first: a timer that schedules itself again (delay 0 included) waits for the next fire.
            while ((t = due.poll()) != null) {
                if (!t.isCancelled()) {
                    try {
                        t.onDeadline();
                    } catch (RuntimeException e) {
                        loop.callbackError(e);
                    }
                }
            }
        } finally {
            firing = false;
        }
    }

    /** The one kernel timer: fired ({@code -ETIME}) or cancelled for a re-arm; either way run what is due. */
    private final class KernelTimer extends UringOperation {
        @Override
        protected void onCompletion(int res, int flags) {
            armed = false;
            rearming = false;
            if ((flags & FLAG_LOOP_TERMINATED) != 0) {
                queue.clear(); // the ring has ended: pending timers never run
                return;
            }
            runDue();
            arm();
        }

        @Override
        public String describe() {
            return "TIMEOUT (loop timers)";
        }
    }
}
