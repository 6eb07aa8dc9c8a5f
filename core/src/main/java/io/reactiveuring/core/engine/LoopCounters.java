package io.reactiveuring.core.engine;

/**
 * Event counters of one loop that layers above the engine update (poll-driven retry): how often a readiness poll
 * was armed, how often an op was re-submitted after one fired, how often the 128-retry bound was reached, and how
 * often a regular-file nowait attempt was re-issued plainly. Written on the loop thread only; other threads read
 * them racily (exact once the loop is quiet, e.g. after awaiting a signal that the loop thread sent).
 */
public final class LoopCounters {
    private long pollArmed;
    private long pollResubmitted;
    private long pollRetryExhausted;
    private long fileNowaitReissued;

    LoopCounters() {
    }

    public void pollArmed() {
        pollArmed++;
    }

    public void pollResubmitted() {
        pollResubmitted++;
    }

    public void pollRetryExhausted() {
        pollRetryExhausted++;
    }

    public void fileNowaitReissued() {
        fileNowaitReissued++;
    }

    /** Readiness polls armed after an {@code -EAGAIN}. */
    public long pollArmedCount() {
        return pollArmed;
    }

    /** Ops re-submitted after their readiness poll fired. */
    public long pollResubmittedCount() {
        return pollResubmitted;
    }

    /** Ops that hit the retry bound and were re-issued as plain kernel-waited ops. */
    public long pollRetryExhaustedCount() {
        return pollRetryExhausted;
    }

    /** Regular-file ops re-issued without the nowait flag after {@code -EAGAIN}. */
    public long fileNowaitReissuedCount() {
        return fileNowaitReissued;
    }
}
