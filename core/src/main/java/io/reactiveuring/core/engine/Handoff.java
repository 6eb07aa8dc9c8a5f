package io.reactiveuring.core.engine;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.NativeCallException;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * How work from other threads reaches a loop, and the loop's lifecycle state that gates it: a bounded
 * multi-producer queue (JCTools), a wake-up through an eventfd whose read the loop keeps in flight on its ring, and
 * the "sleeping" flag that makes that wake-up cost a syscall only when the loop has said it is about to block.
 *
 * <p>The state (RUNNING, CLOSING, TERMINATED) and the number of producers inside their check-state-then-offer window
 * share one word: a producer enters the window only by a CAS that still sees RUNNING, so once the loop moved to
 * CLOSING no new producer can enter, and the loop's wait for the window to empty is bounded by the offers already
 * under way, however many producers keep arriving.
 *
 * <p>Threading: {@link #offer}, {@link #wake} and the state reads from any thread; everything else on the loop
 * thread (the queue has a single consumer). Ownership: an item offered belongs to the loop.
 */
final class Handoff {
    static final int RUNNING = 0;
    static final int CLOSING = 1;
    static final int TERMINATED = 2;
    private static final int STATE_SHIFT = 30;
    private static final int PRODUCER_MASK = (1 << STATE_SHIFT) - 1;

    private static final VarHandle CTL;
    private static final VarHandle SLEEPING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CTL = l.findVarHandle(Handoff.class, "ctl", int.class);
            SLEEPING = l.findVarHandle(Handoff.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MpscAtomicArrayQueue<Object> queue;
    private final int capacity;
    /** The 8-byte counter value an eventfd write adds; global memory: written from any thread, never freed. */
    private final MemorySegment wakeValue;
    private volatile int ctl = RUNNING << STATE_SHIFT;
    /** True while the loop is (about to be) blocked in io_uring_enter and needs an eventfd write to wake up. */
    private volatile boolean sleeping;
    private volatile int eventFd = -1;

    Handoff(int capacity) {
        this.capacity = capacity;
        this.queue = new MpscAtomicArrayQueue<>(capacity);
        this.wakeValue = Arena.global().allocate(JAVA_LONG);
        this.wakeValue.set(JAVA_LONG, 0, 1L);
    }

    // ---- lifecycle state

    int state() {
        return ctl >>> STATE_SHIFT;
    }

    /** Moves from {@code expect} to {@code update}, keeping the producer count; false if the state was another. */
    boolean transition(int expect, int update) {
        while (true) {
            int c = ctl;
            if (c >>> STATE_SHIFT != expect) {
                return false;
            }
            if (CTL.compareAndSet(this, c, (c & PRODUCER_MASK) | update << STATE_SHIFT)) {
                return true;
            }
        }
    }

    /** After leaving RUNNING: waits for the producers that entered their window before that to finish it. */
    void awaitProducersOutside() {
        while ((ctl & PRODUCER_MASK) != 0) {
            Thread.onSpinWait();
        }
    }

    // ---- producers (any thread)

    /**
     * Queues {@code item} for the loop and wakes it if it sleeps. False if the loop is no longer running (the item
     * was not queued: the caller rejects it, outside any window, since a rejection runs callbacks).
     *
     * @throws RejectedExecutionException if the queue is full
     */
    boolean offer(Object item) {
        int c;
        do {
            c = ctl;
            if (c >>> STATE_SHIFT != RUNNING) {
                return false;
            }
        } while (!CTL.compareAndSet(this, c, c + 1));
        boolean offered;
        try {
            offered = queue.offer(item);
        } finally {
            CTL.getAndAdd(this, -1);
        }
        if (!offered) {
            throw new RejectedExecutionException("io_uring loop hand-off queue is full (capacity " + capacity + ")");
        }
        // The offer must be visible before we read `sleeping`; the loop fences between setting `sleeping` and
        // re-checking the queue (announceSleep). One of the two sides therefore always sees the other.
        VarHandle.fullFence();
        wake(false);
        return true;
    }

    /** Writes the eventfd if the loop sleeps (or {@code always}); never from the loop thread itself. */
    void wake(boolean always) {
        if (always || (sleeping && SLEEPING.compareAndSet(this, true, false))) {
            int fd = eventFd;
            if (fd >= 0) {
                LibC.write(fd, wakeValue, 8);
            }
        }
    }

    // ---- the consumer (loop thread)

    Object relaxedPoll() {
        return queue.relaxedPoll();
    }

    /** Like {@link #relaxedPoll()}, but sees an offer that completed before the call (for a cancel's take-in). */
    Object poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * Announces that the loop is about to block, then looks once more: true if it may block (nothing queued, still
     * running). A producer that offered before the fence is seen here; one that offers after it sees
     * {@code sleeping} and writes the eventfd.
     */
    boolean announceSleep() {
        sleeping = true;
        VarHandle.fullFence();
        if (!queue.isEmpty() || state() != RUNNING) {
            sleeping = false;
            return false;
        }
        return true;
    }

    void awake() {
        sleeping = false;
    }

    // ---- the eventfd (loop thread)

    /** Creates the eventfd (CLOEXEC) the loop keeps a read in flight on; returns it. */
    int openEventFd() {
        int efd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        if (efd < 0) {
            throw new NativeCallException("eventfd", efd);
        }
        eventFd = efd;
        return efd;
    }

    void closeEventFd() {
        int efd = eventFd;
        if (efd >= 0) {
            eventFd = -1;
            LibC.close(efd);
        }
    }
}
