package io.reactiveuring.rxjava;

import io.reactiveuring.core.engine.LoopTimer;
import io.reactiveuring.core.engine.LoopTimers;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.Exceptions;
import io.reactivex.rxjava3.schedulers.SchedulerRunnableIntrospection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One task of an {@link RxUringScheduler}: runs on its ring's loop thread once, after a delay, or periodically at a
 * fixed rate. It is the {@link Runnable} handed to the loop ({@code UringLoop.execute}), the {@link LoopTimer} that
 * waits in the ring's timers, and the {@link Disposable} given to the caller. It does not run (again) once disposed,
 * once its worker was disposed, or once its scheduler was shut down after it was scheduled.
 *
 * <p>Threading: {@link #dispose()} and {@link #isDisposed()} from any thread; everything else on the loop thread.
 * Ownership: held by the loop (then its timers) until it ran or was dropped. A task that throws is reported to
 * {@code RxJavaPlugins.onError} and ends (a periodic one stops); only JVM-fatal errors escape into the loop.
 */
final class RxUringTask extends LoopTimer implements Runnable, Disposable, SchedulerRunnableIntrospection {
    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final int DISPOSED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RxUringTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Runnable action;
    private final RxUringScheduler scheduler;
    private final int schedulerEpoch;
    /** The worker that scheduled it, or null for a direct task. */
    private final RxUringScheduler.LoopWorker worker;
    /** The ring's timers for a delayed or periodic task; null for one that runs as soon as the loop takes it. */
    private final LoopTimers timers;
    /** {@link RxUringScheduler#ONCE}, 0 (again as soon as possible) or the fixed-rate period. */
    private final long periodNanos;
    private volatile int state;

    /** When it runs next ({@code nanoTime}); loop thread after the hand-off. */
    private long nextRun;

    RxUringTask(Runnable action, RxUringScheduler scheduler, int schedulerEpoch, RxUringScheduler.LoopWorker worker,
                LoopTimers timers, long firstRunNanos, long periodNanos) {
        this.action = action;
        this.scheduler = scheduler;
        this.schedulerEpoch = schedulerEpoch;
        this.worker = worker;
        this.timers = timers;
        this.nextRun = firstRunNanos;
        this.periodNanos = periodNanos;
    }

    /** Taken in by the loop thread: run now, or wait in the ring's timers. */
    @Override
    public void run() {
        if (timers == null) {
            fire();
        } else {
            timers.schedule(this, nextRun);
        }
    }

    @Override
    protected void onDeadline() {
        fire();
    }

    private void fire() {
        if (isCancelled()) {
            return;
        }
        try {
            action.run();
        } catch (Throwable t) {
            Exceptions.throwIfFatal(t);
            STATE.compareAndSet(this, PENDING, DONE);
            RxErrors.undeliverable(t);
            return;
        }
        if (periodNanos == RxUringScheduler.ONCE) {
            STATE.compareAndSet(this, PENDING, DONE);
            return;
        }
        nextRun = periodNanos == 0 ? System.nanoTime() : nextRun + periodNanos;
        timers.schedule(this, nextRun); // dropped there if the task was disposed meanwhile
    }

    @Override
    public void dispose() {
        if (STATE.compareAndSet(this, PENDING, DISPOSED)) {
            cancel(); // counted by the ring's timers, which drop it lazily
        }
    }

    /** True once it ran (a one-shot task), failed, or was disposed, itself or through its worker or scheduler. */
    @Override
    public boolean isDisposed() {
        return state != PENDING || worker != null && worker.disposed || scheduler.shutDownSince(schedulerEpoch);
    }

    /** A disposed task never runs (again). */
    @Override
    public boolean isCancelled() {
        return isDisposed();
    }

    @Override
    public Runnable getWrappedRunnable() {
        return action;
    }
}
