package io.reactiveuring.rxjava;

import io.reactiveuring.core.engine.LoopTimers;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An RxJava {@link Scheduler} whose tasks run on io_uring loop threads: {@code observeOn}/{@code subscribeOn} onto a
 * ring, or {@code Flowable.timer}/{@code interval}/{@code delay} next to the I/O they time. A task scheduled from a
 * loop thread of this scheduler stays on that ring; others are spread round robin. A {@link Worker} is pinned to one
 * ring, so its tasks run one after another on one thread, immediate ones in the order they were scheduled.
 *
 * <p>Delayed and periodic tasks wait in the ring's own timers (core's {@link LoopTimers}, woken by one
 * {@code IORING_OP_TIMEOUT} however many tasks wait): no timer thread, no hop from one to the loop. A task never runs
 * before its delay; periodic tasks run at a fixed rate (late runs catch up, as with RxJava's own schedulers); a
 * period of zero or less runs the task again as soon as the ring has gone round once; a negative delay counts as 0.
 *
 * <p>Every task goes through {@code RxJavaPlugins.onSchedule} once and gets its own {@link Disposable}: disposing it
 * before it runs means it never runs, and stops a periodic one. Disposal follows RxJava's schedulers: disposing a
 * worker cancels every task it has not run yet, and a task given to a disposed worker, or to this scheduler after
 * {@link #shutdown()}, is not run and gets an already disposed {@code Disposable}; {@link #start()} accepts tasks
 * again (tasks cancelled by the shutdown stay cancelled). Neither ends the rings, which belong to their owner (an
 * {@link RxUring}, or whoever made the loops). Once a ring has ended, a task for it is refused the way RxJava's
 * executor scheduler refuses one: {@code RxJavaPlugins.onError} gets the {@link RejectedExecutionException} and the
 * caller an already disposed {@code Disposable}. A task that throws goes to {@code RxJavaPlugins.onError} (a periodic
 * one then stops); the loop goes on.
 *
 * <p>Threading: every method from any thread; tasks run on loop threads, where they must not block. Ownership: the
 * scheduler owns nothing but its tasks not run yet; a task waiting in a ring's timers is dropped without running when
 * that ring ends. A disposed worker's delayed tasks stay in the ring's timers (cancelled, never run) until their
 * deadline comes.
 */
public final class RxUringScheduler extends Scheduler {
    /** The period of a task that runs once. */
    static final long ONCE = -1;

    private static final VarHandle EPOCH;

    static {
        try {
            EPOCH = MethodHandles.lookup().findVarHandle(RxUringScheduler.class, "epoch", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final UringGroup rings;
    /** Advanced by every {@link #shutdown()}: a task scheduled under an earlier epoch never runs. */
    private volatile int epoch;
    /** Set by {@link #shutdown()} before the epoch moves, cleared by {@link #start()}. */
    private volatile boolean shutDown;

    private RxUringScheduler(UringGroup rings) {
        this.rings = rings;
    }

    /**
     * A scheduler over one ring.
     *
     * @param loop the ring
     * @return the scheduler
     */
    public static RxUringScheduler of(UringLoop loop) {
        return new RxUringScheduler(UringGroup.of(Objects.requireNonNull(loop, "loop")));
    }

    /**
     * A scheduler over every ring of {@code group}.
     *
     * @param group the rings
     * @return the scheduler
     */
    public static RxUringScheduler of(UringGroup group) {
        return new RxUringScheduler(Objects.requireNonNull(group, "group"));
    }

    @Override
    public Worker createWorker() {
        return new LoopWorker(rings.pickIndex());
    }

    @Override
    public Disposable scheduleDirect(Runnable run) {
        return submit(run, rings.pickIndex(), null, 0, ONCE);
    }

    @Override
    public Disposable scheduleDirect(Runnable run, long delay, TimeUnit unit) {
        return submit(run, rings.pickIndex(), null, unit.toNanos(delay), ONCE);
    }

    @Override
    public Disposable schedulePeriodicallyDirect(Runnable run, long initialDelay, long period, TimeUnit unit) {
        return submit(run, rings.pickIndex(), null, unit.toNanos(initialDelay), period(period, unit));
    }

    /** Cancels every task not run yet and refuses new ones (already disposed {@code Disposable}s); the rings go on. */
    @Override
    public void shutdown() {
        shutDown = true;
        EPOCH.getAndAdd(this, 1);
    }

    /** Accepts tasks again after {@link #shutdown()}; no effect otherwise. */
    @Override
    public void start() {
        shutDown = false;
    }

    /**
     * Whether new tasks are refused.
     *
     * @return true between {@link #shutdown()} and {@link #start()}
     */
    public boolean isShutdown() {
        return shutDown;
    }

    @Override
    public String toString() {
        return "RxUringScheduler(" + rings.size() + " ring" + (rings.size() == 1 ? "" : "s") + ")";
    }

    /** True if a task scheduled under {@code taskEpoch} must not run: the scheduler was shut down since. */
    boolean shutDownSince(int taskEpoch) {
        return epoch != taskEpoch;
    }

    private static long period(long period, TimeUnit unit) {
        long nanos = unit.toNanos(period);
        return nanos <= 0 ? 0 : Math.min(nanos, LoopTimers.MAX_DELAY_NANOS);
    }

    /** The one path of every task: refuse, or decorate and hand to the loop of {@code ring}. */
    private Disposable submit(Runnable run, int ring, LoopWorker worker, long delayNanos, long periodNanos) {
        Objects.requireNonNull(run, "run");
        int taskEpoch = epoch; // read before the flag: a shutdown after this read moves the epoch past the task
        if (shutDown || worker != null && worker.disposed) {
            return Disposable.disposed();
        }
        Runnable decorated = RxJavaPlugins.onSchedule(run);
        long delay = Math.min(Math.max(0, delayNanos), LoopTimers.MAX_DELAY_NANOS);
        UringLoop loop = rings.loop(ring);
        LoopTimers timers = delay > 0 || periodNanos != ONCE ? loop.timers() : null;
        RxUringTask task = new RxUringTask(decorated, this, taskEpoch, worker, timers, System.nanoTime() + delay,
                periodNanos);
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            RxErrors.undeliverable(e);
            return Disposable.disposed();
        }
        return task;
    }

    /** A worker: every task on the same ring, hence serial on its loop thread. */
    final class LoopWorker extends Worker {
        private final int ring;
        volatile boolean disposed;

        LoopWorker(int ring) {
            this.ring = ring;
        }

        @Override
        public Disposable schedule(Runnable run) {
            return submit(run, ring, this, 0, ONCE);
        }

        @Override
        public Disposable schedule(Runnable run, long delay, TimeUnit unit) {
            return submit(run, ring, this, unit.toNanos(delay), ONCE);
        }

        @Override
        public Disposable schedulePeriodically(Runnable run, long initialDelay, long period, TimeUnit unit) {
            return submit(run, ring, this, unit.toNanos(initialDelay), period(period, unit));
        }

        /** Cancels this worker's tasks not run yet; later ones are not run. */
        @Override
        public void dispose() {
            disposed = true;
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }

        @Override
        public String toString() {
            return RxUringScheduler.this + ".worker(ring " + ring + ")";
        }
    }
}
