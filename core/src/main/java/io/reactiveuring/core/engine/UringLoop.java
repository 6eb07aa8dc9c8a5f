package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.GeteventsArgLayout;
import io.reactiveuring.core.binding.KernelTimespecLayout;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.NativeCallException;
import io.reactiveuring.core.ring.CompletionQueue;
import io.reactiveuring.core.ring.Ring;
import io.reactiveuring.core.engine.RingFeatures;
import io.reactiveuring.core.ring.SubmissionQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.IoUring.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The task that owns one ring: a platform thread that drains hand-offs from other threads, writes SQEs, enters
 * the kernel once per batch, reaps CQEs and dispatches them to {@link UringOperation}s.
 *
 * <p>Threading: {@link #submit}, {@link #submitLinked}, {@link #cancel}, {@link #execute} and {@link #close} may be
 * called from any thread. From the loop thread they act directly (the SQEs join the batch of the next
 * {@code io_uring_enter}); from other threads they go through a bounded multi-producer queue, and the loop is woken
 * through an eventfd read kept in flight on the ring, only when it has announced that it is about to sleep. Every
 * completion is delivered on the loop thread.
 *
 * <p>Ownership: an operation and the memory it points to belong to the engine from submission until its final
 * completion. user_data is a slot index plus a generation (plus the opcode), so a stale CQE can never reach the
 * wrong operation; such CQEs are dropped and counted in {@link #staleCompletions()}.
 *
 * <p>End of the task: {@link #close()}, the JVM shutdown hook, or an {@link Error} escaping a callback end the
 * loop. It then refuses new work, cancels everything in flight ({@code ASYNC_CANCEL} with {@code ANY | ALL}),
 * reaps the final CQEs for up to {@link LoopOptions#shutdownGrace()}, delivers {@code -ECANCELED} (flagged
 * {@link UringOperation#FLAG_LOOP_TERMINATED}) to whatever is left, quarantines that memory, and only then unmaps
 * the rings and closes the fds. Work submitted after that fails at once with {@code -ECANCELED}.
 */
public final class UringLoop implements Executor, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.reactiveuring.core.engine");

    private static final int RUNNING = 0;
    private static final int CLOSING = 1;
    private static final int TERMINATED = 2;
    private static final int STATE_SHIFT = 30;
    private static final int PRODUCER_MASK = (1 << STATE_SHIFT) - 1;

    private static final VarHandle SLEEPING;
    private static final VarHandle CTL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SLEEPING = l.findVarHandle(UringLoop.class, "sleeping", boolean.class);
            CTL = l.findVarHandle(UringLoop.class, "ctl", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int SCRATCH_BYTES = 256;
    private static final int NO_SLOT = -1;

    private final LoopOptions options;
    private final Thread thread;
    private final MpscAtomicArrayQueue<Object> handoff;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final MemorySegment wakeValue;

    /**
     * The loop's state (top two bits) and the foreign threads inside their check-state-then-offer window (the rest),
     * in one word: a producer enters the window only by a CAS that sees RUNNING, so once the loop has moved to
     * CLOSING no new producer can enter, and waiting for the count to drain is bounded by the offers already under
     * way, however many producers keep arriving.
     */
    private volatile int ctl = RUNNING << STATE_SHIFT;
    /** True while the loop is (about to be) blocked in io_uring_enter and needs an eventfd write to wake up. */
    private volatile boolean sleeping;
    private volatile Throwable startFailure;
    private volatile RingFeatures features;
    private volatile int eventFd = -1;

    // ---- loop-thread state
    private Ring ring;
    private SubmissionQueue sq;
    private CompletionQueue cq;
    private MemorySegment errnoCapture;
    private Arena arena;
    private MemorySegment scratch;
    private MemorySegment waitArg;
    private UringOperation[] slots;
    private int[] generations;
    private int[] freeSlots;
    private int freeTop;
    private int userInFlight;
    private boolean[] internal;
    private final ArrayDeque<UringOperation> backlog = new ArrayDeque<>();
    /** Ops of a drained submission (IOSQE_IO_DRAIN) still in flight; nothing else is submitted meanwhile. */
    private int drainPending;
    private final ArrayDeque<Runnable> localTasks = new ArrayDeque<>();
    private WakeRead wakeRead;
    private boolean dying;

    // ---- counters (written by the loop thread only; read racily by others)
    private long submittedOps;
    private long completions;
    private long staleCompletions;
    private long enterCalls;
    private long wakeups;
    private long overflowFlushes;
    private long callbackErrors;
    private long quarantinedOps;
    private long cancelsIssued;
    private final LoopCounters counters = new LoopCounters();
    /** Run once when the loop has ended; see {@link #addTerminationListener}. */
    private final java.util.Set<Runnable> terminationListeners = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Starts a loop with its own thread; returns once the ring exists.
     *
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be set up
     */
    public UringLoop(LoopOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.handoff = new MpscAtomicArrayQueue<>(options.handoffCapacity());
        this.wakeValue = Arena.global().allocate(JAVA_LONG);
        this.wakeValue.set(JAVA_LONG, 0, 1L);
        this.thread = options.threadFactory().newThread(this::run);
        if (thread == null || thread.isVirtual()) {
            throw new IllegalArgumentException("the loop needs a platform thread (SINGLE_ISSUER binds the ring to "
                    + "one OS thread)");
        }
        thread.setName(options.threadName());
        thread.start();
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the io_uring loop", e);
        }
        Throwable failure = startFailure;
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        ShutdownHook.register(this);
    }

    public UringLoop() {
        this(LoopOptions.defaults());
    }

    // ------------------------------------------------------------------------------------------------ public API

    /** True when called on this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    public Thread thread() {
        return thread;
    }

    public LoopOptions options() {
        return options;
    }

    /** What the ring was set up with and what the kernel supports. */
    public RingFeatures features() {
        return features;
    }

    /** True once the loop has ended and released the ring. */
    public boolean isTerminated() {
        return state() == TERMINATED;
    }

    /** True once the loop has been asked to end (or has ended). */
    public boolean isShuttingDown() {
        return state() != RUNNING;
    }

    /**
     * Submits {@code op}. Every submission gets exactly one final {@link UringOperation#onCompletion}; if the loop
     * has ended it is {@code -ECANCELED} with {@link UringOperation#FLAG_LOOP_TERMINATED}, delivered on the
     * calling thread.
     *
     * @throws IllegalArgumentException    if the kernel lacks the op ({@code supports(op)} is false)
     * @throws RejectedExecutionException  if the hand-off queue from other threads is full
     */
    public void submit(UringOperation op) {
        Objects.requireNonNull(op, "operation");
        checkSpec(op);
        op.chainNext = null;
        op.chainFlags = 0;
        if (inLoop()) {
            submitOnLoop(op);
        } else {
            handOff(op);
        }
    }

    /**
     * Submits {@code chain} as one linked sequence ({@code IOSQE_IO_LINK} on every op but the last, unless the
     * op's spec asks for {@code IOSQE_IO_HARDLINK}): all SQEs go to the kernel in the same
     * {@code io_uring_enter}. Each op gets its own completion; ops after a failed one end with {@code -ECANCELED}.
     */
    public void submitLinked(UringOperation... chain) {
        Objects.requireNonNull(chain, "chain");
        if (chain.length == 0) {
            throw new IllegalArgumentException("empty chain");
        }
        if (chain.length > options.sqEntries() || chain.length > options.maxInFlight()) {
            // it would wait in the backlog forever, and every op queued behind it too
            throw new IllegalArgumentException("a chain of " + chain.length + " does not fit an SQ of "
                    + options.sqEntries() + " with at most " + options.maxInFlight() + " ops in flight");
        }
        for (UringOperation op : chain) {
            Objects.requireNonNull(op, "operation");
            checkSpec(op);
        }
        for (int i = 0; i < chain.length; i++) {
            UringOperation op = chain[i];
            boolean last = i == chain.length - 1;
            op.chainNext = last ? null : chain[i + 1];
            boolean hard = (op.spec.sqeFlags & IOSQE_IO_HARDLINK) != 0;
            op.chainFlags = last ? 0 : hard ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK;
        }
        if (inLoop()) {
            submitOnLoop(chain[0]);
        } else {
            handOff(chain[0]);
        }
    }

    /**
     * Cancels {@code target}: if it is still queued it completes with {@code -ECANCELED} without reaching the
     * kernel; if it is in flight an {@code ASYNC_CANCEL} for its user_data is submitted ({@code POLL_REMOVE} if
     * it is a {@code POLL_ADD}). The target still gets its
     * own final completion (its memory stays owned until then). {@code onCancelResult} (may be null) receives the
     * cancel's own result on the loop thread: 0, {@code -ENOENT} or {@code -EALREADY}; 1 for a target cancelled
     * before submission; {@code -ENOENT} if it was not pending at all. Never throws for a loop that has ended
     * (a Reactive Streams {@code cancel()} must return normally): every op then has had or is getting its final
     * {@code -ECANCELED} anyway, and {@code onCancelResult} gets {@code -ENOENT} on the calling thread.
     */
    public void cancel(UringOperation target, java.util.function.IntConsumer onCancelResult) {
        Objects.requireNonNull(target, "target");
        Runnable r = () -> cancelOnLoop(target, onCancelResult);
        if (inLoop()) {
            r.run();
            return;
        }
        try {
            execute(r);
        } catch (RejectedExecutionException e) {
            if (state() == RUNNING) {
                throw e; // hand-off queue full: the caller must know the cancel did not happen
            }
            notifyCancel(onCancelResult, -Errno.ENOENT);
        }
    }

    public void cancel(UringOperation target) {
        cancel(target, null);
    }

    /**
     * Runs {@code task} on the loop thread (later, never inline).
     *
     * @throws RejectedExecutionException if the loop has ended or the hand-off queue is full
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (inLoop()) {
            if (state() == TERMINATED) {
                throw new RejectedExecutionException("io_uring loop has terminated");
            }
            localTasks.add(task);
        } else {
            handOff(task);
        }
    }

    /**
     * Runs {@code listener} once when this loop has ended: on the loop thread, after every in-flight operation got
     * its final completion; or at once on the calling thread if the loop has already ended. For layers above whose
     * subscribers may have nothing in flight when the loop ends (a multishot subscription disarmed at zero demand),
     * so they still learn of it. Remove the listener with {@link #removeTerminationListener} once it is no longer
     * needed: the loop holds it strongly until then. A RuntimeException it throws goes to the error hook.
     */
    public void addTerminationListener(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        terminationListeners.add(listener);
        // Claimed by remove(): whichever of this thread and the loop's shutdown removes it runs it, exactly once.
        if (state() == TERMINATED && terminationListeners.remove(listener)) {
            listener.run();
        }
    }

    /** Forgets a listener added with {@link #addTerminationListener}; no effect if it ran or was never added. */
    public void removeTerminationListener(Runnable listener) {
        terminationListeners.remove(listener);
    }

    /** Asks the loop to end; returns at once. */
    public void dispose() {
        if (state() == RUNNING && transition(RUNNING, CLOSING)) {
            wake(true);
        }
    }

    /** Asks the loop to end and, unless called on the loop thread, waits until it has. */
    @Override
    public void close() {
        dispose();
        if (!inLoop()) {
            awaitTerminationUninterruptibly();
        }
    }

    /** Waits for the loop to end; true if it did within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void awaitTerminationUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code io_uring_register} on this ring: files, buffers, provided-buffer rings, ring fds. Loop thread only
     * ({@code SINGLE_ISSUER} applies to register as well); run it through {@link #execute} from elsewhere.
     *
     * @return the kernel's result, or {@code -errno}
     * @throws IllegalStateException if called from another thread or after the ring was closed
     */
    public int register(int opcode, MemorySegment arg, int nrArgs) {
        if (!inLoop()) {
            throw new IllegalStateException("io_uring_register must run on the ring's loop thread");
        }
        if (state() == TERMINATED || ring == null || ring.isClosed()) {
            throw new IllegalStateException("the ring is closed");
        }
        return LibC.ioUringRegister(ring.fd(), opcode, arg == null ? MemorySegment.NULL : arg, nrArgs);
    }

    /**
     * Hands every SQE written so far to the kernel now (one {@code io_uring_enter} that does not wait), instead of
     * at the end of this turn of the loop; completions are still reaped and delivered afterwards, in the loop's own
     * order. Loop thread only. An op cancelled before its SQE was handed to the kernel never runs (its SQE becomes
     * a NOP); one cancelled after this call has been seen by the kernel and is cancelled there.
     *
     * @throws IllegalStateException if called from another thread
     */
    public void submitPending() {
        if (!inLoop()) {
            throw new IllegalStateException("submitPending() must run on the ring's loop thread");
        }
        if (state() == RUNNING && sq.unsubmitted() > 0) {
            flushSubmissions();
        }
    }

    /** This ring's fd, e.g. as the target of {@code MSG_RING} from another ring; -1 once closed. */
    public int ringFd() {
        Ring r = ring;
        return r == null || r.isClosed() ? -1 : r.fd();
    }

    /** Operations in flight now (user ops; internal ones such as the wake-up read excluded). */
    public int inFlight() {
        return userInFlight;
    }

    /** Completions whose user_data named a slot generation that was no longer current; must stay 0. */
    public long staleCompletions() {
        return staleCompletions;
    }

    /** Operations whose memory was never released because the ring ended before their final CQE. */
    public long quarantinedOperations() {
        return quarantinedOps;
    }

    /** User operations prepared into SQEs so far (internal ones such as the wake-up read not counted). */
    public long submittedOperations() {
        return submittedOps;
    }

    public long completionCount() {
        return completions;
    }

    public long enterCalls() {
        return enterCalls;
    }

    /** Eventfd writes that woke a sleeping loop. */
    public long wakeups() {
        return wakeups;
    }

    /** Times the loop flushed an overflowed CQ ({@code IORING_SQ_CQ_OVERFLOW}). */
    public long overflowFlushes() {
        return overflowFlushes;
    }

    /** RuntimeExceptions thrown by callbacks and routed to the error hook. */
    public long callbackErrors() {
        return callbackErrors;
    }

    /** Counters that the layers above update on this loop's thread (poll-driven retry). */
    public LoopCounters counters() {
        return counters;
    }

    /** ASYNC_CANCELs (or POLL_REMOVEs) submitted on behalf of {@link #cancel}. */
    public long cancelsIssued() {
        return cancelsIssued;
    }

    /** One in-flight operation as seen in {@link #inFlightSnapshot()}. */
    public record InFlightOp(String op, long userData, int fd, boolean internal) {
    }

    /** A snapshot of the in-flight table, taken on the loop thread (like fdinfo's "Inflight:" listing). */
    public CompletableFuture<List<InFlightOp>> inFlightSnapshot() {
        CompletableFuture<List<InFlightOp>> f = new CompletableFuture<>();
        Runnable r = () -> {
            List<InFlightOp> list = new ArrayList<>();
            for (int i = 0; slots != null && i < slots.length; i++) {
                UringOperation op = slots[i];
                if (op != null) {
                    list.add(new InFlightOp(op.describe(), op.userData, op.spec.fd, internal[i]));
                }
            }
            f.complete(list);
        };
        try {
            execute(r);
        } catch (RejectedExecutionException e) {
            f.complete(List.of());
        }
        return f;
    }

    @Override
    public String toString() {
        return "UringLoop[" + options.threadName() + ", inFlight=" + userInFlight + ", state=" + state() + "]";
    }

    // ------------------------------------------------------------------------------------------------ hand-off

    private int state() {
        return ctl >>> STATE_SHIFT;
    }

    /** Moves from {@code expect} to {@code update}, keeping the producer count; false if the state was another. */
    private boolean transition(int expect, int update) {
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

    private void checkSpec(UringOperation op) {
        OpSpec spec = op.spec;
        if (spec == null) {
            throw new IllegalArgumentException("operation has no spec");
        }
        if (spec.memoryScope != null && !spec.memoryScope.isAlive()) {
            // the address would point into freed memory, which the kernel could write at once
            throw new IllegalStateException(spec.describe() + ": its buffer's arena is already closed");
        }
        if ((spec.sqeFlags & IOSQE_CQE_SKIP_SUCCESS) != 0) {
            // without its CQE the engine could neither free the slot nor deliver the final completion
            throw new IllegalArgumentException(spec.describe() + ": IOSQE_CQE_SKIP_SUCCESS is not supported (every "
                    + "operation needs its completion)");
        }
        RingFeatures f = features;
        if (f != null && !f.supports(spec.opcode) && f.lastOp() >= 0) {
            throw new IllegalArgumentException("io_uring opcode " + spec.describe()
                    + " is not supported by this kernel (IORING_REGISTER_PROBE)");
        }
    }

    private void handOff(Object item) {
        int c;
        do {
            c = ctl;
            if (c >>> STATE_SHIFT != RUNNING) {
                // Outside the window: a rejection runs callbacks, which may subscribe again.
                rejectAfterEnd(item);
                return;
            }
        } while (!CTL.compareAndSet(this, c, c + 1));
        boolean offered;
        try {
            offered = handoff.offer(item);
        } finally {
            CTL.getAndAdd(this, -1);
        }
        if (!offered) {
            throw new RejectedExecutionException("io_uring loop hand-off queue is full (capacity "
                    + options.handoffCapacity() + ")");
        }
        // The offer must be visible before we read `sleeping`; the loop fences between setting `sleeping` and
        // re-checking the queue. One of the two sides therefore always sees the other.
        VarHandle.fullFence();
        wake(false);
    }

    private void rejectAfterEnd(Object item) {
        if (item instanceof UringOperation op) {
            rejectChain(op);
        } else {
            throw new RejectedExecutionException("io_uring loop has ended");
        }
    }

    private void wake(boolean always) {
        if (inLoop()) {
            return;
        }
        if (always || (sleeping && SLEEPING.compareAndSet(this, true, false))) {
            int fd = eventFd;
            if (fd >= 0) {
                LibC.write(fd, wakeValue, 8);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the loop

    private void run() {
        try {
            init();
        } catch (Throwable t) {
            startFailure = t;
            transition(RUNNING, TERMINATED);
            releaseNative(true);
            started.countDown();
            terminated.countDown();
            return;
        }
        started.countDown();
        Throwable death = null;
        try {
            loop();
        } catch (Throwable t) {
            death = t;
        } finally {
            shutdown(death);
        }
    }

    private void init() {
        errnoCapture = LibC.errnoCapture();
        ring = Ring.create(options.sqEntries(), options.cqEntries(), options.refusedSetupFlags());
        sq = ring.sq();
        cq = ring.cq();
        features = ring.features();
        int slotCount = options.maxInFlight() * 2 + 2; // user ops + as many internal ones (cancels, wake read)
        slots = new UringOperation[slotCount];
        generations = new int[slotCount];
        internal = new boolean[slotCount];
        freeSlots = new int[slotCount];
        for (int i = 0; i < slotCount; i++) {
            generations[i] = 1;
            freeSlots[i] = slotCount - 1 - i;
        }
        freeTop = slotCount;
        arena = Arena.ofShared();
        scratch = arena.allocate((long) slotCount * SCRATCH_BYTES, 64);
        waitArg = arena.allocate(GeteventsArgLayout.SIZE + KernelTimespecLayout.SIZE, 8);
        int efd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        if (efd < 0) {
            throw new NativeCallException("eventfd", efd);
        }
        eventFd = efd;
        wakeRead = new WakeRead(arena.allocate(JAVA_LONG));
        wakeRead.spec(OpSpec.read(efd, wakeRead.buffer, -1));
        submitInternal(wakeRead);
    }

    private void loop() {
        while (state() == RUNNING) {
            runLocalTasks();
            drainHandoff();
            int sqFlags = sq.flags();
            if (sq.unsubmitted() > 0 || (sqFlags & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0) {
                if ((sqFlags & IORING_SQ_CQ_OVERFLOW) != 0) {
                    overflowFlushes++;
                }
                enter(0, null);
            }
            int reaped = reap();
            if (reaped > 0 || !localTasks.isEmpty() || !handoff.isEmpty() || state() != RUNNING) {
                continue;
            }
            // Idle: announce the sleep, then look once more. A producer that offered before our fence is seen
            // here; one that offers after it sees `sleeping` and writes the eventfd.
            sleeping = true;
            VarHandle.fullFence();
            if (!handoff.isEmpty() || state() != RUNNING) {
                sleeping = false;
                continue;
            }
            enter(1, null);
            sleeping = false;
            reap();
        }
    }

    private void runLocalTasks() {
        int n = localTasks.size();
        for (int i = 0; i < n; i++) {
            Runnable r = localTasks.poll();
            if (r == null) {
                break;
            }
            runTask(r);
        }
    }

    private void runTask(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            callbackError(e);
        }
    }

    private void drainHandoff() {
        // Bounded per iteration so completions are reaped between large bursts of hand-offs.
        for (int i = 0; i < 4096; i++) {
            Object item = handoff.relaxedPoll();
            if (item == null) {
                return;
            }
            if (item instanceof UringOperation op) {
                submitOnLoop(op);
            } else {
                runTask((Runnable) item);
            }
        }
    }

    /**
     * io_uring_enter: submits what is queued and, with GETEVENTS (always: under DEFER_TASKRUN completions are only
     * posted when the owner enters with it), runs task work. Blocks for {@code minComplete} CQEs, bounded by
     * {@code timeout} if given. Retries EINTR; on EBUSY/EAGAIN (CQ backlog) returns so the caller can reap.
     */
    private void enter(int minComplete, Duration timeout) {
        while (true) {
            sq.publish();
            int toSubmit = sq.unsubmitted();
            int flags = IORING_ENTER_GETEVENTS;
            int r;
            enterCalls++;
            if (minComplete == 0) {
                r = LibC.ioUringEnterNoWait(errnoCapture, ring.fd(), toSubmit, flags);
            } else if (timeout == null) {
                r = LibC.ioUringEnter(errnoCapture, ring.fd(), toSubmit, minComplete, flags, 0L, 0L);
            } else {
                MemorySegment ts = waitArg.asSlice(GeteventsArgLayout.SIZE, KernelTimespecLayout.SIZE);
                long nanos = Math.max(0, timeout.toNanos());
                ts.set(JAVA_LONG, KernelTimespecLayout.TV_SEC, nanos / 1_000_000_000L);
                ts.set(JAVA_LONG, KernelTimespecLayout.TV_NSEC, nanos % 1_000_000_000L);
                waitArg.set(JAVA_LONG, GeteventsArgLayout.SIGMASK, 0L);
                waitArg.set(JAVA_INT, GeteventsArgLayout.SIGMASK_SZ, 0);
                waitArg.set(JAVA_INT, GeteventsArgLayout.MIN_WAIT_USEC, 0);
                waitArg.set(JAVA_LONG, GeteventsArgLayout.TS, ts.address());
                r = LibC.ioUringEnter(errnoCapture, ring.fd(), toSubmit, minComplete,
                        flags | IORING_ENTER_EXT_ARG, waitArg.address(), GeteventsArgLayout.SIZE);
            }
            if (r >= 0) {
                sq.submitted(r);
                return;
            }
            switch (-r) {
                case Errno.EINTR:
                    continue;
                case Errno.ETIME:
                    return; // the bounded wait ran out
                case Errno.EAGAIN:
                case Errno.EBUSY:
                    overflowFlushes++;
                    return; // the CQ is backed up: reap first, the SQEs stay queued
                case Errno.EBADR:
                    throw new CqeLostError();
                default:
                    throw new UringException(-r, "io_uring_enter");
            }
        }
    }

    /** {@code -EBADR} from enter: the kernel lost a CQE despite NODROP; no pending op can be trusted to finish. */
    static final class CqeLostError extends Error {
        private static final long serialVersionUID = 1L;

        CqeLostError() {
            super("io_uring lost a completion (EBADR from io_uring_enter): the CQ overflowed beyond what the "
                    + "kernel could buffer; every pending operation is failed");
        }
    }

    private int reap() {
        int head = cq.head();
        int tail = cq.acquireTail();
        int count = 0;
        try {
            while (head != tail) {
                long ud = cq.userData(head);
                int res = cq.res(head);
                int flags = cq.flags(head);
                head++;
                count++;
                dispatch(ud, res, flags);
                if (head == tail) {
                    cq.releaseHead(head);
                    tail = cq.acquireTail();
                }
            }
        } finally {
            if (head != cq.head()) {
                cq.releaseHead(head);
            }
        }
        if (count > 0) {
            drainBacklog();
        }
        return count;
    }

    private void dispatch(long userData, int res, int flags) {
        int slot = (int) (userData >>> 8) & 0xFF_FFFF;
        int gen = (int) (userData >>> 32);
        UringOperation op;
        if (slot >= slots.length || generations[slot] != gen || (op = slots[slot]) == null) {
            staleCompletions++;
            return;
        }
        completions++;
        if ((flags & IORING_CQE_F_MORE) != 0) {
            deliver(op, res, flags);
            return;
        }
        OwnedResource resource = op.resource;
        op.resource = null;
        freeSlot(slot, op);
        if (op.cancelledBeforeEnter) {
            op.cancelledBeforeEnter = false;
            res = -Errno.ECANCELED; // the NOP its SQE became answered, not the op
        }
        try {
            deliver(op, res, flags);
        } finally {
            if (resource != null) {
                resource.release();
            }
        }
    }

    private void deliver(UringOperation op, int res, int flags) {
        try {
            op.onCompletion(res, flags);
        } catch (RuntimeException e) {
            callbackError(e);
        } catch (Throwable t) {
            if (!dying) {
                throw t;
            }
            callbackError(t);
        }
    }

    private void callbackError(Throwable t) {
        callbackErrors++;
        try {
            options.errorHook().accept(t);
        } catch (Throwable ignored) {
            // the hook itself failed; nothing more we can do without risking the loop
        }
    }

    // ------------------------------------------------------------------------------------------------ submission

    private void submitOnLoop(UringOperation head) {
        if (state() != RUNNING) {
            rejectChain(head);
            return;
        }
        if (!backlog.isEmpty() || !trySubmitNow(head)) {
            backlog.add(head);
        }
    }

    /** Writes the chain starting at {@code head} into the SQ if slots and SQEs allow; false if it must wait. */
    private boolean trySubmitNow(UringOperation head) {
        if (drainPending > 0) {
            return false; // nothing passes an op submitted with IOSQE_IO_DRAIN while it runs
        }
        if ((head.spec.sqeFlags & IOSQE_IO_DRAIN) != 0) {
            return trySubmitDrained(head);
        }
        if (head.chainNext == null) {
            // One op, the common case: no chain to count or unlink.
            if (!hasRoom(1)) {
                return false;
            }
            head.chainMember = false;
            prepare(head, false);
            return true;
        }
        int n = 0;
        for (UringOperation o = head; o != null; o = o.chainNext) {
            n++;
        }
        if (!hasRoom(n)) {
            return false;
        }
        for (UringOperation o = head; o != null; ) {
            UringOperation next = o.chainNext;
            o.chainMember = n > 1;
            prepare(o, false);
            o.chainNext = null;
            o = next;
        }
        return true;
    }

    /**
     * {@code IOSQE_IO_DRAIN}, kept by the engine rather than the kernel: the kernel's drain would also wait for the
     * loop's own wake-up read, which completes only when another thread wakes the loop (and, deferred behind the
     * drain, could then no longer wake it). So the drained op (or chain) starts once every user op submitted before
     * it has completed, and every op after it waits in the backlog until it has completed too.
     */
    private boolean trySubmitDrained(UringOperation head) {
        if (userInFlight > 0) {
            return false;
        }
        int n = 0;
        for (UringOperation o = head; o != null; o = o.chainNext) {
            n++;
        }
        if (!hasRoom(n)) {
            return false;
        }
        for (UringOperation o = head; o != null; ) {
            UringOperation next = o.chainNext;
            o.chainMember = n > 1;
            o.drainMember = true;
            prepare(o, false);
            o.chainNext = null;
            o = next;
        }
        drainPending = n;
        return true;
    }

    /** True if {@code n} more user ops fit now: in-flight limit, free slots, and free SQEs (after a flush). */
    private boolean hasRoom(int n) {
        if (userInFlight + n > options.maxInFlight() || freeTop < n) {
            return false;
        }
        if (!sq.hasFree(n)) {
            flushSubmissions();
            return sq.hasFree(n);
        }
        return true;
    }

    private void submitInternal(UringOperation op) {
        if (freeTop == 0 || sq.free() == 0 && flushSubmissions() && sq.free() == 0) {
            throw new IllegalStateException("no room for an internal io_uring operation");
        }
        prepare(op, true);
    }

    private boolean flushSubmissions() {
        enter(0, null);
        return true;
    }

    /** The one preparation path: slot, user_data, scratch structs, then every SQE field from the spec. */
    private void prepare(UringOperation op, boolean isInternal) {
        OpSpec s = op.spec;
        int slot = freeSlots[--freeTop];
        slots[slot] = op;
        internal[slot] = isInternal;
        if (!isInternal) {
            userInFlight++;
        }
        long userData = ((long) generations[slot] << 32) | ((long) slot << 8) | (s.opcode & 0xFF);
        op.slot = slot;
        op.userData = userData;
        long addr = s.addr;
        if (s.timespecNanos >= 0) {
            long ts = (long) slot * SCRATCH_BYTES;
            scratch.set(JAVA_LONG, ts + KernelTimespecLayout.TV_SEC, s.timespecNanos / 1_000_000_000L);
            scratch.set(JAVA_LONG, ts + KernelTimespecLayout.TV_NSEC, s.timespecNanos % 1_000_000_000L);
            addr = scratch.address() + ts;
        }
        op.sqePosition = sq.nextPosition();
        long sqe = sq.claim();
        sq.setOpcode(sqe, s.opcode);
        // link flags come only from submitLinked: one left in a spec would tie this SQE to an unrelated next one;
        // IOSQE_IO_DRAIN is kept by the engine (trySubmitDrained), never passed to the kernel
        sq.setFlags(sqe, (byte) ((s.sqeFlags & ~(IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_IO_DRAIN))
                | op.chainFlags));
        sq.setIoprio(sqe, s.ioprio);
        sq.setFd(sqe, s.fd);
        sq.setOff(sqe, s.off);
        sq.setAddr(sqe, addr);
        sq.setLen(sqe, s.len);
        sq.setOpFlags(sqe, s.opFlags);
        sq.setUserData(sqe, userData);
        sq.setBufIndex(sqe, s.bufIndex);
        sq.setPersonality(sqe, s.personality);
        sq.setSpliceFdIn(sqe, s.spliceFdIn);
        sq.setAddr3(sqe, s.addr3);
        if (!isInternal) {
            submittedOps++;
        }
    }

    private void freeSlot(int slot, UringOperation op) {
        if (op.drainMember) {
            op.drainMember = false;
            drainPending--;
        }
        slots[slot] = null;
        if (!internal[slot]) {
            userInFlight--;
        }
        int g = generations[slot] + 1;
        generations[slot] = g == 0 ? 1 : g;
        freeSlots[freeTop++] = slot;
        op.slot = NO_SLOT;
    }

    private void drainBacklog() {
        while (!backlog.isEmpty()) {
            if (!trySubmitNow(backlog.peek())) {
                return;
            }
            backlog.poll();
        }
    }

    private void completeWithoutKernel(UringOperation op, int res, int flags) {
        OwnedResource r = op.resource;
        op.resource = null;
        try {
            deliver(op, res, flags);
        } finally {
            if (r != null) {
                r.release();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ cancel

    private void cancelOnLoop(UringOperation target, java.util.function.IntConsumer onResult) {
        if (!(target.slot >= 0 && slots[target.slot] == target) && !backlog.contains(target)
                && predecessorInBacklog(target) == null && state() == RUNNING) {
            // Submitted from another thread and still in the hand-off queue (this cancel runs on the loop thread
            // before the loop drained it): take in everything handed off so far; the target itself (with the rest of
            // its chain) ends there without reaching the kernel, instead of running after its cancel.
            if (takeInHandoffs(target)) {
                notifyCancel(onResult, 1);
                return;
            }
        }
        if (target.slot >= 0 && slots[target.slot] == target) {
            if (state() == TERMINATED) {
                return;
            }
            if (!target.chainMember && !internal[target.slot] && sq.isUnsubmitted(target.sqePosition)) {
                // Written in this turn's batch but not yet seen by the kernel: it must not run (a recv would consume
                // data nobody receives). Its SQE becomes a NOP; the op still gets its own final CQE, as ECANCELED.
                sq.rewriteAsNop(target.sqePosition, IORING_OP_NOP);
                target.cancelledBeforeEnter = true;
                notifyCancel(onResult, 0);
                return;
            }
            cancelsIssued++;
            InternalCancel c = new InternalCancel(onResult);
            // A readiness poll is removed from the poll table; anything else goes through the cancel hash.
            c.spec(target.spec.opcode == IORING_OP_POLL_ADD
                    ? OpSpec.of(IORING_OP_POLL_REMOVE).addr(target.userData)
                    : OpSpec.asyncCancel(target.userData, 0));
            if (freeTop == 0) {
                backlog.addFirst(c);
            } else {
                if (sq.free() == 0) {
                    flushSubmissions();
                }
                prepare(c, true);
            }
            return;
        }
        boolean queuedHead = backlog.remove(target);
        UringOperation predecessor = queuedHead ? null : predecessorInBacklog(target);
        if (queuedHead || predecessor != null) {
            if (predecessor != null) {
                // cut the chain here: the ops before it go to the kernel alone, with no link to a later SQE
                predecessor.chainNext = null;
                predecessor.chainFlags = 0;
            }
            // never seen by the kernel: the target and the rest of its chain end now
            rejectChain(target, 0);
            notifyCancel(onResult, 1);
            return;
        }
        notifyCancel(onResult, -Errno.ENOENT);
    }

    /**
     * Moves every hand-off queued so far onto the loop: ops are submitted (or backlogged) in their order, except
     * {@code cancelled}, which ends with {@code -ECANCELED} right away (true if it was there); tasks go to the local
     * task queue and run at the next turn of the loop, as they would have. {@code poll} (not relaxed): an offer that
     * completed before the caller's cancel must be seen.
     */
    private boolean takeInHandoffs(UringOperation cancelled) {
        boolean found = false;
        Object item;
        while ((item = handoff.poll()) != null) {
            if (item == cancelled) {
                found = true;
                rejectChain(cancelled, 0);
            } else if (item instanceof UringOperation op) {
                submitOnLoop(op);
            } else {
                localTasks.add((Runnable) item);
            }
        }
        return found;
    }

    /** The backlogged op whose chainNext is {@code target}, or null. */
    private UringOperation predecessorInBacklog(UringOperation target) {
        for (UringOperation h : backlog) {
            for (UringOperation o = h; o.chainNext != null; o = o.chainNext) {
                if (o.chainNext == target) {
                    return o;
                }
            }
        }
        return null;
    }

    private void notifyCancel(java.util.function.IntConsumer onResult, int res) {
        if (onResult != null) {
            try {
                onResult.accept(res);
            } catch (RuntimeException e) {
                callbackError(e);
            }
        }
    }

    /** ASYNC_CANCEL on behalf of {@link #cancel}; reports its own result to the caller's consumer. */
    private final class InternalCancel extends UringOperation {
        private final java.util.function.IntConsumer onResult;

        InternalCancel(java.util.function.IntConsumer onResult) {
            this.onResult = onResult;
        }

        @Override
        protected void onCompletion(int res, int flags) {
            notifyCancel(onResult, res);
        }
    }

    /** The eventfd read kept in flight so that other threads can wake a loop blocked in io_uring_enter. */
    private final class WakeRead extends UringOperation {
        final MemorySegment buffer;

        WakeRead(MemorySegment buffer) {
            this.buffer = buffer;
        }

        @Override
        protected void onCompletion(int res, int flags) {
            if (res > 0) {
                wakeups++;
            } else if (res != -Errno.ECANCELED && (flags & FLAG_LOOP_TERMINATED) == 0) {
                LOG.log(System.Logger.Level.WARNING, "eventfd read failed: " + Errno.name(-res));
            }
            if (state() == RUNNING && !dying) {
                submitInternal(this);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ shutdown

    private void shutdown(Throwable death) {
        dying = true;
        transition(RUNNING, CLOSING);
        if (death != null && !(death instanceof ThreadDeath)) {
            try {
                LOG.log(System.Logger.Level.ERROR, "io_uring loop " + options.threadName()
                        + " died; cancelling its pending operations", death);
            } catch (Throwable logFailed) {
                // A failing log handler (or BlockHound refusing its write) must not stop the shutdown below:
                // pending operations would never get their ECANCELED and close() would wait forever.
            }
        }
        boolean ringUsable = !(death instanceof CqeLostError);
        try {
            // Producers inside their check-then-offer window finish it; afterwards none can enqueue (they see
            // CLOSING), so draining the queue once more is final.
            while ((ctl & PRODUCER_MASK) != 0) {
                Thread.onSpinWait();
            }
            drainOnShutdown();
            if (ringUsable) {
                cancelAllInFlight();
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "error while draining io_uring loop " + options.threadName(), t);
        }
        int errno = ringUsable ? Errno.ECANCELED : Errno.EBADR;
        boolean leaked = false;
        for (int i = 0; i < slots.length; i++) {
            UringOperation op = slots[i];
            if (op != null) {
                // No final CQE within the grace time: the kernel may still own the memory. Quarantine it.
                slots[i] = null;
                op.resource = null;
                op.slot = NO_SLOT;
                if (!internal[i]) {
                    userInFlight--;
                    quarantinedOps++;
                    leaked = true;
                }
                deliver(op, -errno, UringOperation.FLAG_LOOP_TERMINATED);
            }
        }
        transition(CLOSING, TERMINATED);
        for (Runnable listener : terminationListeners) {
            if (terminationListeners.remove(listener)) {
                runTask(listener);
            }
        }
        drainOnShutdown(); // tasks that ran above may have queued more
        try {
            ring.close();
        } finally {
            releaseNative(leaked);
            ShutdownHook.unregister(this);
            terminated.countDown();
        }
    }

    private void drainOnShutdown() {
        for (int rounds = 0; rounds < 1000; rounds++) {
            boolean any = false;
            Object item;
            while ((item = handoff.relaxedPoll()) != null) {
                any = true;
                if (item instanceof UringOperation op) {
                    rejectChain(op);
                } else {
                    runTask((Runnable) item);
                }
            }
            Runnable r;
            while ((r = localTasks.poll()) != null) {
                any = true;
                runTask(r);
            }
            UringOperation op;
            while ((op = backlog.poll()) != null) {
                any = true;
                rejectChain(op);
            }
            if (!any) {
                return;
            }
        }
    }

    private void rejectChain(UringOperation head) {
        rejectChain(head, UringOperation.FLAG_LOOP_TERMINATED);
    }

    /** Ends a chain that never reached the kernel: {@code -ECANCELED} with {@code flags} for each op, in order. */
    private void rejectChain(UringOperation head, int flags) {
        for (UringOperation o = head; o != null; ) {
            UringOperation next = o.chainNext;
            o.chainNext = null;
            completeWithoutKernel(o, -Errno.ECANCELED, flags);
            o = next;
        }
    }

    private void cancelAllInFlight() {
        if (inFlightTotal() == 0) {
            return;
        }
        // One cancel per op, by its user_data: the kernel finds each in its cancel hash at once, where a single
        // ASYNC_CANCEL with ANY | ALL rescans every table for each op it cancels (about a second for 10,000 here).
        for (int i = 0; i < slots.length; i++) {
            UringOperation op = slots[i];
            if (op == null || op instanceof InternalCancel) {
                continue;
            }
            if (freeTop == 0) {
                break; // cannot happen: there are as many internal slots as user ones
            }
            if (sq.free() == 0) {
                flushSubmissions();
                reap();
                if (sq.free() == 0) {
                    break;
                }
            }
            InternalCancel c = new InternalCancel(null);
            c.spec(op.spec.opcode == IORING_OP_POLL_ADD
                    ? OpSpec.of(IORING_OP_POLL_REMOVE).addr(op.userData)
                    : OpSpec.asyncCancel(op.userData, 0));
            prepare(c, true);
        }
        // And one sweep for anything the loop above did not name (an op re-armed meanwhile); cheap now, because the
        // kernel runs it after the cancels above have emptied its tables.
        if (freeTop > 0 && (sq.free() > 0 || flushSubmissions() && sq.free() > 0)) {
            InternalCancel all = new InternalCancel(null);
            all.spec(OpSpec.asyncCancel(0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL));
            prepare(all, true);
        }
        // The grace is time spent waiting for the kernel, not time spent delivering completions and freeing their
        // memory (reap): a slow subscriber or allocator must not turn ops that did complete into quarantined ones.
        long waitLeft = options.shutdownGrace().toNanos();
        while (inFlightTotal() > 0 && waitLeft > 0) {
            long start = System.nanoTime();
            enter(1, Duration.ofNanos(waitLeft));
            waitLeft -= System.nanoTime() - start;
            reap();
        }
        // Completions the kernel has produced but not yet posted (task work) still count: take them in without
        // waiting, for as long as that makes progress. A zero grace means "do not collect at all".
        int before;
        do {
            before = inFlightTotal();
            if (before == 0 || !options.shutdownGrace().isPositive()) {
                break;
            }
            enter(0, null);
            reap();
        } while (inFlightTotal() < before); // only while final CQEs keep coming (a multishot's MORE CQEs do not count)
    }

    private int inFlightTotal() {
        return slots.length - freeTop;
    }

    private void releaseNative(boolean leakScratch) {
        int efd = eventFd;
        if (efd >= 0) {
            eventFd = -1;
            LibC.close(efd);
        }
        if (arena != null && !leakScratch) {
            arena.close();
        }
    }

    /** Ends every live loop when the JVM shuts down, so pending subscribers get their ECANCELED. */
    static final class ShutdownHook {
        private static final java.util.Set<UringLoop> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private static final java.util.concurrent.atomic.AtomicBoolean INSTALLED =
                new java.util.concurrent.atomic.AtomicBoolean();

        static void register(UringLoop loop) {
            if (INSTALLED.compareAndSet(false, true)) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(ShutdownHook::closeAll, "uring-shutdown"));
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
                    l.awaitTermination(l.options.shutdownGrace().plusSeconds(1));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
