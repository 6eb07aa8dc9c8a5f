package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.LoopTimers;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A Reactor {@link Scheduler} whose tasks run on io_uring loop threads: {@code publishOn}/{@code subscribeOn} onto a
 * ring, or timers next to the I/O they time. A task scheduled from a loop thread of this scheduler stays on that
 * ring; others are spread round-robin. A {@link Worker} stays on one ring, so its tasks run one after another on
 * one thread.
 *
 * <p>Delayed and periodic tasks wait in a per-ring heap woken by the ring's own {@code IORING_OP_TIMEOUT}
 * (core's {@link LoopTimers}, shared with everything else on the ring): no timer thread, no hop from one to the loop, one ring slot however many tasks wait. Periodic
 * tasks run at a fixed rate; a period of 0 runs again as soon as the ring has gone round once.
 *
 * <p>Every task goes through {@link Schedulers#onSchedule} and gets its own {@link Disposable}; disposing it
 * before it runs cancels it. Disposing the scheduler (or a worker) cancels every task it has not run yet and
 * refuses new ones with {@link RejectedExecutionException}; it does not end the rings, which belong to their
 * owner (a {@link ReactorUring}, or whoever made the loops). Tasks are refused the same way once a ring has ended.
 * Safe from any thread. Code in these tasks must not block: loop threads made by {@link NonBlockingLoopThreads}
 * are Reactor {@code NonBlocking} threads ({@code block()} throws there) and BlockHound flags blocking calls.
 */
public final class UringScheduler implements Scheduler, Scannable {
    private static final long MAX_DELAY_NANOS = LoopTimers.MAX_DELAY_NANOS;

    private final UringGroup rings;
    private volatile boolean disposed;

    UringScheduler(UringGroup rings) {
        this.rings = rings;
    }

    /**
     * A scheduler over one ring.
     *
     * @param loop the ring
     * @return the scheduler
     */
    public static UringScheduler of(UringLoop loop) {
        return new UringScheduler(UringGroup.of(Objects.requireNonNull(loop, "loop")));
    }

    /**
     * A scheduler over every ring of {@code group}.
     *
     * @param group the rings
     * @return the scheduler
     */
    public static UringScheduler of(UringGroup group) {
        return new UringScheduler(Objects.requireNonNull(group, "group"));
    }

    @Override
    public Disposable schedule(Runnable task) {
        return submit(task, rings.pickIndex(), this, 0, -1);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return submit(task, rings.pickIndex(), this, unit.toNanos(delay), -1);
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return submit(task, rings.pickIndex(), this, unit.toNanos(initialDelay), checkPeriod(period, unit));
    }

    @Override
    public Worker createWorker() {
        return new LoopWorker(rings.pickIndex());
    }

    /** Cancels the tasks not run yet and refuses new ones; the rings go on. */
    @Override
    public void dispose() {
        disposed = true;
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    @SuppressWarnings("rawtypes") // Scannable declares the raw type
    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.TERMINATED || key == Attr.CANCELLED) {
            return disposed;
        }
        if (key == Attr.NAME) {
            return toString();
        }
        return null;
    }

    @Override
    public String toString() {
        return "UringScheduler(" + rings.size() + " ring" + (rings.size() == 1 ? "" : "s") + ")";
    }

    private static long checkPeriod(long period, TimeUnit unit) {
        if (period < 0) {
            throw new IllegalArgumentException("period must not be negative: " + period);
        }
        return Math.min(unit.toNanos(period), MAX_DELAY_NANOS);
    }

    /** The one path of every task: decorate, wrap, hand to the loop of {@code ring}. */
    private Disposable submit(Runnable task, int ring, Disposable owner, long delayNanos, long periodNanos) {
        Objects.requireNonNull(task, "task");
        if (owner.isDisposed()) {
            throw Exceptions.failWithRejected();
        }
        long delay = Math.min(Math.max(0, delayNanos), MAX_DELAY_NANOS);
        boolean timed = delay > 0 || periodNanos >= 0;
        UringLoop loop = rings.loop(ring);
        UringTask t = new UringTask(Schedulers.onSchedule(task), owner, timed ? loop.timers() : null,
                System.nanoTime() + delay, periodNanos);
        try {
            loop.execute(t);
        } catch (RejectedExecutionException e) {
            throw Exceptions.failWithRejected(e);
        }
        return t;
    }

    /** A worker: every task on the same ring, hence serial on its loop thread. */
    private final class LoopWorker implements Worker, Scannable {
        private final int ring;
        private volatile boolean workerDisposed;

        LoopWorker(int ring) {
            this.ring = ring;
        }

        @Override
        public Disposable schedule(Runnable task) {
            return submit(task, ring, this, 0, -1);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return submit(task, ring, this, unit.toNanos(delay), -1);
        }

        @Override
        public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
            return submit(task, ring, this, unit.toNanos(initialDelay), checkPeriod(period, unit));
        }

        /** Cancels this worker's tasks not run yet; refuses new ones. */
        @Override
        public void dispose() {
            workerDisposed = true;
        }

        @Override
        public boolean isDisposed() {
            return workerDisposed || disposed;
        }

        @SuppressWarnings("rawtypes") // Scannable declares the raw type
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.TERMINATED || key == Attr.CANCELLED) {
                return isDisposed();
            }
            if (key == Attr.PARENT) {
                return UringScheduler.this;
            }
            if (key == Attr.NAME) {
                return UringScheduler.this + ".worker(ring " + ring + ")";
            }
            return null;
        }
    }
}
