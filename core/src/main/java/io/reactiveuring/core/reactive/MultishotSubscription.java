package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import org.jctools.queues.atomic.SpscUnboundedAtomicArrayQueue;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The subscription of a multishot op publisher, and at the same time the op's {@link UringOperation}: one object
 * per subscription, submitted again for every arm.
 *
 * <p>Demand drives the kernel op: nothing is submitted before the first {@code request(n > 0)}; the op is armed
 * while demand remains and disarmed ({@code POLL_REMOVE} or {@code ASYNC_CANCEL} through {@link UringLoop#cancel})
 * when it runs out. CQEs that arrive meanwhile are queued for the next request, never dropped. A final CQE while
 * demand remains re-arms transparently (for {@code -ENOBUFS} only after the call reports a buffer back); the call
 * decides which result ends the stream ({@link MultishotCall#endOfStream}, {@link MultishotCall#completesOn}), which
 * then completes once the queued items were delivered. See {@link MultishotCall} for the treatment of each final CQE.
 *
 * <p>Cancellation disarms the op; nothing is signalled afterwards; queued items and items that still arrive go to
 * {@link MultishotCall#discard}; the call's memory is released only after the op's final CQE. When the ring's loop
 * ends, the subscriber gets exactly one {@link UringCancelledException}, armed or not (a termination listener
 * reaches a subscription that has nothing in flight), and a subscription made afterwards fails the same way at once
 * (right after {@code onSubscribe}).
 *
 * <p>Threading: {@code request} and {@code cancel} may be called from any thread, also re-entrantly from
 * {@code onNext}. All state changes and signals go through one drain loop serialised by a work-in-progress counter
 * and run on the loop thread (a request from another thread hands the drain over); only once the loop has ended
 * does the drain run on the calling thread. Signals are never concurrent. Demand is a {@code long} that saturates at
 * {@code Long.MAX_VALUE} (unbounded). A subscriber that throws from {@code onNext} is treated as cancelled and its
 * exception goes to the loop's error hook. Nothing is armed or signalled before {@link #start()}, which whoever
 * subscribes (the publisher, or a subclass adding introspection) must call once after {@code onSubscribe} returned.
 *
 * @param <T> the emitted item
 */
public class MultishotSubscription<T> extends UringOperation implements Subscription {
    /** Nothing in the ring. */
    private static final int IDLE = 0;
    /** Submitted; its final CQE has not arrived. */
    private static final int ARMED = 1;
    /** Submitted, and a cancel of it was issued; its final CQE has not arrived. */
    private static final int DISARMING = 2;

    private static final VarHandle REQUESTED;
    private static final VarHandle WIP;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            REQUESTED = l.findVarHandle(MultishotSubscription.class, "requested", long.class);
            WIP = l.findVarHandle(MultishotSubscription.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    protected final UringLoop loop;
    protected final Subscriber<? super T> actual;
    private final Supplier<? extends MultishotCall<T>> calls;
    private final DiscardPolicy discard;
    private final Runnable drainTask = this::drainLoop;
    private final Runnable loopEndedListener = this::onLoopEnded;
    private final Runnable bufferReturned = this::onBufferReturned;
    private final IntConsumer disarmResult = this::onDisarmResult;

    // Inputs from any thread; each is followed by signal().
    private volatile long requested;
    private volatile int wip;
    private volatile boolean cancelled;
    /** §3.9: the first request(n <= 0) becomes the stream's error. */
    private volatile Throwable badRequest;
    private volatile boolean loopEnded;
    /** The last disarm answered -EALREADY: the op is still armed and must be cancelled again. */
    private volatile boolean disarmRefused;
    private volatile boolean bufferBack;
    /** Set by start(), after onSubscribe returned: the drain does nothing before. */
    private volatile boolean started;
    /** Set by the drain once no signal can follow. */
    private volatile boolean finished;

    // Written by onCompletion (loop thread, in CQE order), read by the drain.
    private final SpscUnboundedAtomicArrayQueue<T> queue = new SpscUnboundedAtomicArrayQueue<>(16);
    private volatile boolean endOfStream;
    private volatile Throwable itemFailure;
    private int finalRes;
    private int finalFlags;
    /** Publishes finalRes/finalFlags: the current arm's final CQE arrived and the drain has not absorbed it yet. */
    private volatile boolean finalArrived;

    // Drain only (serialised by wip).
    private MultishotCall<T> call;
    private int armState = IDLE;
    private boolean waitingForBuffer;
    private boolean done;
    private boolean released;
    /** The loop ended while the kernel held an arm (quarantined): the call's memory is never released. */
    private boolean kernelKeptMemory;
    private Throwable callbackFailure;

    /**
     * A subscription of {@code actual} to the multishot op {@code calls} supplies, on {@code loop}.
     *
     * @param loop    the ring
     * @param calls   a fresh call per subscription
     * @param discard where items nobody receives go
     * @param actual  the subscriber
     */
    public MultishotSubscription(UringLoop loop, Supplier<? extends MultishotCall<T>> calls, DiscardPolicy discard,
                                 Subscriber<? super T> actual) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.discard = Objects.requireNonNull(discard, "discard");
        this.actual = Objects.requireNonNull(actual, "subscriber");
    }

    /**
     * Call once after {@code actual.onSubscribe(this)} returned. Until then nothing is armed or signalled, even if
     * {@code onSubscribe} requested (§1.3: no signal from the loop thread while {@code onSubscribe} still runs on
     * the subscribing thread). Also watches the loop's end, so that a subscription with nothing in flight still
     * gets its {@link UringCancelledException}; if the loop has already ended, that error is signalled now.
     */
    public void start() {
        // Added before the drain may run: the drain cannot finish (and remove it) before `started` is set.
        loop.addTerminationListener(loopEndedListener);
        started = true;
        signal();
    }

    // ------------------------------------------------------------------------------------------- Subscription

    @Override
    public void request(long n) {
        if (n <= 0) {
            if (badRequest == null) {
                badRequest = new IllegalArgumentException("§3.9: request must be positive, was " + n);
            }
        } else {
            long r;
            long u;
            do {
                r = requested;
                if (r == Long.MAX_VALUE) {
                    break;
                }
                u = r + n;
                if (u < 0) {
                    u = Long.MAX_VALUE; // §3.17: pending demand saturates
                }
            } while (!REQUESTED.compareAndSet(this, r, u));
        }
        signal();
    }

    @Override
    public void cancel() {
        cancelled = true;
        signal();
    }

    /** True once the subscriber cancelled. */
    public final boolean isCancelled() {
        return cancelled;
    }

    /** True once no further signal can reach the subscriber (terminal signal sent, or cancelled). */
    public final boolean isTerminated() {
        return finished;
    }

    /** Outstanding demand ({@code Long.MAX_VALUE}: unbounded). */
    public final long requestedFromDownstream() {
        return requested;
    }

    /** Items received from the kernel and not yet delivered (approximate from other threads). */
    public final int bufferedItems() {
        return queue.size();
    }

    // ------------------------------------------------------------------------------------------- inputs

    private void onLoopEnded() {
        loopEnded = true;
        signal();
    }

    private void onBufferReturned() {
        bufferBack = true;
        signal();
    }

    private void onDisarmResult(int res) {
        if (res == -Errno.EALREADY) {
            // The op was executing (a poll's task work pending) and stays armed: cancel it again.
            disarmRefused = true;
            signal();
        }
    }

    /** One CQE of the current arm, on the loop thread (or inline on the submitting thread if the loop has ended). */
    @Override
    protected final void onCompletion(int res, int flags) {
        kernelKeptMemory |= UringOperation.quarantined(flags);
        boolean more = hasMore(flags);
        if (res >= 0 && (flags & FLAG_LOOP_TERMINATED) == 0) {
            accept(res, flags);
        } else if (more) {
            itemFailure = UringErrors.of(res, describe()); // the kernel ends a multishot op on errors; be safe
        }
        if (!more) {
            finalRes = res;
            finalFlags = flags;
            finalArrived = true;
        }
        signal();
    }

    private void accept(int res, int flags) {
        MultishotCall<T> c = call;
        try {
            if (endOfStream) {
                T late = c.item(res, flags);
                if (late != null) {
                    discardItem(c, late);
                }
            } else if (c.endOfStream(res, flags)) {
                endOfStream = true;
            } else {
                T item = c.item(res, flags);
                if (item != null) {
                    queue.offer(item);
                }
            }
        } catch (Throwable t) {
            itemFailure = t;
        }
    }

    // ------------------------------------------------------------------------------------------- the drain

    /** Runs the drain, or has the thread that is running it go round once more. */
    private void signal() {
        if ((int) WIP.getAndAdd(this, 1) != 0) {
            return;
        }
        if (loop.inLoop()) {
            drainLoop();
            return;
        }
        try {
            loop.execute(drainTask);
        } catch (RejectedExecutionException e) {
            // The loop has ended (or its hand-off queue is full): nothing runs there any more, drain here.
            drainLoop();
        }
    }

    /** The drain; the caller holds the work-in-progress count. */
    private void drainLoop() {
        Throwable failure = null;
        int missed = 1;
        while (true) {
            drainOnce();
            Throwable t = callbackFailure;
            if (t != null) {
                callbackFailure = null;
                if (failure == null) {
                    failure = t;
                } else if (failure != t) {
                    failure.addSuppressed(t);
                }
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                break;
            }
        }
        if (failure != null) {
            reportCallbackFailure(failure);
        }
    }

    private void drainOnce() {
        if (!started) {
            return; // start() runs the drain again
        }
        boolean finalNow = false;
        boolean ourDisarm = false;
        if (finalArrived) {
            finalArrived = false;
            finalNow = true;
            ourDisarm = armState == DISARMING;
            armState = IDLE;
        }
        if (done) {
            cleanUp();
            return;
        }
        if (cancelled) {
            finish();
            return;
        }
        Throwable bad = badRequest;
        if (bad == null) {
            bad = itemFailure;
        }
        if (bad == null && finalNow) {
            bad = classifyFinal(finalRes, finalFlags, ourDisarm);
        }
        if (bad != null) {
            fail(bad);
            return;
        }
        if (armState == DISARMING && disarmRefused) {
            issueDisarm();
        }
        if (waitingForBuffer && bufferBack) {
            waitingForBuffer = false;
        }

        emit();
        if (cancelled) {
            finish();
            return;
        }

        if (loopEnded && armState == IDLE) {
            fail(loopEndedError()); // also cuts ahead of queued items: their memory may have been the ring's
            return;
        }
        if (endOfStream) {
            if (armState == ARMED) {
                issueDisarm();
            }
            if (armState == IDLE && queue.isEmpty()) {
                complete();
            }
            return;
        }
        if (requested > 0) {
            if (armState == IDLE && !waitingForBuffer) {
                arm();
            }
        } else if (armState == ARMED) {
            issueDisarm(); // zero demand: stop the kernel producing; what still arrives is queued
        }
    }

    /** Delivers queued items as far as demand allows; a re-entrant request is picked up by the next round. */
    private void emit() {
        long r = requested;
        long emitted = 0;
        while (emitted != r && !cancelled) {
            T item = queue.poll();
            if (item == null) {
                break;
            }
            emitted++;
            try {
                actual.onNext(item);
            } catch (Throwable t) {
                // §2.13: a subscriber that throws has broken the contract; treat it as cancelled.
                callbackFailure = t;
                cancelled = true;
            }
        }
        if (emitted != 0 && r != Long.MAX_VALUE) {
            REQUESTED.getAndAdd(this, -emitted);
        }
    }

    /** What a final CQE means: null if the stream goes on (re-armed when demand remains), else its error. */
    private Throwable classifyFinal(int res, int flags, boolean ourDisarm) {
        if ((flags & FLAG_LOOP_TERMINATED) != 0) {
            return loopEndedError();
        }
        if (res >= 0) {
            return null; // its item (if any) was queued on arrival
        }
        if (res == -Errno.ECANCELED) {
            if (ourDisarm) {
                return null;
            }
            return loop.isShuttingDown() ? loopEndedError() : UringErrors.of(res, describe());
        }
        if (res == -Errno.ENOBUFS) {
            waitingForBuffer = true;
            bufferBack = false;
            try {
                if (call.awaitBufferReturn(bufferReturned)) {
                    return null;
                }
            } catch (Throwable t) {
                waitingForBuffer = false;
                return t;
            }
            waitingForBuffer = false;
        }
        try {
            if (call.completesOn(res)) {
                endOfStream = true; // completes once the queued items were delivered
                return null;
            }
        } catch (Throwable t) {
            return t;
        }
        return UringErrors.of(res, describe());
    }

    private void arm() {
        OwnedResource held;
        if (call == null && loop.isShuttingDown()) {
            fail(LoopEnd.error(describe(), null)); // before the call allocates anything
            return;
        }
        try {
            if (call == null) {
                call = Objects.requireNonNull(calls.get(), "MultishotCall");
            }
            spec(Objects.requireNonNull(call.spec(), "spec"));
            held = call.armResource();
        } catch (Throwable t) {
            fail(loop.isShuttingDown() ? LoopEnd.error(describe(), t) : t);
            return;
        }
        attach(held); // the engine releases it after this arm's final CQE
        armState = ARMED;
        disarmRefused = false;
        try {
            // After the loop ended, this completes inline with FLAG_LOOP_TERMINATED: the next round fails the stream.
            loop.submit(this);
        } catch (RuntimeException e) {
            // Refused before it reached the engine: nothing will release what the arm holds but us.
            armState = IDLE;
            attach(null);
            if (held != null) {
                try {
                    held.release();
                } catch (RuntimeException r) {
                    e.addSuppressed(r);
                }
            }
            fail(e);
        }
    }

    private void issueDisarm() {
        armState = DISARMING;
        disarmRefused = false;
        try {
            loop.cancel(this, disarmResult);
        } catch (RejectedExecutionException e) {
            if (!loop.isShuttingDown()) {
                disarmRefused = true; // hand-off queue full: try again at the next round
            }
            // else the loop's shutdown cancels every op and delivers the final CQE
        }
    }

    // ------------------------------------------------------------------------------------------- endings

    private void complete() {
        finish();
        try {
            actual.onComplete();
        } catch (Throwable t) {
            callbackFailure = t;
        }
    }

    private void fail(Throwable error) {
        finish();
        try {
            actual.onError(error);
        } catch (Throwable t) {
            callbackFailure = t;
        }
    }

    /** No signal after this one; the op is disarmed and the call released once its final CQE is in. */
    private void finish() {
        done = true;
        finished = true;
        cleanUp();
    }

    /** An item no subscriber will receive (cancelled, failed, queued at the end): to the discard policy. */
    private void discardItem(MultishotCall<T> call, T item) {
        discard.discardItem(actual, call, item);
    }

    /** Runs on every drain round once done, until the final CQE arrived and the call was released. */
    private void cleanUp() {
        loop.removeTerminationListener(loopEndedListener);
        T item;
        while ((item = queue.poll()) != null) {
            try {
                discardItem(call, item);
            } catch (Throwable t) {
                callbackFailure = t;
            }
        }
        if (armState == ARMED || armState == DISARMING && disarmRefused) {
            issueDisarm();
        }
        if (armState == IDLE && !released) {
            released = true;
            if (call != null && !kernelKeptMemory) {
                try {
                    call.release();
                } catch (Throwable t) {
                    callbackFailure = t;
                }
            }
        }
    }

    private UringCancelledException loopEndedError() {
        return new UringCancelledException(describe(), "the ring's loop ended");
    }

    /**
     * A subscriber or call threw: an Error propagates (on the loop thread it ends the loop, as for any callback);
     * anything else goes straight to the loop's error hook, never into whichever code happened to run the drain.
     */
    private void reportCallbackFailure(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        try {
            loop.options().errorHook().accept(t);
        } catch (Throwable ignored) {
            // the hook itself failed; nothing more to do without risking the caller
        }
    }

    @Override
    public String describe() {
        OpSpec s = spec();
        return s != null ? s.describe() : "multishot op (not yet armed)";
    }
}
