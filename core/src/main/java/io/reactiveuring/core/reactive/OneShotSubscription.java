package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.engine.OpRetry;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
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
 * <p>Poll-driven resubscription and kernel-side timeouts are {@link OpRetry}'s, which this subscription composes
 * only when it needs one (USER mode, a timeout, or an {@code -EAGAIN} that can be retried): an {@code -EAGAIN} is
 * never delivered when a retry is possible.
 *
 * <p>Cancellation submits {@code ASYNC_CANCEL} ({@code POLL_REMOVE} while a readiness poll waits); nothing is
 * signalled afterwards; the call's memory is released only after the last CQE (op, poll and linked timeout), and an
 * outcome that arrives anyway, or that was held because {@code onSubscribe} had not returned yet, goes to the
 * publisher's {@link DiscardPolicy} (by default the call's own cleanup). A cancel cannot un-send an op that the kernel
 * has already run: a recv that found data has consumed it, and without a discard hook its buffer is released with the
 * bytes in it; an op cancelled before its batch reached the kernel never runs. When the ring's loop ends, the
 * subscriber gets a {@link UringCancelledException} exactly once.
 *
 * <p>Threading: {@code request} and {@code cancel} may be called from any thread; signals come from the loop
 * thread, except errors raised before anything was submitted (bad request, loop already ended), which come from
 * the requesting thread. Signals are never concurrent. Subclasses (a shell's introspection) add no behaviour: what
 * happens to unreceived outcomes is the {@link DiscardPolicy}'s.
 *
 * @param <T> the emitted value
 */
public class OneShotSubscription<T> extends UringOperation implements Subscription {
    private static final int NEW = 0;
    private static final int ACTIVE = 1;
    private static final int DONE = 2;

    /** Signals go straight to the subscriber (the default). */
    private static final int GATE_OPEN = 0;
    /** The subscriber's onSubscribe is running: a completion's signals wait for it to return. */
    private static final int GATE_HELD = 1;
    /** Held, and the outcome is parked in held*. */
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
    private final DiscardPolicy discard;

    private volatile int state;
    private volatile boolean cancelled;
    /** request(n <= 0) while in flight: the op is cancelled and §3.9's error is delivered at its completion. */
    private volatile boolean badRequest;
    // GATE_OPEN by default: no initializer, since an explicit one is a volatile store (a full fence) per subscription.
    private volatile int gate;
    // The parked outcome; published by the CAS to GATE_PENDING, read after the swap to GATE_OPEN.
    private boolean heldOutcome;
    private int heldRes;
    private int heldFlags;
    private Throwable heldError;

    // Set on the requesting thread before the first submission, then used on the loop thread only.
    private OpCall<T> call;
    private OpRetry retry;
    private boolean released;
    /** The loop ended while the kernel held this op (quarantined): its call's memory is never released. */
    private boolean kernelKeptMemory;

    /**
     * A subscription of {@code actual} to the op {@code calls} supplies, on {@code loop}.
     *
     * @param loop    the ring
     * @param calls   a fresh call per subscription
     * @param options retry mode and timeout
     * @param discard where unreceived outcomes go
     * @param actual  the subscriber
     */
    public OneShotSubscription(UringLoop loop, Supplier<? extends OpCall<T>> calls, OpOptions options,
                               DiscardPolicy discard, Subscriber<? super T> actual) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.options = Objects.requireNonNull(options, "options");
        this.discard = Objects.requireNonNull(discard, "discard");
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
     * Cancels: nothing is signalled afterwards. An op in flight is cancelled in the kernel (its readiness poll while
     * one waits); an outcome that arrives anyway, or that is held because {@code onSubscribe} has not returned yet,
     * goes to the {@link DiscardPolicy} (a value to the discard hook or the call's own cleanup, an fd closed).
     * A cancel cannot un-send an op the kernel has already run: a recv that found data has consumed it, and without
     * a discard hook (e.g. Reactor's {@code doOnDiscard}) its buffer is released with the bytes in it.
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
                discardAndFinish(heldRes, heldFlags);
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

    /** @return true once the subscriber cancelled */
    public final boolean isCancelled() {
        return cancelled;
    }

    /** @return true once a terminal signal was sent or the subscription ended by cancellation */
    public final boolean isTerminated() {
        return state == DONE;
    }

    /** @return true once the op was requested (and so submitted, or queued for submission) */
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
            java.util.function.IntSupplier syscall = call.fallback();
            if (syscall != null && !loop.supports(call.spec().opcode())) {
                // The kernel lacks the op: the plain syscall does the same, on the loop thread, as a CQE would.
                loop.execute(() -> settle(syscall.getAsInt(), 0));
                return;
            }
            Duration timeout = options.linkTimeout();
            PollRetry mode = OpRetry.effectiveMode(loop, options.pollRetry());
            if (timeout != null || mode == PollRetry.USER && call.nowaitSpec() != null) {
                retry = new OpRetry(loop, this, new RetryHost());
                retry.start(call, mode, timeout, options.linkedRetry());
            } else {
                // The common path: one plain submission, no retry state unless an -EAGAIN asks for it.
                spec(Objects.requireNonNull(call.spec(), "spec"));
                loop.submit(this);
            }
        } catch (Throwable t) {
            state = DONE;
            releaseCall();
            // The loop may have ended while the call was being made: that is the cancellation, whatever it broke.
            actual.onError(loop.isShuttingDown() ? LoopEnd.error(describe(), t) : t);
        }
    }

    // ------------------------------------------------------------------------------------------- completions

    @Override
    protected final void onCompletion(int res, int flags) {
        if (UringOperation.quarantined(flags)) {
            kernelKeptMemory = true;
        }
        OpRetry r = retry;
        if (r != null) {
            r.onOpCompletion(res, flags);
            return;
        }
        if (res == -Errno.EAGAIN && (flags & FLAG_LOOP_TERMINATED) == 0 && !cancelled && !badRequest
                && OpRetry.retriable(call)) {
            // A plain (kernel-waited) submission still answered -EAGAIN: retry from here.
            r = retry = new OpRetry(loop, this, new RetryHost());
            r.adopt(call, res, flags);
            return;
        }
        settle(res, flags);
    }

    /** Where {@link OpRetry} sends the outcome, and asks whether retries are still wanted. */
    private final class RetryHost implements OpRetry.Host {
        @Override
        public boolean wantsResult() {
            return !cancelled && !badRequest;
        }

        @Override
        public void onOutcome(int res, int flags) {
            settle(res, flags);
        }
    }

    /** The op's last CQE (op, poll and timeout all in): signal the outcome, or discard it for a cancelled one. */
    private void settle(int res, int flags) {
        if (UringOperation.quarantined(flags)) {
            kernelKeptMemory = true; // a part of the retry (poll, timeout) the kernel kept
        }
        if (cancelled || badRequest) {
            discardAndFinish(res, flags);
            if (badRequest && !cancelled) {
                signalError(new IllegalArgumentException("§3.9: request must be positive"));
            }
            return;
        }
        if ((flags & FLAG_LOOP_TERMINATED) == 0 && call.succeeded(res) && (retry == null || !retry.failedInPoll())) {
            OpSpec more = call.continuation(res);
            if (more != null) {
                continueWith(more);
                return;
            }
        }
        if (gate != GATE_OPEN && parkOutcome(res, flags)) {
            return;
        }
        deliverOutcome(res, flags);
    }

    /** The op goes on (the rest of a short write): its next attempt, with the same retry and timeout settings. */
    private void continueWith(OpSpec next) {
        try {
            if (retry != null) {
                retry.start(call, OpRetry.effectiveMode(loop, options.pollRetry()), options.linkTimeout(),
                        options.linkedRetry());
            } else {
                spec(next);
                loop.submit(this);
            }
        } catch (RuntimeException e) {
            finish();
            signalError(loop.isShuttingDown() ? LoopEnd.error(describe(), e) : e);
        }
    }

    private void discardAndFinish(int res, int flags) {
        try {
            if (retry == null || !retry.failedInPoll()) {
                discard.discardOutcome(actual, call, res, flags);
            }
        } finally {
            finish();
        }
    }

    /** The final outcome of the op, to the subscriber: a value (then complete) or an error; releases the call. */
    private void deliverOutcome(int res, int flags) {
        boolean opOutcome = retry == null || !retry.failedInPoll();
        if (opOutcome && (flags & FLAG_LOOP_TERMINATED) == 0 && call.succeeded(res)) {
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

    private Throwable failure(int res, int flags) {
        String op = describe();
        if ((flags & FLAG_LOOP_TERMINATED) != 0 || (res == -Errno.ECANCELED && loop.isShuttingDown())) {
            // the loop's own cancel-all at shutdown, or the loop ended before the kernel answered
            return new UringCancelledException(op, "the ring's loop ended before the operation completed");
        }
        if (res == -Errno.ECANCELED && retry != null && retry.timedOut()) {
            return new UringTimeoutException(op, options.linkTimeout());
        }
        if (retry != null && retry.failedInPoll()) {
            return UringErrors.of(res, "POLL_ADD (readiness retry of " + op + ")");
        }
        return UringErrors.of(res, op, call.file());
    }

    private void finish() {
        // Release, not volatile: readers of isTerminated() need to see it eventually, not a full fence per op.
        STATE.setRelease(this, DONE);
        releaseCall();
    }

    private void releaseCall() {
        if (!released && call != null) {
            released = true;
            if (!kernelKeptMemory) {
                call.release();
            }
            // else the kernel may still read or write it: the loop ended without its final CQE; leak it.
        }
    }

    @Override
    public String describe() {
        OpCall<T> c = call;
        return c != null ? c.describe() : "op (not yet requested)";
    }
}
