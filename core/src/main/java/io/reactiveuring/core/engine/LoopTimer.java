package io.reactiveuring.core.engine;

/**
 * A task that a loop runs on its own thread once a deadline has passed, through the loop's {@link LoopTimers}: the
 * building block of delayed tasks (a scheduler's), and of idle, read and write timeouts (a connection's). Subclass
 * it and implement {@link #onDeadline()}.
 *
 * <p>Timeouts that move often (an idle timeout pushed back by every read) are cheapest as one timer whose
 * {@code onDeadline} compares the current deadline with the clock and schedules itself again if it has moved, rather
 * than one cancel and one schedule per move.
 *
 * <p>Threading: {@code onDeadline} runs on the loop thread; {@link LoopTimers#schedule} is loop-thread only;
 * {@link #cancel()} may be called from any thread (a cancelled timer never runs; the loop drops it lazily).
 * Ownership: a scheduled timer is held by its loop's timers until it ran, was dropped as cancelled, or the loop
 * ended (then it never runs).
 */
public abstract class LoopTimer {
    private volatile boolean cancelled;

    // Loop thread only: set by LoopTimers.schedule.
    long deadlineNanos;
    long sequence;
    LoopTimers scheduledOn;

    /** For subclasses: a timer not yet scheduled and not cancelled. */
    protected LoopTimer() {
    }

    /** Runs on the loop thread once the deadline has passed (never earlier). */
    protected abstract void onDeadline();

    /**
     * True if this timer must not run any more. By default after {@link #cancel()}; a subclass may add its own
     * conditions (its owner was disposed).
     *
     * @return true if cancelled
     */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Cancels the timer: it never runs (again); safe from any thread, and idempotent. */
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            LoopTimers t = scheduledOn;
            if (t != null) {
                t.cancelledOne();
            }
        }
    }

    /**
     * The deadline it was last scheduled for, in {@link System#nanoTime()} terms. Loop thread only.
     *
     * @return the deadline
     */
    public final long deadlineNanos() {
        return deadlineNanos;
    }
}
