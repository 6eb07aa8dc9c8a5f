package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The subscription of a cold one-shot op publisher, and at the same time the op's {@link UringOperation}: one
 * object per subscription. Nothing is submitted before the first {@code request(n > 0)}; then the SQE goes to the
 * ring and its CQE becomes {@code onNext} + {@code onComplete} ({@code res >= 0}) or {@code onError}
 * ({@code res < 0}, a {@link UringException}).
 *
 * <p>Poll-driven resubscription: an {@code -EAGAIN} on a pollable fd arms a readiness {@code POLL_ADD} on the same
 * slot machinery and re-submits the op from the loop thread when it fires, only while not cancelled, at most
 * {@link PollRetry#MAX_RETRIES} times before one plain kernel-waited attempt; regular files are re-issued once
 * without the nowait flag instead. An {@code -EAGAIN} is never delivered when a retry is possible.
 *
 * <p>Cancellation submits {@code ASYNC_CANCEL} ({@code POLL_REMOVE} while a readiness poll is armed); nothing is
 * signalled afterwards; the call's memory is released only after the last CQE (op and linked timeout), and a
 * result that arrives anyway is discarded through {@link #onCompletionAfterCancel} (by default
 * {@link OpCall#discardResult}). When the ring's loop ends, the subscriber gets a {@link UringCancelledException}
 * exactly once.
 *
 * <p>Threading: {@code request} and {@code cancel} may be called from any thread; signals come from the loop
 * thread, except errors raised before anything was submitted (bad request, loop already ended), which come from
 * the requesting thread. Signals are never concurrent.
 *
 * @param <T> the emitted value
 */
public class OneShotSubscription<T> extends UringOperation implements Subscription {
    private static final int NEW = 0;
    private static final int ACTIVE = 1;
    private static final int DONE = 2;
    private static final int PHASE_OP = 0;
    private static final int PHASE_POLL = 1;

    /** Signals go straight to the subscriber (the default, also for subclasses that never hold them). */
    private static final int GATE_OPEN = 0;
    /** The subscriber's onSubscribe is running: a completion's signals wait for it to return. */
    private static final int GATE_HELD = 1;
    /** Held, and the terminal signals are parked in held*. */
    private static final int GATE_PENDING = 2;

    private static final VarHandle STATE;
    private static final VarHandle GATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(OneShotSubscription.class, "state", int.class);
            GATE = MethodHandles.lookup().findVarHandle(OneShotSubscription.class, "gate", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    protected final UringLoop loop;
    protected final Subscriber<? super T> actual;
    private final Supplier<? extends OpCall<T>> calls;
    private final OpOptions options;

    private volatile int state;
    private volatile boolean cancelled;
    /** request(n <= 0) while in flight: the op is cancelled and §3.9's error is delivered at its completion. */
    private volatile boolean badRequest;
    private volatile int gate = GATE_OPEN;
    // Parked signals; published by the CAS to GATE_PENDING, read after the swap to GATE_OPEN.
    private boolean heldOutcome;
    private int heldRes;
    private int heldFlags;
    private Throwable heldError;

    // Set on the requesting thread before the first submission, then used on the loop thread only.
    private OpCall<T> call;
    private OpSpec plainSpec;
    private OpSpec retrySpec;
    private boolean userMode;
    private long deadline;
    private LinkTimeout linkTimeout;

    // Loop thread only.
    private int phase = PHASE_OP;
    private int retries;
    private boolean fileReissued;
    private boolean exhausted;
    private boolean mainPending;
    private int mainRes;
    private int mainFlags;
    private boolean released;

    public OneShotSubscription(UringLoop loop, Supplier<? extends OpCall<T>> calls, OpOptions options,
                               Subscriber<? super T> actual) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.options = Objects.requireNonNull(options, "options");
        this.actual = Objects.requireNonNull(actual, "subscriber");
    }

    // ------------------------------------------------------------------------------------------- Subscription

    @Override
    public void request(long n) {
        if (n <= 0) {
            if (STATE.compareAndSet(this, NEW, DONE)) {
                actual.onError(new IllegalArgumentException("§3.9: request must be positive, was " + n));
            } else if (state == ACTIVE && !badRequest) {
                badRequest = true;
                loop.cancel(this);
            }
            return;
        }
        if (STATE.compareAndSet(this, NEW, ACTIVE)) {
            start();
        }
    }

    /**
     * Cancels: nothing is signalled afterwards. An op in flight is cancelled in the kernel; an outcome that
     * arrives anyway, or that is held because {@code onSubscribe} has not returned yet, goes to the discard path
     * ({@link #onCompletionAfterCancel}: a value to the discard hook or the call's own cleanup, an fd closed).
     * A cancel cannot un-send an op that the kernel has already run: a recv that found data has consumed it, and
     * without a discard hook (e.g. Reactor's {@code doOnDiscard}) its buffer is released with the bytes in it.
     */
    @Override
    public void cancel() {
        cancelled = true;
        if (STATE.compareAndSet(this, NEW, DONE)) {
            return;
        }
        if (state == ACTIVE && gate != GATE_PENDING) {
            loop.cancel(this); // a held outcome needs no kernel cancel: its delivery sees `cancelled`
        }
    }

    /**
     * Optional; call before {@code actual.onSubscribe(this)}: until {@link #onSubscribeReturned()}, a completion
     * that the loop thread delivers waits, so that no signal overlaps a still-running {@code onSubscribe} that
     * requested (§1.3). Without it, signals go out as soon as the CQE is in.
     */
    public final void holdSignals() {
        gate = GATE_HELD;
    }

    /**
     * {@link #holdSignals()} where it is needed: a subscriber on the running loop's own thread cannot see a
     * completion before its {@code onSubscribe} returns (completions are reaped by that same thread later), so the
     * gate, which costs an atomic exchange per subscription, is only set up on other threads or while the loop ends.
     */
    public final void holdSignalsUnlessOnRunningLoop() {
        if (!loop.inLoop() || loop.isShuttingDown()) {
            holdSignals();
        }
    }

    /**
     * Call after {@code onSubscribe} returned: has the loop thread deliver signals held since
     * {@link #holdSignals()}; and if the ring's loop has already ended and nothing was requested yet, signals the
     * {@link UringCancelledException} now (§1.9: a publisher that cannot serve a subscriber says so with
     * {@code onError} after {@code onSubscribe}, without waiting for a request).
     */
    public final void onSubscribeReturned() {
        if (gate != GATE_OPEN && (int) GATE.getAndSet(this, GATE_OPEN) == GATE_PENDING) {
            if (loop.inLoop()) {
                deliverHeld();
            } else {
                try {
                    loop.execute(this::deliverHeld); // completions are delivered on the loop thread
                } catch (RejectedExecutionException loopEnded) {
                    deliverHeld();
                }
            }
        }
        if (loop.isShuttingDown() && STATE.compareAndSet(this, NEW, DONE)) {
            actual.onError(LoopEnd.error("op (not yet requested)", null));
        }
    }

    /**
     * Delivers what was held while {@code onSubscribe} ran, on the loop thread (or the caller's once the loop has
     * ended). A subscriber that cancelled meanwhile gets nothing: a held outcome takes the discard path instead.
     */
    private void deliverHeld() {
        if (heldOutcome) {
            heldOutcome = false;
            if (cancelled) {
                try {
                    onCompletionAfterCancel(call, heldRes, heldFlags);
                } finally {
                    finish();
                }
            } else {
                deliverOutcome(heldRes, heldFlags);
            }
            return;
        }
        Throwable error = heldError;
        heldError = null;
        if (!cancelled) {
            actual.onError(error);
        }
    }

    /** onError now, or once onSubscribe has returned; for errors that own nothing (the call is released). */
    private void signalError(Throwable error) {
        if (gate != GATE_OPEN) {
            heldError = error;
            if (GATE.compareAndSet(this, GATE_HELD, GATE_PENDING)) {
                return;
            }
            heldError = null; // the gate opened meanwhile
        }
        actual.onError(error);
    }

    /**
     * Parks the op's final outcome, still unconverted (the call and its memory kept), until
     * {@link #onSubscribeReturned()}: a cancel that comes before then must turn it into a discard, not a value.
     * False if the gate opened meanwhile (the caller delivers now).
     */
    private boolean parkOutcome(int res, int flags) {
        heldRes = res;
        heldFlags = flags;
        heldOutcome = true;
        if (GATE.compareAndSet(this, GATE_HELD, GATE_PENDING)) {
            return true;
        }
        heldOutcome = false;
        return false;
    }

    /** True once the subscriber cancelled. */
    public final boolean isCancelled() {
        return cancelled;
    }

    /** True once a terminal signal was sent or the subscription ended by cancellation. */
    public final boolean isTerminated() {
        return state == DONE;
    }

    /** True once the op was requested (and so submitted, or queued for submission). */
    public final boolean isRequested() {
        return state != NEW;
    }

    // ------------------------------------------------------------------------------------------- submission

    private void start() {
        if (loop.isShuttingDown()) {
            // Fail fast, before the call allocates anything (its allocator may be closed with the rings).
            state = DONE;
            actual.onError(LoopEnd.error(describe(), null));
            return;
        }
        try {
            call = Objects.requireNonNull(calls.get(), "OpCall");
            plainSpec = Objects.requireNonNull(call.spec(), "spec");
            PollRetry mode = options.pollRetry() != null ? options.pollRetry() : loop.options().pollRetry();
            if (mode == PollRetry.AUTO) {
                boolean fastPoll = loop.features() != null
                        && loop.features().hasFeature(IoUring.IORING_FEAT_FAST_POLL);
                mode = fastPoll ? PollRetry.KERNEL : PollRetry.USER;
            }
            OpSpec nowait = mode == PollRetry.USER ? call.nowaitSpec() : null;
            userMode = nowait != null;
            retrySpec = userMode ? nowait : plainSpec;
            Duration timeout = options.linkTimeout();
            if (timeout != null) {
                deadline = System.nanoTime() + timeout.toNanos();
                linkTimeout = new LinkTimeout();
            }
            submit(retrySpec);
        } catch (Throwable t) {
            state = DONE;
            releaseCall();
            // The loop may have ended while the call was being made: that is the cancellation, whatever it broke.
            actual.onError(loop.isShuttingDown() ? LoopEnd.error(describe(), t) : t);
        }
    }

    /** Submits {@code spec} as this op, with a linked timeout for the time left until the deadline. */
    private void submit(OpSpec spec) {
        spec(spec);
        mainPending = true;
        if (linkTimeout == null) {
            loop.submit(this);
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            // The deadline passed between two retries: the kernel never saw this attempt.
            mainPending = false;
            mainRes = -Errno.ECANCELED;
            linkTimeout.fired = true;
            settle();
            return;
        }
        linkTimeout.spec(OpSpec.linkTimeout(Duration.ofNanos(left)));
        linkTimeout.pending = true;
        try {
            loop.submitLinked(this, linkTimeout);
        } catch (RejectedExecutionException | IllegalArgumentException e) {
            linkTimeout.pending = false;
            mainPending = false;
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------- completions

    @Override
    protected final void onCompletion(int res, int flags) {
        mainPending = false;
        mainRes = res;
        mainFlags = flags;
        if (linkTimeout == null || !linkTimeout.pending) {
            settle();
        }
    }

    /** The kernel-side timeout linked after each attempt. */
    private final class LinkTimeout extends UringOperation {
        boolean pending;
        boolean fired;

        @Override
        protected void onCompletion(int res, int flags) {
            pending = false;
            if (res == -Errno.ETIME) {
                fired = true;
            }
            if (!mainPending) {
                settle();
            }
        }
    }

    /** Both the op and its linked timeout (if any) have posted their final CQE: decide what happens next. */
    private void settle() {
        int res = mainRes;
        int flags = mainFlags;
        boolean loopEnded = (flags & FLAG_LOOP_TERMINATED) != 0;
        if (cancelled || badRequest) {
            try {
                if (phase == PHASE_OP) {
                    onCompletionAfterCancel(call, res, flags);
                }
            } finally {
                finish();
            }
            if (badRequest && !cancelled) {
                signalError(new IllegalArgumentException("§3.9: request must be positive"));
            }
            return;
        }
        if (!loopEnded && phase == PHASE_POLL) {
            if (res >= 0 && !timedOut()) {
                // Readiness (or an error condition the op itself will report): re-issue the op.
                loop.counters().pollResubmitted();
                RetryEvents.pollWake(describe(), lastUserData(), res);
                RetryEvents.opResubmit(describe(), call.readiness(), retries);
                phase = PHASE_OP;
                resubmit(retrySpec);
                return;
            }
        } else if (!loopEnded && res == -Errno.EAGAIN && retryAfterEagain()) {
            return;
        }
        if (gate != GATE_OPEN && parkOutcome(res, flags)) {
            return;
        }
        deliverOutcome(res, flags);
    }

    /** The final outcome of the op, to the subscriber: a value (then complete) or an error; releases the call. */
    private void deliverOutcome(int res, int flags) {
        if (phase == PHASE_OP && (flags & FLAG_LOOP_TERMINATED) == 0 && call.succeeded(res)) {
            T value;
            try {
                value = call.result(res, flags);
            } catch (Throwable t) {
                finish();
                actual.onError(t);
                return;
            }
            finish();
            actual.onNext(value);
            actual.onComplete();
            return;
        }
        finish();
        actual.onError(failure(res, flags));
    }

    /** Chooses the retry for an {@code -EAGAIN}; false if none applies (the error is then delivered). */
    private boolean retryAfterEagain() {
        if (call.regularFile()) {
            if (userMode && !fileReissued) {
                // Never poll a regular file: POLL_ADD reports it ready at once, so poll + retry would spin.
                fileReissued = true;
                loop.counters().fileNowaitReissued();
                resubmit(plainSpec);
                return true;
            }
            return false;
        }
        if (call.readiness() == 0) {
            return false;
        }
        if (retries < PollRetry.MAX_RETRIES) {
            retries++;
            loop.counters().pollArmed();
            RetryEvents.pollArm(describe(), lastUserData(), call.pollFd(), call.readiness(), retries);
            phase = PHASE_POLL;
            resubmit(OpSpec.pollAdd(call.pollFd(), call.readiness(), false));
            return true;
        }
        if (!exhausted) {
            // The kernel's own bound (APOLL_MAX_RETRY): one last attempt that the kernel waits for.
            exhausted = true;
            loop.counters().pollRetryExhausted();
            resubmit(plainSpec);
            return true;
        }
        return false;
    }

    private void resubmit(OpSpec spec) {
        try {
            submit(spec);
        } catch (RuntimeException e) {
            finish();
            signalError(e);
        }
    }

    /**
     * The op's final outcome when nobody will receive it any more (the subscriber cancelled, or requested
     * {@code n <= 0}, while it was in flight), on the loop thread, after the last CQE and before the call's memory
     * is released. By default a successful result goes to {@link OpCall#discardResult} and an error is ignored
     * (typically the {@code -ECANCELED} that the cancellation itself caused). Layers above override it to route
     * both to their own hooks, e.g. Reactor's discard and dropped-error hooks with the subscriber's context.
     */
    protected void onCompletionAfterCancel(OpCall<T> call, int res, int flags) {
        if (call.succeeded(res)) {
            call.discardResult(res, flags);
        }
    }

    private boolean timedOut() {
        return linkTimeout != null && linkTimeout.fired;
    }

    private Throwable failure(int res, int flags) {
        String op = plainSpec.describe();
        if ((flags & FLAG_LOOP_TERMINATED) != 0 || (res == -Errno.ECANCELED && loop.isShuttingDown())) {
            // the loop's own cancel-all at shutdown, or the loop ended before the kernel answered
            return new UringCancelledException(op, "the ring's loop ended before the operation completed");
        }
        if (res == -Errno.ECANCELED && timedOut()) {
            return new UringTimeoutException(op, options.linkTimeout());
        }
        if (phase == PHASE_POLL) {
            return UringException.of(res, "POLL_ADD (readiness retry of " + op + ")");
        }
        return UringException.of(res, op);
    }

    private void finish() {
        state = DONE;
        releaseCall();
    }

    private void releaseCall() {
        if (!released && call != null) {
            released = true;
            call.release();
        }
    }

    @Override
    public String describe() {
        return plainSpec != null ? plainSpec.describe() : "op (not yet requested)";
    }
}
