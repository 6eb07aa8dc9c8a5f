package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.binding.GeteventsArgLayout;
import io.reactiveuring.core.binding.KernelTimespecLayout;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.ring.CompletionQueue;
import io.reactiveuring.core.ring.Ring;
import io.reactiveuring.core.ring.SubmissionQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import java.util.function.IntConsumer;

import static io.reactiveuring.core.engine.Handoff.CLOSING;
import static io.reactiveuring.core.engine.Handoff.RUNNING;
import static io.reactiveuring.core.engine.Handoff.TERMINATED;
import static io.reactiveuring.core.linux.IoUring.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The task that owns one ring: a platform thread that takes work handed over by other threads, writes SQEs, enters
 * the kernel once per turn, reaps CQEs and dispatches them to {@link UringOperation}s.
 *
 * <p>Its duty cycle, one turn: run local tasks, take in hand-offs, run the {@link #beforeEnter} hooks, enter the
 * kernel (submit, and run the kernel's deferred task work), reap and dispatch the CQEs; with nothing to do, announce
 * sleep and block in {@code io_uring_enter} until a CQE or a wake-up arrives. The rooms it delegates to: the slot
 * table and user_data codec ({@code SlotTable}), the hand-off and lifecycle state ({@code Handoff}), the backlog
 * of submissions waiting for room ({@code SubmissionBacklog}), cancellation ({@code LoopCancellation}), the end of
 * the task ({@code LoopShutdown}), the counters ({@link LoopStats}) and the timers ({@link LoopTimers}).
 *
 * <p>Threading: {@link #submit}, {@link #submitLinked}, {@link #cancel}, {@link #execute} and {@link #close} may be
 * called from any thread. From the loop thread they act directly (the SQEs join the batch of the next
 * {@code io_uring_enter}); from other threads they go through a bounded multi-producer queue, and the loop is woken
 * through an eventfd read kept in flight on the ring, only when it has announced that it is about to sleep. Every
 * completion is delivered on the loop thread. {@link #beforeEnter}, {@link #submitPending}, {@link #timers()}'s
 * scheduling and {@link #register} are loop-thread only.
 *
 * <p>Ownership: an operation and the memory it points to belong to the engine from submission until its final
 * completion. user_data is a slot index plus a generation (plus the opcode), so a stale CQE can never reach the
 * wrong operation; such CQEs are dropped and counted in {@link #staleCompletions()}.
 *
 * <p>End of the task: {@link #close()}, the JVM shutdown hook, or an {@link Error} escaping a callback end the
 * loop. It then refuses new work, cancels everything in flight, reaps the final CQEs (waiting in the kernel for up
 * to {@link LoopOptions#shutdownGrace()}), delivers {@code -ECANCELED} (flagged
 * {@link UringOperation#FLAG_LOOP_TERMINATED}) to whatever is left, quarantines that memory, and only then unmaps
 * the rings and closes the fds. Work submitted after that fails at once with {@code -ECANCELED}.
 */
public final class UringLoop implements Executor, AutoCloseable {
    static final System.Logger LOG = System.getLogger("io.reactiveuring.core.engine");

    /** Scratch bytes per slot, for the structs the engine writes at preparation (a timespec). */
    private static final int SCRATCH_BYTES = 64;
    /** CQEs copied out of the ring at a time by {@link #reap}: 4 KiB of longs, enough for most turns' CQEs. */
    private static final int REAP_BATCH = 256;
    /** The user weight of a prepared op (see {@link SlotTable}): a user operation counts in the in-flight bound. */
    private static final int USER_OP = 1;
    /** The loop's own op (wake-up read, cancel, timer): it has a reserved slot and is not counted. */
    private static final int INTERNAL_OP = 0;
    /** Hand-offs taken in per turn, so completions are reaped between large bursts of them. */
    private static final int HANDOFFS_PER_TURN = 4096;
    /** Pre-enter hooks run per turn at most (a hook that keeps re-adding itself must not stall the loop). */
    private static final int HOOKS_PER_TURN = 1 << 16;

    private final LoopOptions options;
    private final Thread thread;
    final Handoff handoff;
    final LoopStats stats = new LoopStats();
    private final LoopTimers timers = new LoopTimers(this);
    private final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch terminated = new CountDownLatch(1);
    /** Completed after the loop has ended and its ring is closed and unmapped; see {@link #onTerminated()}. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    final LoopShutdown shutdown = new LoopShutdown(this);
    private final LoopCancellation cancellation = new LoopCancellation(this);
    private volatile Throwable startFailure;
    private volatile RingFeatures features;
    /** Set once on the loop thread before the constructor returns (the started latch publishes it). */
    private PollRetry defaultPollRetry = PollRetry.USER;

    // ---- loop-thread state
    Ring ring;
    SubmissionQueue sq;
    private CompletionQueue cq;
    private MemorySegment errnoCapture;
    Arena arena;
    private MemorySegment waitArg;
    SlotTable slots;
    /** Loop thread only: the CQEs {@link #reap} copied out, as [user_data, res | flags << 32] pairs. */
    private final long[] reapedBatch = new long[2 * REAP_BATCH];
    /** Loop thread only: the next pair of {@link #reapedBatch} to dispatch, and the end of the copied ones. */
    private int reapedNext;
    private int reapedEnd;
    private SqeWriter writer;
    final SubmissionBacklog backlog = new SubmissionBacklog();
    /** Ops of a drained submission (IOSQE_IO_DRAIN) still in flight; nothing else is submitted meanwhile. */
    private int drainPending;
    final ArrayDeque<Runnable> localTasks = new ArrayDeque<>();
    final ArrayDeque<Runnable> beforeEnterHooks = new ArrayDeque<>();
    private WakeRead wakeRead;
    /** Set when the loop starts to end: callbacks that throw Errors no longer kill it, the wake read stops. */
    boolean dying;

    /**
     * Starts a loop with its own thread; returns once the ring exists.
     *
     * @param options how to build it
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be set up
     */
    public UringLoop(LoopOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.handoff = new Handoff(options.handoffCapacity());
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
        LoopShutdown.Hook.register(this);
    }

    /** A loop with {@link LoopOptions#defaults()}. */
    public UringLoop() {
        this(LoopOptions.defaults());
    }

    // ------------------------------------------------------------------------------------------------ public API

    /** @return true when called on this loop's thread */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** @return the loop's platform thread */
    public Thread thread() {
        return thread;
    }

    /** @return how this loop was built */
    public LoopOptions options() {
        return options;
    }

    /** @return what the ring was set up with and what the kernel supports */
    public RingFeatures features() {
        return features;
    }

    /**
     * @param opcode an {@code IORING_OP_*} constant
     * @return true if this ring's kernel supports it (or could not say: its probe failed)
     */
    public boolean supports(byte opcode) {
        RingFeatures f = features;
        return f == null || f.admits(opcode);
    }

    /**
     * The retry mode of this ring's ops that do not choose one: {@link LoopOptions#pollRetry()} with {@code AUTO}
     * resolved once, at start (KERNEL when the ring reports {@code IORING_FEAT_FAST_POLL}, USER otherwise).
     *
     * @return KERNEL or USER
     */
    public PollRetry defaultPollRetry() {
        return defaultPollRetry;
    }

    /** @return true once the loop has ended and released the ring */
    public boolean isTerminated() {
        return handoff.state() == TERMINATED;
    }

    /** @return true once the loop has been asked to end (or has ended) */
    public boolean isShuttingDown() {
        return handoff.state() != RUNNING;
    }

    /**
     * Submits {@code op}. Every submission gets exactly one final {@link UringOperation#onCompletion}; if the loop
     * has ended it is {@code -ECANCELED} with {@link UringOperation#FLAG_LOOP_TERMINATED}, delivered on the
     * calling thread.
     *
     * @param op the operation, with its spec set
     * @throws IllegalArgumentException    if the kernel lacks the op ({@code supports(op)} is false)
     * @throws RejectedExecutionException  if the hand-off queue from other threads is full
     */
    public void submit(UringOperation op) {
        Objects.requireNonNull(op, "operation");
        checkSpec(op);
        op.chainNext = null;
        op.chainPrev = null;
        op.chainFlags = 0;
        op.guard = null;
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
     * A one-shot {@code POLL_ADD} linked before a single op is that op's readiness guard: cancelling the op while the
     * poll still waits cancels the poll (the kernel cannot find a linked op that has not started).
     *
     * @param chain the operations, in order
     * @throws IllegalArgumentException if the chain is empty or could never fit the SQ or the in-flight bound
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
            op.chainPrev = i == 0 ? null : chain[i - 1];
            op.chainNext = last ? null : chain[i + 1];
            boolean hard = (op.spec.sqeFlags & IOSQE_IO_HARDLINK) != 0;
            op.chainFlags = last ? 0 : hard ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK;
            op.guard = null;
        }
        if (chain.length == 2 && chain[0].spec.opcode == IORING_OP_POLL_ADD && chain[0].spec.len == 0) {
            chain[1].guard = chain[0];
            chain[0].guarded = chain[1];
        }
        if (inLoop()) {
            submitOnLoop(chain[0]);
        } else {
            handOff(chain[0]);
        }
    }

    /**
     * Cancels {@code target}: if the kernel has not seen it yet it completes with {@code -ECANCELED} without
     * running (still queued: at once; its SQE already written in this turn's batch: the SQE becomes a NOP); if it is
     * in flight an {@code ASYNC_CANCEL} for its user_data is submitted ({@code POLL_REMOVE} if it is a
     * {@code POLL_ADD}). The target still gets its own final completion (its memory stays owned until then).
     * {@code onCancelResult} (may be null) receives the cancel's own result on the loop thread: 0, {@code -ENOENT}
     * or {@code -EALREADY}; 1 for a target cancelled before submission, 0 for one whose SQE became a NOP;
     * {@code -ENOENT} if it was not pending at all. Never throws for a loop that has ended (a Reactive Streams
     * {@code cancel()} must return normally): every op then has had or is getting its final {@code -ECANCELED}
     * anyway, and {@code onCancelResult} gets {@code -ENOENT} on the calling thread. O(1) on the loop thread.
     *
     * @param target         the operation
     * @param onCancelResult receives the cancel's result, or null
     * @throws RejectedExecutionException if the loop runs but its hand-off queue is full
     */
    public void cancel(UringOperation target, IntConsumer onCancelResult) {
        Objects.requireNonNull(target, "target");
        if (inLoop()) {
            cancellation.cancel(target, onCancelResult);
            return;
        }
        try {
            execute(() -> cancellation.cancel(target, onCancelResult));
        } catch (RejectedExecutionException e) {
            if (handoff.state() == RUNNING) {
                throw e; // hand-off queue full: the caller must know the cancel did not happen
            }
            notifyCancel(onCancelResult, -Errno.ENOENT);
        }
    }

    /**
     * {@link #cancel(UringOperation, IntConsumer)} without a result.
     *
     * @param target the operation
     */
    public void cancel(UringOperation target) {
        cancel(target, null);
    }

    /**
     * Runs {@code task} on the loop thread (later, never inline).
     *
     * @param task the task
     * @throws RejectedExecutionException if the loop has ended or the hand-off queue is full
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (inLoop()) {
            if (handoff.state() == TERMINATED) {
                throw new RejectedExecutionException("io_uring loop has terminated");
            }
            localTasks.add(task);
        } else {
            handOff(task);
        }
    }

    /**
     * Runs {@code hook} once on the loop thread, right before this turn's {@code io_uring_enter}, after the turn's
     * tasks, hand-offs and completions: the place to gather what was queued during the turn into one submission
     * (a connection's pending writes into one {@code writev}). A hook added while hooks run (by one of them)
     * runs in the same phase. Loop thread only; the hook's RuntimeException goes to the error hook.
     *
     * @param hook the hook
     * @throws IllegalStateException      if called from another thread
     * @throws RejectedExecutionException if the loop has ended
     */
    public void beforeEnter(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        if (!inLoop()) {
            throw new IllegalStateException("beforeEnter must be called on the ring's loop thread");
        }
        if (handoff.state() == TERMINATED) {
            throw new RejectedExecutionException("io_uring loop has terminated");
        }
        beforeEnterHooks.add(hook);
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
        if (handoff.state() == RUNNING && sq.unsubmitted() > 0) {
            flushSubmissions();
        }
    }

    /**
     * This loop's timers: tasks run on the loop thread at a deadline, woken by the ring's own {@code TIMEOUT} op.
     *
     * @return the timers
     */
    public LoopTimers timers() {
        return timers;
    }

    /**
     * Runs {@code listener} once when this loop has ended: on the loop thread, after every in-flight operation got
     * its final completion; or at once on the calling thread if the loop has already ended. For layers above whose
     * subscribers may have nothing in flight when the loop ends (a multishot subscription disarmed at zero demand),
     * so they still learn of it. Remove the listener with {@link #removeTerminationListener} once it is no longer
     * needed: the loop holds it strongly until then. A RuntimeException it throws goes to the error hook.
     *
     * @param listener what to run
     */
    public void addTerminationListener(Runnable listener) {
        shutdown.addListener(listener);
    }

    /**
     * Forgets a listener added with {@link #addTerminationListener}; no effect if it ran or was never added.
     *
     * @param listener the listener
     */
    public void removeTerminationListener(Runnable listener) {
        shutdown.removeListener(listener);
    }

    /** Asks the loop to end; returns at once. */
    public void dispose() {
        if (handoff.state() == RUNNING && handoff.transition(RUNNING, CLOSING) && !inLoop()) {
            handoff.wake(true);
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

    /**
     * Completes once the loop has ended and released everything: after the termination listeners, with its ring
     * closed and unmapped (unlike a termination listener, which runs while the ring is still open). Dependent actions
     * run on the loop's thread as its last act, before {@link #awaitTermination} returns, or at once on the caller's
     * if it has already ended.
     *
     * @return the loop's complete end; never completes exceptionally
     */
    public CompletableFuture<Void> onTerminated() {
        return closed.thenApply(v -> v); // a view: a caller's complete() cannot end the loop's own
    }

    /**
     * Waits for the loop to end.
     *
     * @param timeout how long at most
     * @return true if it ended within {@code timeout}
     * @throws InterruptedException if interrupted while waiting
     */
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
     * @param opcode an {@code IORING_REGISTER_*} opcode
     * @param arg    its argument (may be null)
     * @param nrArgs its count
     * @return the kernel's result, or {@code -errno}
     * @throws IllegalStateException if called from another thread or after the ring was closed
     */
    public int register(int opcode, MemorySegment arg, int nrArgs) {
        if (!inLoop()) {
            throw new IllegalStateException("io_uring_register must run on the ring's loop thread");
        }
        if (handoff.state() == TERMINATED || ring == null || ring.isClosed()) {
            throw new IllegalStateException("the ring is closed");
        }
        return LibC.ioUringRegister(ring.fd(), opcode, arg == null ? MemorySegment.NULL : arg, nrArgs);
    }

    /** @return this ring's fd, e.g. as the target of {@code MSG_RING} from another ring; -1 once closed */
    public int ringFd() {
        Ring r = ring;
        return r == null || r.isClosed() ? -1 : r.fd();
    }

    /** @return this loop's counters, safe to read from any thread */
    public LoopStats stats() {
        return stats;
    }

    /** @return operations in flight now (user ops; internal ones such as the wake-up read excluded) */
    public int inFlight() {
        return stats.inFlight();
    }

    /** @return completions whose user_data named a slot generation that was no longer current; must stay 0 */
    public long staleCompletions() {
        return stats.staleCompletions();
    }

    /** @return operations whose memory was never released because the ring ended before their final CQE */
    public long quarantinedOperations() {
        return stats.quarantinedOperations();
    }

    /** @return user operations prepared into SQEs so far (internal ones such as the wake-up read not counted) */
    public long submittedOperations() {
        return stats.submittedOperations();
    }

    /** @return CQEs delivered to operations */
    public long completionCount() {
        return stats.completions();
    }

    /** @return {@code io_uring_enter} calls */
    public long enterCalls() {
        return stats.enterCalls();
    }

    /** @return eventfd writes that woke a sleeping loop */
    public long wakeups() {
        return stats.wakeups();
    }

    /** @return times the loop flushed an overflowed CQ ({@code IORING_SQ_CQ_OVERFLOW}) */
    public long overflowFlushes() {
        return stats.overflowFlushes();
    }

    /** @return RuntimeExceptions thrown by callbacks and routed to the error hook */
    public long callbackErrors() {
        return stats.callbackErrors();
    }

    /** @return ASYNC_CANCELs (or POLL_REMOVEs) submitted on behalf of {@link #cancel} */
    public long cancelsIssued() {
        return stats.cancelsIssued();
    }

    /**
     * One in-flight operation as seen in {@link #inFlightSnapshot()}.
     *
     * @param op       what it is ({@code READ fd=42})
     * @param userData its user_data
     * @param fd       its fd, or -1
     * @param internal true for the loop's own ops (wake-up read, cancels, timers)
     */
    public record InFlightOp(String op, long userData, int fd, boolean internal) {
    }

    /**
     * A snapshot of the in-flight table, taken on the loop thread (like fdinfo's "Inflight:" listing).
     *
     * @return the snapshot, completed on the loop thread (empty once the loop has ended)
     */
    public CompletableFuture<List<InFlightOp>> inFlightSnapshot() {
        CompletableFuture<List<InFlightOp>> f = new CompletableFuture<>();
        Runnable r = () -> {
            List<InFlightOp> list = new ArrayList<>();
            SlotTable t = slots;
            for (int i = 0; t != null && i < t.capacity(); i++) {
                UringOperation op = t.at(i);
                if (op != null) {
                    list.add(new InFlightOp(op.describe(), op.userData, op.spec.fd, t.isInternal(i)));
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
        return "UringLoop[" + options.threadName() + ", inFlight=" + inFlight() + ", state=" + handoff.state() + "]";
    }

    // ------------------------------------------------------------------------------------------------ hand-off

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
        if (f != null && !f.admits(spec.opcode)) {
            throw new IllegalArgumentException("io_uring opcode " + spec.describe()
                    + " is not supported by this kernel (IORING_REGISTER_PROBE)");
        }
    }

    private void handOff(Object item) {
        if (!handoff.offer(item)) {
            rejectAfterEnd(item);
        }
    }

    private void rejectAfterEnd(Object item) {
        if (item instanceof UringOperation op) {
            rejectChain(op, UringOperation.FLAG_LOOP_TERMINATED);
        } else {
            throw new RejectedExecutionException("io_uring loop has ended");
        }
    }

    // ------------------------------------------------------------------------------------------------ the task

    private void run() {
        try {
            onStart();
        } catch (Throwable t) {
            startFailure = t;
            handoff.transition(RUNNING, TERMINATED);
            releaseNative(true);
            started.countDown();
            closed.complete(null);
            terminated.countDown();
            return;
        }
        started.countDown();
        Throwable death = null;
        try {
            while (handoff.state() == RUNNING) {
                if (doWork() == 0) {
                    idle();
                }
            }
        } catch (Throwable t) {
            death = t;
        } finally {
            shutdown.run(death);
        }
    }

    /** Creates the ring on the loop thread (SINGLE_ISSUER), the slot table, scratch memory and the wake-up read. */
    private void onStart() {
        // The loop's own capture buffer lives in global memory: a downcall given a segment of a shared (or automatic)
        // arena acquires and releases that arena's session around the call, two atomic operations per enter.
        errnoCapture = LibC.newErrnoCapture();
        ring = Ring.create(options.sqEntries(), options.cqEntries(), options.refusedSetupFlags());
        sq = ring.sq();
        cq = ring.cq();
        features = ring.features();
        PollRetry mode = options.pollRetry();
        defaultPollRetry = mode != PollRetry.AUTO ? mode
                : features.hasFeature(IORING_FEAT_FAST_POLL) ? PollRetry.KERNEL : PollRetry.USER;
        slots = new SlotTable(options.maxInFlight() * 2 + 2); // user ops + as many internal ones (cancels, wake read)
        arena = Arena.ofShared();
        MemorySegment scratch = arena.allocate((long) slots.capacity() * SCRATCH_BYTES, 64);
        writer = new SqeWriter(sq.sqes(), scratch);
        waitArg = arena.allocate(GeteventsArgLayout.SIZE + KernelTimespecLayout.SIZE, 8);
        int efd = handoff.openEventFd();
        wakeRead = new WakeRead(arena.allocate(JAVA_LONG));
        wakeRead.spec(OpSpec.read(efd, wakeRead.buffer, -1));
        submitInternal(wakeRead);
    }

    /**
     * One turn: local tasks, hand-offs, the pre-enter hooks, enter (when there is something to submit or task work
     * to run), reap. Returns the amount of work done; 0 lets the loop sleep.
     */
    private int doWork() {
        int work = runLocalTasks() + drainHandoff();
        runBeforeEnterHooks();
        int sqFlags = sq.flags();
        if (sq.unsubmitted() > 0 || (sqFlags & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0) {
            if ((sqFlags & IORING_SQ_CQ_OVERFLOW) != 0) {
                stats.overflowFlushed();
            }
            if (work == 0 && sqFlags == 0 && nothingElseQueued() && cq.ready() == 0 && handoff.announceSleep()) {
                // What is queued was prepared by the last turn's completions and nothing else waits: submit it and
                // sleep in the same io_uring_enter (liburing's submit_and_wait) rather than one enter to submit
                // and a second to wait, a syscall saved per request-response turn of every connection and per
                // read of a depth-1 file stream.
                return sleepInEnter() + 1;
            }
            enter(0, null);
        }
        work += reap();
        if (!nothingElseQueued()) {
            work++;
        }
        return work;
    }

    private boolean nothingElseQueued() {
        return localTasks.isEmpty() && beforeEnterHooks.isEmpty() && handoff.isEmpty();
    }

    /** Nothing to do: announce the sleep, look once more, then block until a CQE (or the wake-up read) arrives. */
    private void idle() {
        if (handoff.announceSleep()) {
            sleepInEnter();
        }
    }

    /**
     * After a successful {@code announceSleep}: submits what is queued and blocks in the same enter until a CQE (or
     * the wake-up read) arrives, then reaps; returns the CQEs reaped.
     */
    private int sleepInEnter() {
        enter(1, null);
        handoff.awake();
        return reap();
    }

    private int runLocalTasks() {
        int n = localTasks.size();
        for (int i = 0; i < n; i++) {
            Runnable r = localTasks.poll();
            if (r == null) {
                break;
            }
            runTask(r);
        }
        return n;
    }

    void runBeforeEnterHooks() {
        Runnable hook;
        for (int i = 0; i < HOOKS_PER_TURN && (hook = beforeEnterHooks.poll()) != null; i++) {
            runTask(hook);
        }
    }

    void runTask(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            callbackError(e);
        }
    }

    private int drainHandoff() {
        int n = 0;
        for (; n < HANDOFFS_PER_TURN; n++) {
            Object item = handoff.relaxedPoll();
            if (item == null) {
                break;
            }
            if (item instanceof UringOperation op) {
                submitOnLoop(op);
            } else {
                runTask((Runnable) item);
            }
        }
        return n;
    }

    /**
     * Moves every hand-off queued so far onto the loop: ops are submitted (or backlogged) in their order, except
     * {@code cancelled}, which ends with {@code -ECANCELED} right away (true if it was there); tasks go to the local
     * task queue and run at the next turn of the loop, as they would have. {@code poll} (not relaxed): an offer that
     * completed before the caller's cancel must be seen.
     */
    boolean takeInHandoffs(UringOperation cancelled) {
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

    // ------------------------------------------------------------------------------------------------ the kernel

    /**
     * io_uring_enter: submits what is queued and, with GETEVENTS (always: under DEFER_TASKRUN completions are only
     * posted when the owner enters with it), runs task work. Blocks for {@code minComplete} CQEs, bounded by
     * {@code timeout} if given. Retries EINTR; on EBUSY/EAGAIN (CQ backlog) returns so the caller can reap.
     */
    void enter(int minComplete, Duration timeout) {
        while (true) {
            sq.publish();
            int toSubmit = sq.unsubmitted();
            int flags = IORING_ENTER_GETEVENTS;
            int r;
            stats.entered();
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
                    stats.overflowFlushed();
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

    /**
     * Reaps every CQE posted so far and dispatches it; returns how many. The CQEs are copied out in batches of up to
     * {@link #REAP_BATCH} ({@link CompletionQueue#copyOut}: one tight loop, so the segment is checked per batch
     * instead of twice per CQE between dispatches) and the CQ head is released past each batch at once, so the kernel
     * can post again while the batch is dispatched. CQEs posted during the dispatch
     * (an enter to flush a full SQ runs task work) are reaped in the same call. What a dispatch that threw left of
     * its batch stays in {@link #reapedBatch} and is dispatched first by the next call (the shutdown's), so no CQE is
     * lost.
     */
    int reap() {
        int count = 0;
        long[] batch = reapedBatch;
        while (true) {
            int i = reapedNext;
            if (i == reapedEnd) {
                int head = cq.head();
                int n = Math.min(cq.acquireTail() - head, REAP_BATCH);
                if (n <= 0) {
                    break;
                }
                cq.copyOut(head, n, batch);
                cq.releaseHead(head + n);
                i = 0;
                reapedEnd = 2 * n;
            }
            long ud = batch[i];
            long resAndFlags = batch[i + 1];
            reapedNext = i + 2;
            count++;
            dispatch(ud, (int) resAndFlags, (int) (resAndFlags >>> 32));
        }
        if (count > 0 && !backlog.isEmpty()) {
            drainBacklog();
        }
        return count;
    }

    private void dispatch(long userData, int res, int flags) {
        UringOperation op = slots.lookup(userData);
        if (op == null) {
            stats.staleCompletion();
            return;
        }
        stats.completed();
        if ((flags & IORING_CQE_F_MORE) != 0) {
            deliver(op, res, flags);
            return;
        }
        // The slot is freed before the completion is delivered, so the op can re-submit itself from its callback.
        OwnedResource resource = op.resource;
        op.resource = null;
        freeSlot(op);
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

    void deliver(UringOperation op, int res, int flags) {
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

    void callbackError(Throwable t) {
        stats.callbackFailed();
        try {
            options.errorHook().accept(t);
        } catch (Throwable ignored) {
            // the hook itself failed; nothing more we can do without risking the loop
        }
    }

    // ------------------------------------------------------------------------------------------------ submission

    void submitOnLoop(UringOperation head) {
        if (handoff.state() != RUNNING) {
            rejectChain(head, UringOperation.FLAG_LOOP_TERMINATED);
            return;
        }
        if (!backlog.isEmpty() || !trySubmitNow(head)) {
            backlog.addLast(head);
        }
    }

    /** Writes the chain starting at {@code head} into the SQ if slots and SQEs allow; false if it must wait. */
    private boolean trySubmitNow(UringOperation head) {
        if (drainPending > 0) {
            return false; // nothing passes an op submitted with IOSQE_IO_DRAIN while it runs
        }
        if (head.chainNext == null && (head.spec.sqeFlags & IOSQE_IO_DRAIN) == 0) {
            // One op, the common case: no chain to count or unlink, no drain to keep.
            if (!hasRoom(1)) {
                return false;
            }
            if (head.chainMember) {
                head.chainMember = false; // it was part of a chain in an earlier submission
            }
            prepare(head, USER_OP);
            return true;
        }
        boolean drained = (head.spec.sqeFlags & IOSQE_IO_DRAIN) != 0;
        if (drained && slots.userInFlight() > 0) {
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
            o.drainMember = drained;
            prepare(o, USER_OP);
            o.chainNext = null;
            o = next;
        }
        if (drained) {
            drainPending = n;
        }
        return true;
    }

    /** True if {@code n} more user ops fit now: in-flight limit, free slots, and free SQEs (after a flush). */
    private boolean hasRoom(int n) {
        if (slots.userInFlight() + n > options.maxInFlight() || slots.freeSlots() < n) {
            return false;
        }
        if (!sq.hasFree(n)) {
            flushSubmissions();
            return sq.hasFree(n);
        }
        return true;
    }

    /** An op of the loop's own (wake-up read, cancel, timer): slots are reserved for them. */
    void submitInternal(UringOperation op) {
        if (slots.freeSlots() == 0 || !sq.hasFree(1) && flushSubmissions() && !sq.hasFree(1)) {
            throw new IllegalStateException("no room for an internal io_uring operation");
        }
        prepare(op, INTERNAL_OP);
    }

    boolean flushSubmissions() {
        enter(0, null);
        return true;
    }

    /**
     * The one preparation path: slot and user_data, then the whole SQE from the spec with the flags and user_data,
     * then the op's own changes ({@link UringOperation#prepare(SqeWriter)}, which cannot touch those two).
     */
    private void prepare(UringOperation op, int userWeight) {
        OpSpec s = op.spec;
        slots.claim(op, userWeight, s.opcode);
        op.sqePosition = sq.nextPosition();
        long sqe = sq.claimUnzeroed();
        writer.at(sqe, (long) op.slot * SCRATCH_BYTES);
        // link flags come only from submitLinked: one left in a spec would tie this SQE to an unrelated next one;
        // IOSQE_IO_DRAIN is kept by the engine (trySubmitNow), never passed to the kernel
        byte flags = (byte) ((s.sqeFlags & ~(IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_IO_DRAIN)) | op.chainFlags);
        s.writeEntry(writer, flags, op.userData); // the whole SQE in one method, flags and user_data included
        op.prepare(writer);
        // counted without a branch on the kind of op (see SlotTable's userWeight): an internal op adds 0
        stats.submitted(userWeight);
        stats.inFlight(slots.userInFlight());
    }

    private void freeSlot(UringOperation op) {
        if (op.drainMember) {
            op.drainMember = false;
            drainPending--;
        }
        slots.free(op);
        stats.inFlight(slots.userInFlight()); // unchanged by an internal op; stored anyway rather than tested
    }

    private void drainBacklog() {
        UringOperation head;
        while ((head = backlog.peek()) != null) {
            if (!trySubmitNow(head)) {
                return;
            }
            backlog.remove(head);
        }
    }

    /** Ends a chain that never reached the kernel: {@code -ECANCELED} with {@code flags} for each op, in order. */
    void rejectChain(UringOperation head, int flags) {
        for (UringOperation o = head; o != null; ) {
            UringOperation next = o.chainNext;
            o.chainNext = null;
            o.chainPrev = null;
            OwnedResource r = o.resource;
            o.resource = null;
            try {
                deliver(o, -Errno.ECANCELED, flags);
            } finally {
                if (r != null) {
                    r.release();
                }
            }
            o = next;
        }
    }

    void notifyCancel(IntConsumer onResult, int res) {
        if (onResult != null) {
            try {
                onResult.accept(res);
            } catch (RuntimeException e) {
                callbackError(e);
            }
        }
    }

    /**
     * Prepares an internal cancel: {@code POLL_REMOVE} for a poll, {@code ASYNC_CANCEL} by user_data for anything
     * else; backlogged ahead of everything if no slot is free.
     */
    void submitCancelOf(UringOperation target, IntConsumer onResult) {
        InternalCancel c = new InternalCancel(onResult);
        c.spec(target.spec.opcode == IORING_OP_POLL_ADD
                ? OpSpec.pollRemove(target.userData)
                : OpSpec.asyncCancel(target.userData, 0));
        if (slots.freeSlots() == 0) {
            backlog.addFirst(c);
        } else {
            if (!sq.hasFree(1)) {
                flushSubmissions();
            }
            prepare(c, INTERNAL_OP);
        }
    }

    /** ASYNC_CANCEL on behalf of {@link #cancel}; reports its own result to the caller's consumer. */
    final class InternalCancel extends UringOperation {
        private final IntConsumer onResult;

        InternalCancel(IntConsumer onResult) {
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
                stats.wokenUp();
            } else if (res != -Errno.ECANCELED && (flags & FLAG_LOOP_TERMINATED) == 0) {
                LOG.log(System.Logger.Level.WARNING, "eventfd read failed: " + Errno.name(-res));
            }
            if (handoff.state() == RUNNING && !dying) {
                submitInternal(this);
            }
        }
    }

    /** The loop's last act: everything is released; what waits on {@link #onTerminated()} runs now. */
    void closedCompletely() {
        closed.complete(null);
    }

    /** Frees what the loop allocated for itself; the scratch memory is leaked if the kernel may still use it. */
    void releaseNative(boolean leakScratch) {
        handoff.closeEventFd();
        if (arena != null && !leakScratch) {
            arena.close();
        }
    }
}
