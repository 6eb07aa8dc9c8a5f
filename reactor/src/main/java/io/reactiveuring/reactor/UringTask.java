package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.LoopTimer;
import io.reactiveuring.core.engine.LoopTimers;

import reactor.core.Disposable;
import reactor.core.Exceptions;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One task of a {@link UringScheduler}: runs on its ring's loop thread, once, after a delay, or periodically
 * (fixed rate). It is itself the {@link Runnable} handed to the loop ({@code UringLoop.execute}) and the
 * {@link Disposable} returned to the caller: disposing it (or its scheduler or worker) before it runs means it
 * never runs; a periodic task stops. {@link #dispose()} and {@link #isDisposed()} are safe from any thread;
 * everything else runs on the loop thread. A task that throws is reported through {@link ErrorReporting} (a
 * periodic one then stops); only JVM-fatal errors escape into the loop.
 */
final class UringTask extends LoopTimer implements Runnable, Disposable {
    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final int DISPOSED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(UringTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Runnable task;
    /** The scheduler or worker that scheduled it: once that is disposed the task does not run. */
    private final Disposable owner;
    /** The loop's timers for a delayed or periodic task; null for one that runs as soon as the loop gets to it. */
    private final LoopTimers timers;
    /** Below 0: runs once; 0: runs again as soon as possible; above 0: the fixed-rate period. */
    private final long periodNanos;
    private volatile int state;

    /** When it first runs ({@code nanoTime}); then advanced by the period. Loop thread after the hand-off. */
    private long nextRun;

    UringTask(Runnable task, Disposable owner, LoopTimers timers, long deadlineNanos, long periodNanos) {
        this.task = task;
        this.owner = owner;
        this.timers = timers;
        this.nextRun = deadlineNanos;
        this.periodNanos = periodNanos;
    }

    /** The hand-off to the loop thread: run now, or wait in the loop's timers for the deadline. */
    @Override
    public void run() {
        if (timers == null) {
            fire();
        } else {
            timers.schedule(this, nextRun);
        }
    }

    /** The deadline passed: run it (loop thread). */
    @Override
    protected void onDeadline() {
        fire();
    }

    /** Runs the task (loop thread); a periodic task is put back into the timers for its next run. */
    void fire() {
        if (isDisposed()) {
            return;
        }
        try {
            task.run();
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            STATE.compareAndSet(this, PENDING, DONE);
            ErrorReporting.taskFailed(t);
            return;
        }
        if (periodNanos < 0) {
            STATE.compareAndSet(this, PENDING, DONE);
            return;
        }
        nextRun = periodNanos == 0 ? System.nanoTime() : nextRun + periodNanos;
        timers.schedule(this, nextRun);
    }

    @Override
    public void dispose() {
        if (STATE.compareAndSet(this, PENDING, DISPOSED)) {
            cancel(); // the loop's timers drop it lazily
        }
    }

    /** True once it ran (a one-shot task), failed, or was disposed, directly or through its owner. */
    @Override
    public boolean isDisposed() {
        return state != PENDING || owner.isDisposed();
    }

    /** A disposed task (or one whose scheduler or worker was disposed) never runs. */
    @Override
    public boolean isCancelled() {
        return isDisposed();
    }
}
