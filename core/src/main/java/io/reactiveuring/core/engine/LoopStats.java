package io.reactiveuring.core.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one loop, in one place: what it submitted and completed, how often it entered the kernel, woke
 * up, flushed an overflowed CQ, cancelled, quarantined or dropped, and the poll-driven retry's events (readiness polls
 * armed, ops re-submitted on readiness, retries exhausted, regular-file nowait attempts re-issued).
 *
 * <p>Threading: written by the loop thread only, read from any thread, both in opaque mode: a reader never sees a torn
 * value and sees each new count eventually (a polling reader is not stuck on a stale copy, as it could be with plain
 * fields), exact once it has awaited a signal the loop thread sent after the update (the signal orders it). Opaque,
 * not release: a release store per counter would also order every other store of the hot path around it for no
 * reader's benefit; an opaque store is a plain store on x86 and aarch64.
 */
public final class LoopStats {
    private static final VarHandle SUBMITTED;
    private static final VarHandle COMPLETIONS;
    private static final VarHandle STALE;
    private static final VarHandle ENTERS;
    private static final VarHandle WAKEUPS;
    private static final VarHandle OVERFLOWS;
    private static final VarHandle CALLBACK_ERRORS;
    private static final VarHandle QUARANTINED;
    private static final VarHandle CANCELS;
    private static final VarHandle IN_FLIGHT;
    private static final VarHandle POLL_ARMED;
    private static final VarHandle POLL_RESUBMITTED;
    private static final VarHandle POLL_EXHAUSTED;
    private static final VarHandle FILE_REISSUED;
    private static final VarHandle LINKED_RETRIES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SUBMITTED = l.findVarHandle(LoopStats.class, "submitted", long.class);
            COMPLETIONS = l.findVarHandle(LoopStats.class, "completions", long.class);
            STALE = l.findVarHandle(LoopStats.class, "stale", long.class);
            ENTERS = l.findVarHandle(LoopStats.class, "enters", long.class);
            WAKEUPS = l.findVarHandle(LoopStats.class, "wakeups", long.class);
            OVERFLOWS = l.findVarHandle(LoopStats.class, "overflows", long.class);
            CALLBACK_ERRORS = l.findVarHandle(LoopStats.class, "callbackErrors", long.class);
            QUARANTINED = l.findVarHandle(LoopStats.class, "quarantined", long.class);
            CANCELS = l.findVarHandle(LoopStats.class, "cancels", long.class);
            IN_FLIGHT = l.findVarHandle(LoopStats.class, "inFlight", int.class);
            POLL_ARMED = l.findVarHandle(LoopStats.class, "pollArmed", long.class);
            POLL_RESUBMITTED = l.findVarHandle(LoopStats.class, "pollResubmitted", long.class);
            POLL_EXHAUSTED = l.findVarHandle(LoopStats.class, "pollExhausted", long.class);
            FILE_REISSUED = l.findVarHandle(LoopStats.class, "fileReissued", long.class);
            LINKED_RETRIES = l.findVarHandle(LoopStats.class, "linkedRetries", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Each written by the loop thread alone: read-increment-release-store, no atomic read-modify-write needed.
    private long submitted;
    private long completions;
    private long stale;
    private long enters;
    private long wakeups;
    private long overflows;
    private long callbackErrors;
    private long quarantined;
    private long cancels;
    private int inFlight;
    private long pollArmed;
    private long pollResubmitted;
    private long pollExhausted;
    private long fileReissued;
    private long linkedRetries;

    LoopStats() {
    }

    // ---- loop thread

    /** {@code userWeight}: 1 for a user operation, 0 for one of the loop's own (not counted). */
    void submitted(int userWeight) {
        SUBMITTED.setOpaque(this, submitted + userWeight);
    }

    void completed() {
        COMPLETIONS.setOpaque(this, completions + 1);
    }

    void staleCompletion() {
        STALE.setOpaque(this, stale + 1);
    }

    void entered() {
        ENTERS.setOpaque(this, enters + 1);
    }

    void wokenUp() {
        WAKEUPS.setOpaque(this, wakeups + 1);
    }

    void overflowFlushed() {
        OVERFLOWS.setOpaque(this, overflows + 1);
    }

    void callbackFailed() {
        CALLBACK_ERRORS.setOpaque(this, callbackErrors + 1);
    }

    void quarantinedOne() {
        QUARANTINED.setOpaque(this, quarantined + 1);
    }

    void cancelIssued() {
        CANCELS.setOpaque(this, cancels + 1);
    }

    void inFlight(int n) {
        IN_FLIGHT.setOpaque(this, n);
    }

    void pollArmed() {
        POLL_ARMED.setOpaque(this, pollArmed + 1);
    }

    void pollResubmitted() {
        POLL_RESUBMITTED.setOpaque(this, pollResubmitted + 1);
    }

    void pollRetryExhausted() {
        POLL_EXHAUSTED.setOpaque(this, pollExhausted + 1);
    }

    void fileNowaitReissued() {
        FILE_REISSUED.setOpaque(this, fileReissued + 1);
    }

    void linkedRetry() {
        LINKED_RETRIES.setOpaque(this, linkedRetries + 1);
    }

    // ---- any thread

    /** @return user operations prepared into SQEs so far (internal ones such as the wake-up read not counted) */
    public long submittedOperations() {
        return (long) SUBMITTED.getOpaque(this);
    }

    /** @return CQEs delivered to an operation */
    public long completions() {
        return (long) COMPLETIONS.getOpaque(this);
    }

    /** @return CQEs whose user_data named a slot generation that was no longer current; must stay 0 */
    public long staleCompletions() {
        return (long) STALE.getOpaque(this);
    }

    /** @return {@code io_uring_enter} calls */
    public long enterCalls() {
        return (long) ENTERS.getOpaque(this);
    }

    /** @return eventfd writes that woke a sleeping loop */
    public long wakeups() {
        return (long) WAKEUPS.getOpaque(this);
    }

    /** @return times the loop flushed an overflowed CQ ({@code IORING_SQ_CQ_OVERFLOW}) or met a backed-up CQ */
    public long overflowFlushes() {
        return (long) OVERFLOWS.getOpaque(this);
    }

    /** @return exceptions thrown by callbacks and routed to the error hook */
    public long callbackErrors() {
        return (long) CALLBACK_ERRORS.getOpaque(this);
    }

    /** @return operations whose memory was never released because the ring ended before their final CQE */
    public long quarantinedOperations() {
        return (long) QUARANTINED.getOpaque(this);
    }

    /** @return ASYNC_CANCELs (or POLL_REMOVEs) submitted on behalf of {@link UringLoop#cancel} */
    public long cancelsIssued() {
        return (long) CANCELS.getOpaque(this);
    }

    /** @return user operations in flight now (internal ones excluded) */
    public int inFlight() {
        return (int) IN_FLIGHT.getOpaque(this);
    }

    /** @return readiness polls armed after an {@code -EAGAIN} */
    public long pollArmedCount() {
        return (long) POLL_ARMED.getOpaque(this);
    }

    /** @return ops re-submitted after their readiness poll fired (two-step or linked) */
    public long pollResubmittedCount() {
        return (long) POLL_RESUBMITTED.getOpaque(this);
    }

    /** @return ops that hit the retry bound and were re-issued as plain kernel-waited ops */
    public long pollRetryExhaustedCount() {
        return (long) POLL_EXHAUSTED.getOpaque(this);
    }

    /** @return regular-file ops re-issued without the nowait flag after {@code -EAGAIN} */
    public long fileNowaitReissuedCount() {
        return (long) FILE_REISSUED.getOpaque(this);
    }

    /** @return retries submitted as one linked poll → op chain (the kernel ran the op as soon as the poll fired) */
    public long linkedRetryCount() {
        return (long) LINKED_RETRIES.getOpaque(this);
    }

    @Override
    public String toString() {
        return "LoopStats[submitted=" + submittedOperations() + ", completions=" + completions() + ", enters="
                + enterCalls() + ", wakeups=" + wakeups() + ", inFlight=" + inFlight() + ", stale="
                + staleCompletions() + ", quarantined=" + quarantinedOperations() + "]";
    }
}
