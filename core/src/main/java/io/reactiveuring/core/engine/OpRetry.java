package io.reactiveuring.core.engine;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * The poll-driven retry and the kernel-side timeout of one operation, the library's mirror of the kernel's
 * {@code IORING_FEAT_FAST_POLL} path ({@code io_arm_poll_handler}, then {@code io_async_task_func} on readiness):
 * when the op answers {@code -EAGAIN} on a pollable fd, a readiness {@code POLL_ADD} is armed (mask from the op's
 * direction) and the op is re-issued when it fires, only while the {@link Host} still wants the result, at most
 * {@link PollRetry#MAX_RETRIES} times before one plain kernel-waited attempt; on a regular file the nowait attempt is
 * re-issued once without the flag, never through a poll. With a timeout, every attempt (op or poll) is linked to a
 * {@code LINK_TIMEOUT} for the time left until one absolute deadline.
 *
 * <p>Two forms of the retry: <em>linked</em> (the default without a timeout), the poll and the re-issued op submitted
 * as one {@code IOSQE_IO_LINK} chain, so the kernel runs the op as soon as the poll fires ("poll&lt;link&gt;other_op is
 * fast as well") and the loop sees both CQEs in one turn; and <em>two-step</em> (with a timeout, or when asked
 * for), the poll alone and then the op, re-submitted from the poll's completion. Either way a cancel of the op
 * reaches the poll while it waits (the poll is the op's readiness guard).
 *
 * <p>It owns no {@code Subscription}: a one-shot subscription composes it (made only once a retry or a timeout is
 * needed, so the common path allocates nothing more), and so can a connection's long-lived recv or send. The counters
 * ({@link LoopStats}) and JFR events ({@code io.reactiveuring.PollArm}, {@code PollWake}, {@code OpResubmit}) of the
 * retry are kept here.
 *
 * <p>Threading: loop thread only, except {@link #start}, which may run on the submitting thread before the op was
 * handed over. Ownership: the op, its readiness poll and its timeout belong to the engine while in flight; the host
 * gets exactly one {@link Host#onOutcome} per {@link #start}, after the last of their CQEs.
 */
public final class OpRetry {
    /** The one the retried op's outcome goes to. */
    public interface Host {
        /** @return true while the result is still wanted; false stops every retry (the next CQE is the outcome) */
        boolean wantsResult();

        /**
         * The op's outcome after every retry, on the loop thread: its last attempt's {@code res} and {@code flags},
         * once the op, its poll and its linked timeout have all posted their final CQE.
         *
         * @param res   the result or {@code -errno}
         * @param flags the CQE flags ({@code FLAG_LOOP_TERMINATED} when the loop ended)
         */
        void onOutcome(int res, int flags);
    }

    private final UringLoop loop;
    private final UringOperation op;
    private final Host host;
    private final ReadinessPoll poll = new ReadinessPoll();
    private RetryPlan plan;
    private OpSpec retrySpec;
    private boolean userMode;
    private boolean linkedForm;
    private long deadline;
    private Duration timeout;
    private LinkTimeout linkTimeout;

    // Loop thread only (after start).
    private int retries;
    private boolean fileReissued;
    private boolean exhausted;
    /** A part of this op was quarantined at the loop's end: the outcome carries FLAG_QUARANTINED. */
    private boolean kernelKeptMemory;
    private boolean opPending;
    private int opRes;
    private int opFlags;
    private boolean lastWasPoll;
    /** The attempt in flight (two-step form) is the readiness poll, not the op. */
    private boolean attemptIsPoll;
    private int pollRes;

    /**
     * A retry for {@code op}, which forwards each of its final CQEs to {@link #onOpCompletion}.
     *
     * @param loop the ring
     * @param op   the operation retried (its spec is set by this class)
     * @param host where the outcome goes
     */
    public OpRetry(UringLoop loop, UringOperation op, Host host) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.op = Objects.requireNonNull(op, "op");
        this.host = Objects.requireNonNull(host, "host");
    }

    /**
     * The mode an op runs in: {@code requested}, or the ring's own if null; {@code AUTO} resolves to KERNEL when the
     * ring reports {@code IORING_FEAT_FAST_POLL}, USER otherwise.
     *
     * @param loop      the ring
     * @param requested the op's mode, or null
     * @return KERNEL or USER
     */
    public static PollRetry effectiveMode(UringLoop loop, PollRetry requested) {
        if (requested == null) {
            return loop.defaultPollRetry();
        }
        if (requested == PollRetry.AUTO) {
            RingFeatures f = loop.features();
            return f != null && f.hasFeature(IoUring.IORING_FEAT_FAST_POLL) ? PollRetry.KERNEL : PollRetry.USER;
        }
        return requested;
    }

    /**
     * @param plan the op's retry plan
     * @return true if an {@code -EAGAIN} of a plain (kernel-waited) submission of it can be retried
     */
    public static boolean retriable(RetryPlan plan) {
        return plan.regularFile() ? false : plan.readiness() != 0;
    }

    /**
     * Submits the first attempt: the nowait spec in USER mode, the plain one otherwise, linked to a timeout of
     * {@code timeout} (null for none). Resets the retry state, so a long-lived op can start again after its outcome.
     *
     * @param plan    what to submit and how to retry it
     * @param mode    KERNEL or USER (see {@link #effectiveMode})
     * @param timeout the kernel-side timeout of the whole op, retries included, or null
     * @param linked  true to use the linked form of the retry where it applies (no timeout)
     */
    public void start(RetryPlan plan, PollRetry mode, Duration timeout, boolean linked) {
        this.plan = Objects.requireNonNull(plan, "plan");
        OpSpec nowait = mode == PollRetry.USER ? plan.nowaitSpec() : null;
        userMode = nowait != null;
        retrySpec = userMode ? nowait : plan.spec();
        this.timeout = timeout;
        this.linkedForm = linked && timeout == null;
        retries = 0;
        fileReissued = false;
        exhausted = false;
        if (timeout != null) {
            deadline = System.nanoTime() + timeout.toNanos();
            if (linkTimeout == null) {
                linkTimeout = new LinkTimeout();
            }
        }
        submitOp(retrySpec);
    }

    /**
     * Takes over an op that was submitted plainly (KERNEL mode, no timeout) and answered {@code -EAGAIN}: the
     * retry starts from there. Loop thread.
     *
     * @param plan  what the op is
     * @param res   the attempt's result, {@code -EAGAIN}
     * @param flags its CQE flags
     */
    public void adopt(RetryPlan plan, int res, int flags) {
        this.plan = Objects.requireNonNull(plan, "plan");
        attemptIsPoll = false;
        userMode = false;
        retrySpec = plan.spec();
        linkedForm = true;
        timeout = null;
        opRes = res;
        opFlags = flags;
        lastWasPoll = false;
        decide(res, flags);
    }

    /** @return true if the timeout fired (the outcome's {@code -ECANCELED} is then a timeout) */
    public boolean timedOut() {
        return linkTimeout != null && linkTimeout.fired;
    }

    /** @return true if the outcome is the readiness poll's own failure, not the op's */
    public boolean failedInPoll() {
        return lastWasPoll;
    }

    /** @return readiness polls armed since the last start */
    public int retries() {
        return retries;
    }

    // ------------------------------------------------------------------------------------------- completions

    /**
     * One final CQE of the op, forwarded by the op's {@code onCompletion} (loop thread, or inline on the submitting
     * thread for a submission refused because the loop ended).
     *
     * @param res   the result
     * @param flags the CQE flags
     */
    public void onOpCompletion(int res, int flags) {
        kernelKeptMemory |= UringOperation.quarantined(flags);
        opPending = false;
        opRes = res;
        opFlags = flags;
        if (!poll.pending && (linkTimeout == null || !linkTimeout.pending)) {
            settleOp();
        }
    }

    /** The outcome to the host, marked quarantined if the kernel kept any part of this op (op, poll or timeout). */
    private void outcome(int res, int flags) {
        host.onOutcome(res, kernelKeptMemory ? flags | UringOperation.FLAG_QUARANTINED : flags);
    }

    private void settleOp() {
        if (poll.linked) {
            // Linked form: the poll ran first. A poll that failed (not just cancelled) is the outcome's reason.
            poll.linked = false;
            int pr = pollRes;
            boolean pollFailed = pr < 0 && pr != -Errno.ECANCELED;
            if (pr >= 0) {
                // The kernel re-issued the op itself when the poll fired: the same events as the two-step form.
                loop.stats.pollResubmitted();
                RetryEvents.pollWake(op.describe(), poll.lastUserData(), pr);
                RetryEvents.opResubmit(op.describe(), plan.readiness(), retries);
            }
            if (pollFailed && (opFlags & UringOperation.FLAG_LOOP_TERMINATED) == 0) {
                lastWasPoll = true;
                outcome(pr, opFlags);
                return;
            }
        }
        lastWasPoll = false;
        decide(opRes, opFlags);
    }

    /** The poll (two-step form, or its timeout) is done: re-issue the op on readiness, or end. */
    private void settlePoll(int res, int flags) {
        lastWasPoll = true;
        boolean loopEnded = (flags & UringOperation.FLAG_LOOP_TERMINATED) != 0;
        if (!loopEnded && host.wantsResult() && res >= 0 && !timedOut()) {
            loop.stats.pollResubmitted();
            RetryEvents.pollWake(op.describe(), poll.lastUserData(), res);
            RetryEvents.opResubmit(op.describe(), plan.readiness(), retries);
            lastWasPoll = false;
            resubmit(retrySpec);
            return;
        }
        outcome(res, flags);
    }

    /** The op's attempt is done: retry after {@code -EAGAIN} where possible, else the outcome. */
    private void decide(int res, int flags) {
        boolean loopEnded = (flags & UringOperation.FLAG_LOOP_TERMINATED) != 0;
        if (!loopEnded && res == -Errno.EAGAIN && host.wantsResult() && retryAfterEagain()) {
            return;
        }
        outcome(res, flags);
    }

    /** Chooses the retry for an {@code -EAGAIN}; false if none applies (the error is then the outcome). */
    private boolean retryAfterEagain() {
        if (plan.regularFile()) {
            if (userMode && !fileReissued) {
                // Never poll a regular file: POLL_ADD reports it ready at once, so poll + retry would spin.
                fileReissued = true;
                loop.stats.fileNowaitReissued();
                resubmit(plan.spec());
                return true;
            }
            return false;
        }
        if (plan.readiness() == 0) {
            return false;
        }
        if (retries < PollRetry.MAX_RETRIES) {
            retries++;
            loop.stats.pollArmed();
            RetryEvents.pollArm(op.describe(), op.lastUserData(), plan.pollFd(), plan.readiness(), retries);
            armPoll();
            return true;
        }
        if (!exhausted) {
            // The kernel's own bound (APOLL_MAX_RETRY): one last attempt that the kernel waits for.
            exhausted = true;
            loop.stats.pollRetryExhausted();
            resubmit(plan.spec());
            return true;
        }
        return false;
    }

    private void armPoll() {
        poll.spec(OpSpec.pollAdd(plan.pollFd(), plan.readiness(), false));
        try {
            if (linkedForm) {
                // poll -> op in one chain: the kernel issues the op as soon as the poll fires.
                op.spec(retrySpec);
                poll.pending = true;
                poll.linked = true;
                opPending = true;
                loop.stats.linkedRetry();
                loop.submitLinked(poll, op);
            } else {
                submitAttempt(poll);
                // While it waits, the op's cancel reaches the poll.
                op.guard = poll;
                poll.guarded = op;
            }
        } catch (RuntimeException e) {
            poll.pending = false;
            poll.linked = false;
            opPending = false;
            outcome(-Errno.ECANCELED, UringOperation.FLAG_LOOP_TERMINATED);
        }
    }

    private void resubmit(OpSpec spec) {
        try {
            submitOp(spec);
        } catch (RuntimeException e) {
            outcome(loop.isShuttingDown() ? -Errno.ECANCELED : -Errno.EINVAL,
                    loop.isShuttingDown() ? UringOperation.FLAG_LOOP_TERMINATED : 0);
        }
    }

    private void submitOp(OpSpec spec) {
        op.spec(spec);
        submitAttempt(op);
    }

    /** Submits {@code attempt} (the op or its poll), with a linked timeout for the time left until the deadline. */
    private void submitAttempt(UringOperation attempt) {
        boolean isPoll = attempt == poll;
        attemptIsPoll = isPoll;
        if (linkTimeout == null) {
            setPending(isPoll, true);
            loop.submit(attempt);
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            // The deadline passed between two retries: the kernel never saw this attempt.
            linkTimeout.fired = true;
            lastWasPoll = isPoll;
            outcome(-Errno.ECANCELED, 0);
            return;
        }
        linkTimeout.spec(OpSpec.linkTimeout(Duration.ofNanos(left)));
        linkTimeout.pending = true;
        setPending(isPoll, true);
        try {
            loop.submitLinked(attempt, linkTimeout);
        } catch (RejectedExecutionException | IllegalArgumentException e) {
            linkTimeout.pending = false;
            setPending(isPoll, false);
            throw e;
        }
    }

    private void setPending(boolean isPoll, boolean pending) {
        if (isPoll) {
            poll.pending = pending;
        } else {
            opPending = pending;
        }
    }

    /** The readiness poll, one per retried op, re-armed for each retry. */
    private final class ReadinessPoll extends UringOperation {
        boolean pending;
        /** Submitted linked before the op (the linked form): the op's CQE decides. */
        boolean linked;
        int res;
        int flags;

        @Override
        protected void onCompletion(int res, int flags) {
            kernelKeptMemory |= UringOperation.quarantined(flags);
            pending = false;
            op.guard = null;
            guarded = null;
            if (linked) {
                pollRes = res;
                if (!opPending) {
                    settleOp(); // the op's CQE came first (rare, e.g. both cancelled)
                }
                return;
            }
            this.res = res;
            this.flags = flags;
            if (linkTimeout == null || !linkTimeout.pending) {
                settlePoll(res, flags);
            }
        }

        @Override
        public String describe() {
            return "POLL_ADD (readiness retry of " + op.describe() + ")";
        }
    }

    /** The kernel-side timeout linked after each attempt. */
    private final class LinkTimeout extends UringOperation {
        boolean pending;
        boolean fired;

        @Override
        protected void onCompletion(int res, int flags) {
            kernelKeptMemory |= UringOperation.quarantined(flags);
            pending = false;
            if (res == -Errno.ETIME) {
                fired = true;
            }
            if (poll.pending || opPending) {
                return; // the attempt's own CQE decides, once it is in
            }
            if (attemptIsPoll) {
                settlePoll(poll.res, poll.flags);
            } else {
                settleOp();
            }
        }
    }
}
