package io.reactiveuring.core.file;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * The subscription of a cold single-value publisher whose work is a short state machine of io_uring ops on one ring
 * (a write continued until every byte is written, an open, a copy): nothing runs before {@code request(n > 0)}, and
 * not before {@code onSubscribe} has returned (so no signal can overlap it, §1.3); then {@link #start()} runs on the
 * loop thread, and the subclass's completions end the task with {@link #complete} or {@link #fail}, exactly once.
 * {@code cancel()} has {@link #onCancel()} run on the loop thread (to cancel what is in flight); the subclass keeps
 * its memory until its ops' final CQEs, and nothing is signalled after a cancel.
 *
 * <p>Threading: {@code request} and {@code cancel} from any thread; {@link #start}, {@link #onCancel} and the
 * subclass's completions on the loop thread, so the subclass's state needs no synchronisation; signals come from the
 * loop thread, except an error raised before anything ran (bad request, the loop already ended), which comes from
 * the requesting thread. Ownership: what the subclass allocates is its own until it releases it.
 *
 * @param <T> the value
 */
abstract class LoopTask<T> implements Subscription {
    private static final int NEW = 0;
    private static final int REQUESTED = 1;
    private static final int STARTED = 2;
    private static final int DONE = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LoopTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final UringLoop loop;
    private final Subscriber<? super T> actual;
    private volatile int state;
    private volatile boolean subscribed;
    private volatile boolean cancelled;
    /** Loop thread (or, before start, the requesting thread): a terminal signal went out or was suppressed. */
    private boolean terminated;

    LoopTask(UringLoop loop, Subscriber<? super T> actual) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.actual = Objects.requireNonNull(actual, "subscriber");
    }

    /** Hands this subscription to the subscriber; call once, from {@code Publisher.subscribe}. */
    final void subscribeActual() {
        actual.onSubscribe(this);
        subscribed = true;
        if (state == REQUESTED) {
            begin();
        }
    }

    @Override
    public final void request(long n) {
        if (n <= 0) {
            if (STATE.compareAndSet(this, NEW, DONE) || STATE.compareAndSet(this, REQUESTED, DONE)) {
                actual.onError(new IllegalArgumentException("§3.9: request must be positive, was " + n));
            }
            return; // once running, a bad request cannot be told apart from the good one before it: ignored
        }
        if (STATE.compareAndSet(this, NEW, REQUESTED) && subscribed) {
            begin();
        }
    }

    @Override
    public final void cancel() {
        cancelled = true;
        if (STATE.compareAndSet(this, NEW, DONE) || STATE.compareAndSet(this, REQUESTED, DONE)) {
            return; // nothing ran
        }
        if (state == STARTED) {
            onLoop(this::cancelOnLoop);
        }
    }

    private void begin() {
        if (!STATE.compareAndSet(this, REQUESTED, STARTED)) {
            return;
        }
        if (loop.isShuttingDown()) {
            signalLoopEnded();
            return;
        }
        if (!onLoop(this::startOnLoop)) {
            signalLoopEnded();
        }
    }

    private void signalLoopEnded() {
        terminated = true;
        state = DONE;
        if (!cancelled) {
            actual.onError(new UringCancelledException(describe(), "the ring's loop has ended"));
        }
    }

    /** Runs {@code r} on the loop thread (now if already there); false if the loop can no longer run it. */
    final boolean onLoop(Runnable r) {
        if (loop.inLoop()) {
            r.run();
            return true;
        }
        try {
            loop.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void startOnLoop() {
        if (cancelled) {
            terminated = true;
            return;
        }
        try {
            start();
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void cancelOnLoop() {
        try {
            onCancel();
        } catch (RuntimeException e) {
            loop.options().errorHook().accept(e);
        }
    }

    /** True once the subscriber cancelled (any thread). */
    final boolean isCancelled() {
        return cancelled;
    }

    /** True once {@link #complete} or {@link #fail} ran (loop thread). */
    final boolean isTerminated() {
        return terminated;
    }

    /** The value, then completion; nothing if cancelled or already ended. Loop thread. */
    final void complete(T value) {
        if (terminated) {
            return;
        }
        terminated = true;
        state = DONE;
        if (!cancelled) {
            actual.onNext(value);
            actual.onComplete();
        }
    }

    /** The error; nothing if cancelled or already ended. Loop thread. */
    final void fail(Throwable error) {
        if (terminated) {
            return;
        }
        terminated = true;
        state = DONE;
        if (!cancelled) {
            actual.onError(error);
        }
    }

    /** The first step, on the loop thread; what it throws becomes the error. */
    abstract void start();

    /** The subscriber cancelled: cancel what is in flight (loop thread). The task ends without a signal. */
    abstract void onCancel();

    /** For messages: what the task does. */
    abstract String describe();
}
