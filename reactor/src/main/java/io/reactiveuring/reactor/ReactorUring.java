package io.reactiveuring.reactor;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.binding.Errno;
import io.reactiveuring.core.binding.IoUring;
import io.reactiveuring.core.binding.Poll;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.OpCall;
import io.reactiveuring.core.reactive.OpOptions;
import io.reactiveuring.core.reactive.ResultCall;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * io_uring for Reactor: every op is a cold {@link Mono} (a linked chain a {@link Flux}). Nothing is submitted
 * before a subscriber requests; each subscription submits its own SQE on one of the rings (the caller's own ring
 * when it runs on a loop thread, else round-robin); the CQE becomes {@code onNext} + {@code onComplete}, or
 * {@code onError} with a {@link UringException} carrying the errno. Cancelling submits {@code ASYNC_CANCEL}; a
 * value that arrives anyway goes to the subscriber context's discard hook ({@code Operators.onDiscard}), an error to
 * its dropped-error hook. Signals arrive on the ring's loop thread (errors raised before submission, such as an
 * ended ring, on the requesting thread): move heavy work elsewhere with {@code publishOn}.
 *
 * <p>Make one with {@link #create()} (one ring per core, loop threads marked {@code NonBlocking}), or over
 * existing rings with {@link #of(UringLoop)} / {@link #of(UringGroup)}. Per-op settings come as views sharing the
 * same rings: {@link #withTimeout(Duration)} (a kernel-side {@code LINK_TIMEOUT}, unlike Reactor's scheduler-based
 * {@code Mono.timeout}) and {@link #withPollRetry(PollRetry)}.
 *
 * <p>Ownership: {@link #dispose()} ends every ring of this instance and of all its views, including rings passed
 * to {@code of} (like {@code Schedulers.fromExecutorService}): pending subscribers then get a
 * {@code UringCancelledException} exactly once, and later subscriptions fail with it at once. Memory an op reads
 * or writes ({@code MemorySegment} arguments) belongs to the caller but must stay valid while the kernel may use
 * it: until the Mono terminates, or after a cancel until the op's final CQE; ops built from an {@link OpCall}
 * own their memory and release it exactly then. Immutable and safe to use from any thread.
 */
public final class ReactorUring implements Disposable {
    private final RingSet rings;
    private final UringScheduler scheduler;
    private final OpOptions options;

    private ReactorUring(RingSet rings, UringScheduler scheduler, OpOptions options) {
        this.rings = rings;
        this.scheduler = scheduler;
        this.options = options;
    }

    private ReactorUring(List<UringLoop> loops) {
        this.rings = new RingSet(loops);
        this.scheduler = new UringScheduler(rings);
        this.options = OpOptions.DEFAULT;
    }

    // ------------------------------------------------------------------------------------------- creation

    /** One ring per available processor, default loop options, loop threads marked {@code NonBlocking}. */
    public static ReactorUring create() {
        return create(Runtime.getRuntime().availableProcessors(),
                LoopOptions.defaults().withThreadName("uring-reactor"));
    }

    /**
     * {@code loops} rings built from {@code options}. Where the options keep the core defaults, Reactor's are used
     * instead: loop threads from {@link NonBlockingLoopThreads}, and exceptions thrown by subscribers on a loop
     * thread go to Reactor's dropped-error hook ({@code Operators.onErrorDropped}) rather than to the JDK logger.
     *
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be used here
     */
    public static ReactorUring create(int loops, LoopOptions options) {
        Objects.requireNonNull(options, "options");
        LoopOptions o = options;
        if (o.threadFactory() == LoopOptions.PLATFORM_DAEMON) {
            o = o.withThreadFactory(NonBlockingLoopThreads.INSTANCE);
        }
        if (o.errorHook() == LoopOptions.LOG_ERRORS) {
            o = o.withErrorHook(t -> ErrorReporting.dropped(t, Context.empty()));
        }
        return of(new UringGroup(loops, o));
    }

    /** Over one existing ring; {@link #dispose()} ends it. */
    public static ReactorUring of(UringLoop loop) {
        return new ReactorUring(List.of(Objects.requireNonNull(loop, "loop")));
    }

    /** Over every ring of an existing group; {@link #dispose()} ends them. */
    public static ReactorUring of(UringGroup group) {
        return new ReactorUring(Objects.requireNonNull(group, "group").loops());
    }

    // ------------------------------------------------------------------------------------------- views

    /** The per-op settings of this view. */
    public OpOptions options() {
        return options;
    }

    /** A view whose ops carry a kernel-side timeout ({@code LINK_TIMEOUT}, re-armed over every retry from one
     * deadline); expiry is a {@code UringTimeoutException}. Linked chains ({@link #linked}) are not affected. */
    public ReactorUring withTimeout(Duration timeout) {
        return withOptions(options.withLinkTimeout(timeout));
    }

    /** A view whose ops retry {@code -EAGAIN} in {@code mode} instead of the ring's own mode. */
    public ReactorUring withPollRetry(PollRetry mode) {
        return withOptions(options.withPollRetry(mode));
    }

    /** A view with these per-op settings. */
    public ReactorUring withOptions(OpOptions newOptions) {
        return new ReactorUring(rings, scheduler, Objects.requireNonNull(newOptions, "options"));
    }

    /** The rings' {@link UringScheduler} (shared by all views). */
    public UringScheduler scheduler() {
        return scheduler;
    }

    public List<UringLoop> loops() {
        return rings.loops();
    }

    // ------------------------------------------------------------------------------------------- ops

    /** {@code IORING_OP_NOP}: emits 0. */
    public Mono<Integer> nop() {
        return op(OpSpec.nop());
    }

    /**
     * {@code IORING_OP_READ} of up to {@code buffer.byteSize()} bytes at {@code fileOffset} ({@code -1}: the
     * current position, or a stream) into caller memory; emits the byte count (0 at end of file). {@code kind}
     * says how an {@code -EAGAIN} is retried in {@code PollRetry.USER} mode.
     *
     * @throws IllegalArgumentException on a negative fd, heap memory or an offset below -1
     */
    public Mono<Integer> read(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return op(retrying(OpSpec.read(fd, buffer, fileOffset), kind, Poll.READABLE));
    }

    /** {@code IORING_OP_WRITE} of {@code buffer} at {@code fileOffset}; emits the bytes written. See {@link #read}. */
    public Mono<Integer> write(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return op(retrying(OpSpec.write(fd, buffer, fileOffset), kind, Poll.WRITABLE));
    }

    /**
     * A kernel timer ({@code IORING_OP_TIMEOUT}): completes empty once {@code delay} has passed. Not Reactor's
     * {@code Mono.timeout} operator; see {@link #withTimeout} for a kernel-side timeout of another op.
     */
    public Mono<Void> timeout(Duration delay) {
        return op(OpSpec.timeout(delay, 0))
                .onErrorResume(ReactorUring::isTimerExpiry, expired -> Mono.empty())
                .then();
    }

    /** {@code IORING_OP_POLL_ADD} (one shot) for {@code events} ({@code Poll.POLLIN}, ...); emits the ready mask. */
    public Mono<Integer> poll(int fd, int events) {
        return op(OpSpec.pollAdd(fd, events, false));
    }

    /** {@code IORING_OP_FSYNC}: data and metadata of {@code fd} to stable storage; emits 0. */
    public Mono<Integer> fsync(int fd) {
        OpSpec.checkFd(fd);
        return op(OpSpec.of(IoUring.IORING_OP_FSYNC).fd(fd));
    }

    /**
     * Any single SQE, emitting its {@code res}; never retried. The spec is shared by every subscription: do not
     * change it afterwards, and keep memory it points to valid as described in the class comment.
     */
    public Mono<Integer> op(OpSpec spec) {
        return op(ResultCall.of(spec));
    }

    /**
     * Any op: {@code calls} supplies a fresh {@link OpCall} for each subscription at its first request (allocate
     * per-subscription memory there); the call is released after the op's last CQE whatever the subscriber did.
     * Each catalogue op is such a call, so this is the path every op takes.
     */
    public <T> Mono<T> op(Supplier<? extends OpCall<T>> calls) {
        return new MonoUringOp<>(rings, scheduler, calls, options);
    }

    /**
     * The specs as one linked chain ({@code IOSQE_IO_LINK}), e.g. write then fsync: emits each {@code res} in
     * order; an op skipped because an earlier one failed or was short is a {@code UringLinkBrokenException}.
     */
    public Flux<Integer> linked(OpSpec... specs) {
        Objects.requireNonNull(specs, "specs");
        if (specs.length == 0) {
            throw new IllegalArgumentException("a linked chain needs at least one op");
        }
        List<ResultCall> calls = Arrays.stream(specs).map(ResultCall::of).toList();
        return linked(() -> calls);
    }

    /** A linked chain of calls, fresh for each subscription (see {@link #op(Supplier)}). */
    public Flux<Integer> linked(Supplier<? extends List<? extends OpCall<Integer>>> calls) {
        return new FluxUringLinked(rings, scheduler, calls);
    }

    // Multishot ops (accept, recv with a provided-buffer ring, multishot poll) will be Flux<T> here: a
    // FluxUringMultishot over core's MultishotPublisher, whose demand arms and re-arms the kernel op.

    /** An immutable call serves every subscription: no allocation per subscription besides the subscription. */
    private <T> Mono<T> op(OpCall<T> sharedCall) {
        return op(() -> sharedCall);
    }

    private static ResultCall retrying(OpSpec plain, FdKind kind, int readiness) {
        Objects.requireNonNull(kind, "kind");
        OpSpec nowait = plain.copy().opFlags(plain.opFlags() | Poll.RWF_NOWAIT);
        return switch (kind) {
            case REGULAR_FILE -> ResultCall.regularFile(plain, nowait);
            case POLLABLE -> readiness == Poll.READABLE
                    ? ResultCall.readable(plain, nowait)
                    : ResultCall.writable(plain, nowait);
        };
    }

    /** The timer's own expiry ({@code -ETIME}), not a {@code withTimeout} link timeout that also carries ETIME. */
    private static boolean isTimerExpiry(Throwable t) {
        return t instanceof UringException e && !(t instanceof UringTimeoutException) && e.errno() == Errno.ETIME;
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /** Ends every ring (returns at once; callable from a loop thread) and disposes the scheduler. */
    @Override
    public void dispose() {
        scheduler.dispose();
        rings.dispose();
    }

    /** True once every ring has been asked to end. */
    @Override
    public boolean isDisposed() {
        return rings.isDisposed();
    }

    /** Waits until every ring has ended; true if they did within {@code timeout}. Not on a loop thread. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return rings.awaitTermination(Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public String toString() {
        return "ReactorUring(" + rings.size() + " ring" + (rings.size() == 1 ? "" : "s") + ", " + options + ")";
    }
}
