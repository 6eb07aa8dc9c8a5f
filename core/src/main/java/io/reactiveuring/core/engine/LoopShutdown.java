package io.reactiveuring.core.engine;

import io.reactiveuring.core.linux.Errno;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.reactiveuring.core.engine.Handoff.CLOSING;
import static io.reactiveuring.core.engine.Handoff.RUNNING;
import static io.reactiveuring.core.engine.Handoff.TERMINATED;
import static io.reactiveuring.core.linux.IoUring.*;

/**
 * The end of a loop's task, the library's mirror of the kernel's {@code io_uring_flush} at task exit: refuse new
 * work, cancel everything in flight (one cancel per op by user_data, then one sweep), reap the final CQEs while the
 * kernel delivers them, deliver {@code -ECANCELED} (flagged {@link UringOperation#FLAG_LOOP_TERMINATED}) to whatever
 * never got one, quarantine that memory, run the termination listeners, and only then unmap the rings.
 *
 * <p>The grace ({@link LoopOptions#shutdownGrace()}) is time spent waiting in the kernel, not time the loop spends
 * delivering completions and freeing their memory: a slow subscriber or allocator never turns an op whose final CQE
 * did arrive into a quarantined one. After the grace, what the kernel has produced is still taken in without
 * waiting, for as long as final CQEs keep coming.
 *
 * <p>Threading: {@link #run} on the loop thread; the listener methods and the JVM shutdown hook from any thread.
 * Ownership: quarantined memory is never freed: its operations' resources get {@link OwnedResource#keep()}, never
 * {@code release()}.
 */
final class LoopShutdown {
    private final UringLoop loop;
    /** Run once when the loop has ended; see {@link UringLoop#addTerminationListener}. */
    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();

    LoopShutdown(UringLoop loop) {
        this.loop = loop;
    }

    void addListener(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        // Claimed by remove(): whichever of this thread and the loop's shutdown removes it runs it, exactly once.
        if (loop.handoff.state() == TERMINATED && listeners.remove(listener)) {
            listener.run();
        }
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** The whole end, on the loop thread; {@code death} is what ended the loop, or null for a dispose. */
    void run(Throwable death) {
        loop.dying = true;
        loop.handoff.transition(RUNNING, CLOSING);
        // Every death is logged: since Thread.stop is gone (JDK 20) no ThreadDeath arrives from outside to skip.
        if (death != null) {
            try {
                UringLoop.LOG.log(System.Logger.Level.ERROR, "io_uring loop " + loop.options().threadName()
                        + " died; cancelling its pending operations", death);
            } catch (Throwable logFailed) {
                // A failing log handler (or BlockHound refusing its write) must not stop the shutdown below:
                // pending operations would never get their ECANCELED and close() would wait forever.
            }
        }
        boolean ringUsable = !(death instanceof UringLoop.CqeLostError);
        try {
            // Producers inside their check-then-offer window finish it; no new one can enter (they see CLOSING), so
            // draining the queue once more is final.
            loop.handoff.awaitProducersOutside();
            drainQueues();
            if (ringUsable) {
                cancelAllInFlight();
            }
        } catch (Throwable t) {
            UringLoop.LOG.log(System.Logger.Level.ERROR, "error while draining io_uring loop "
                    + loop.options().threadName(), t);
        }
        int errno = ringUsable ? Errno.ECANCELED : Errno.EBADR;
        boolean leaked = quarantineTheRest(errno);
        loop.handoff.transition(CLOSING, TERMINATED);
        for (Runnable listener : listeners) {
            if (listeners.remove(listener)) {
                loop.runTask(listener);
            }
        }
        drainQueues(); // tasks that ran above may have queued more
        try {
            loop.ring.close();
        } finally {
            loop.releaseNative(leaked);
            Hook.unregister(loop);
            loop.closedCompletely(); // before the latch: awaitTermination returns after what waited on it ran
            loop.terminated.countDown();
        }
    }

    /** No final CQE arrived: the kernel may still own the memory. Each op gets its end; its memory is kept. */
    private boolean quarantineTheRest(int errno) {
        SlotTable slots = loop.slots;
        boolean leaked = false;
        for (int i = 0; i < slots.capacity(); i++) {
            UringOperation op = slots.at(i);
            if (op != null) {
                OwnedResource kept = op.resource;
                op.resource = null;
                int flags = UringOperation.FLAG_LOOP_TERMINATED;
                if (slots.abandon(i)) {
                    loop.stats.quarantinedOne();
                    leaked = true;
                    flags |= UringOperation.FLAG_QUARANTINED;
                }
                try {
                    loop.deliver(op, -errno, flags);
                } finally {
                    if (kept != null) {
                        keep(kept);
                    }
                }
            }
        }
        loop.stats.inFlight(slots.userInFlight());
        return leaked;
    }

    private void keep(OwnedResource kept) {
        try {
            kept.keep();
        } catch (RuntimeException e) {
            loop.callbackError(e);
        }
    }

    /** Ends what never reached the kernel and runs the tasks and hooks still queued, until nothing is left. */
    private void drainQueues() {
        for (int rounds = 0; rounds < 1000; rounds++) {
            boolean any = false;
            Object item;
            while ((item = loop.handoff.relaxedPoll()) != null) {
                any = true;
                if (item instanceof UringOperation op) {
                    loop.rejectChain(op, UringOperation.FLAG_LOOP_TERMINATED);
                } else {
                    loop.runTask((Runnable) item);
                }
            }
            Runnable r;
            while ((r = loop.localTasks.poll()) != null) {
                any = true;
                loop.runTask(r);
            }
            while ((r = loop.beforeEnterHooks.poll()) != null) {
                any = true;
                loop.runTask(r);
            }
            UringOperation op;
            while ((op = loop.backlog.poll()) != null) {
                any = true;
                loop.rejectChain(op, UringOperation.FLAG_LOOP_TERMINATED);
            }
            if (!any) {
                return;
            }
        }
    }

    private void cancelAllInFlight() {
        SlotTable slots = loop.slots;
        if (slots.inUse() == 0) {
            return;
        }
        // One cancel per op, by its user_data: the kernel finds each in its cancel hash at once, where a single
        // ASYNC_CANCEL with ANY | ALL rescans every table for each op it cancels (about a second for 10,000 here).
        for (int i = 0; i < slots.capacity(); i++) {
            UringOperation op = slots.at(i);
            if (op == null || op instanceof UringLoop.InternalCancel) {
                continue;
            }
            if (slots.freeSlots() == 0) {
                break; // cannot happen: there are as many internal slots as user ones
            }
            if (!loop.sq.hasFree(1)) {
                loop.flushSubmissions();
                loop.reap();
                if (!loop.sq.hasFree(1)) {
                    break;
                }
            }
            loop.submitCancelOf(op, null);
        }
        // And one sweep for anything the loop above did not name (an op re-armed meanwhile); cheap now, because the
        // kernel runs it after the cancels above have emptied its tables.
        if (slots.freeSlots() > 0 && (loop.sq.hasFree(1) || loop.flushSubmissions() && loop.sq.hasFree(1))) {
            UringLoop.InternalCancel all = loop.new InternalCancel(null);
            all.spec(OpSpec.asyncCancel(0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL));
            loop.submitInternal(all);
        }
        Duration grace = loop.options().shutdownGrace();
        long waitLeft = grace.toNanos();
        while (slots.inUse() > 0 && waitLeft > 0) {
            long start = System.nanoTime();
            loop.enter(1, Duration.ofNanos(waitLeft));
            waitLeft -= System.nanoTime() - start;
            loop.reap(); // not charged to the grace
        }
        // Completions the kernel has produced but not yet posted (task work) still count: take them in without
        // waiting, for as long as final CQEs keep coming (a multishot op's MORE CQEs do not count). A zero grace
        // means "do not collect at all".
        int before;
        do {
            before = slots.inUse();
            if (before == 0 || !grace.isPositive()) {
                break;
            }
            loop.enter(0, null);
            loop.reap();
        } while (slots.inUse() < before);
    }

    /** Ends every live loop when the JVM shuts down, so pending subscribers get their ECANCELED. */
    static final class Hook {
        private static final Set<UringLoop> LIVE = ConcurrentHashMap.newKeySet();
        private static final AtomicBoolean INSTALLED = new AtomicBoolean();

        private Hook() {
        }

        static void register(UringLoop loop) {
            if (INSTALLED.compareAndSet(false, true)) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(Hook::closeAll, "uring-shutdown"));
                } catch (IllegalStateException alreadyShuttingDown) {
                    return;
                }
            }
            LIVE.add(loop);
        }

        static void unregister(UringLoop loop) {
            LIVE.remove(loop);
        }

        private static void closeAll() {
            List<UringLoop> loops = new ArrayList<>(LIVE);
            loops.forEach(UringLoop::dispose);
            for (UringLoop l : loops) {
                try {
                    l.awaitTermination(l.options().shutdownGrace().plusSeconds(1));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
