package io.reactiveuring.rxjava;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.file.FileOptions;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.RegisteredBuffers;
import io.reactiveuring.core.ops.RingMailbox;
import io.reactiveuring.core.reactive.FdKind;
import io.reactiveuring.core.reactive.MultishotCall;
import io.reactiveuring.core.reactive.NetCalls;
import io.reactiveuring.core.reactive.OpCall;
import io.reactiveuring.core.reactive.OpOptions;
import io.reactiveuring.core.reactive.UringOps;
import io.reactiveuring.rxjava.file.RxFiles;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import org.reactivestreams.Publisher;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * io_uring for RxJava 3, without Reactor: every op of the catalogue as a cold RxJava type. Nothing is submitted
 * before a subscriber subscribes (and, for a {@link Flowable}, requests); each subscription submits its own SQE on
 * one of the rings (the caller's own ring when it runs on a loop thread, else round robin), and its CQE becomes the
 * success signal, or {@code onError} with an error that carries the errno ({@code UringError.errnoOf(e)}).
 *
 * <p>The RxJava type of each op follows one rule:
 * <ul>
 *   <li>{@link Single}: the op's CQE carries a value — a byte count, a new fd, a ready mask, a buffer, a
 *       {@link FileStat}, a count of cancelled ops, or the raw {@code res} of a generic op;</li>
 *   <li>{@link Completable}: the op succeeds with {@code 0} and nothing else ({@code nop}, {@code fsync},
 *       {@code fdatasync}, {@code fallocate}, {@code close}, {@code connect}, {@code bind}, {@code listen},
 *       {@code shutdown}, {@code timer}, {@code message}): there is no value to pass on;</li>
 *   <li>{@code Maybe}: an op whose value may be absent — none in this catalogue: the end of a file or stream is
 *       an empty buffer (which the subscriber releases like any other), not a missing one;</li>
 *   <li>{@link Flowable}: streams (multishot ops, linked chains), whose backpressure reaches the ring: a multishot
 *       op is armed only while the subscriber has demand, disarmed when it runs out, and CQEs that arrive meanwhile
 *       wait for the next request.</li>
 * </ul>
 * Each op is one line over core's shell-neutral catalogue ({@link UringOps}), which owns the argument checks (bad
 * arguments throw at the call, before anything is submitted), the heap copies, retry shapes and ring placement.
 *
 * <p>Cancellation: disposing a subscription submits {@code ASYNC_CANCEL} ({@code POLL_REMOVE} for a poll) for its
 * op; the op's memory stays the kernel's until its final CQE. A value that arrives anyway (a buffer, an fd) is cleaned
 * up by the op itself, since RxJava has no discard hook: a buffer is released, an fd closed. A real failure that
 * raced with the dispose goes to {@code RxJavaPlugins.onError} (as an {@code UndeliverableException}); the
 * {@code ECANCELED} the cancel itself caused goes nowhere. When a ring ends, every pending subscriber gets one
 * {@code UringCancelledException} ({@code ECANCELED}), and later subscriptions fail with it at once. The library
 * installs no global hook.
 *
 * <p>Threading: signals arrive on the ring's loop thread (errors raised before submission, such as an ended ring,
 * on the subscribing or requesting thread); move heavy work elsewhere with {@code observeOn}. Do not block there
 * ({@code blockingGet} on a loop thread waits for that same thread forever): {@link #isLoopThread()} tells, e.g. for
 * {@code RxJavaPlugins.setOnBeforeBlocking(rx::isLoopThread)} together with
 * {@code RxJavaPlugins.setFailOnNonBlockingScheduler(true)}, which the application chooses to install. Instances are
 * immutable and safe to use from any thread.
 *
 * <p>Ownership: ops that read allocate their buffer per subscription from {@link #allocator()} and emit a
 * {@link UringBuffer} that the subscriber owns and must release; ops that write hold their own reference to the
 * given buffer until the op's final CQE; {@code byte[]} and {@code ByteBuffer} overloads copy the bytes into an owned
 * buffer at each subscription (the kernel never reads the Java heap). RxJava operators that drop items silently (a
 * cleared {@code observeOn} queue at dispose, {@code onBackpressureDrop}) never tell the library: release buffers
 * before such operators, e.g. by mapping them to bytes first. Memory given as {@code MemorySegment} belongs to the
 * caller and must stay valid until the op terminates, or after a dispose until its final CQE. {@link #dispose()}
 * ends every ring of this instance and of all its views, including rings passed to {@code of}; once every ring has
 * ended, the allocator is closed (its memory freed when the last buffer handed out is released).
 *
 * <p>Made with {@link #create()} (one ring per core), or over existing rings with {@link #of(UringLoop)} /
 * {@link #of(UringGroup)}. Per-op settings come as views sharing the rings, the allocator and the
 * {@link #scheduler()}: {@link #withTimeout(Duration)} (a kernel-side {@code LINK_TIMEOUT}, unlike RxJava's
 * scheduler-based {@code timeout}) and {@link #withPollRetry(PollRetry)}.
 */
public final class RxUring implements Disposable, AutoCloseable {
    private final UringOps ops;
    private final RxUringScheduler scheduler;

    private RxUring(UringOps ops, RxUringScheduler scheduler) {
        this.ops = ops;
        this.scheduler = scheduler;
    }

    /** A new instance (not a view): it owns {@code rings} and {@code allocator}. */
    private static RxUring owning(UringGroup rings, BufferAllocator allocator) {
        UringOps ops = UringOps.over(rings, allocator).withDiscard(RxDiscard.INSTANCE);
        return new RxUring(ops, RxUringScheduler.of(rings));
    }

    // ------------------------------------------------------------------------------------------- creation

    /**
     * One ring per available processor, default loop options, and a pooled allocator.
     *
     * @return the instance
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be used here
     */
    public static RxUring create() {
        return create(Runtime.getRuntime().availableProcessors(), LoopOptions.defaults().withThreadName("uring-rx"));
    }

    /**
     * {@code loops} rings built from {@code options}, and a pooled allocator. Where the options keep the core's
     * default error hook, exceptions thrown by subscribers on a loop thread go to {@code RxJavaPlugins.onError}
     * instead of the JDK logger.
     *
     * @param loops   how many rings
     * @param options how to build each
     * @return the instance
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be used here
     */
    public static RxUring create(int loops, LoopOptions options) {
        return owning(group(loops, options), BufferAllocator.pooled());
    }

    /**
     * Like {@link #create(int, LoopOptions)}, with the buffers of every op from {@code allocator}, which this instance
     * then owns: it is closed once the rings have ended.
     *
     * @param loops     how many rings
     * @param options   how to build each
     * @param allocator where buffers come from
     * @return the instance
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be used here
     */
    public static RxUring create(int loops, LoopOptions options, BufferAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        return owning(group(loops, options), allocator);
    }

    private static UringGroup group(int loops, LoopOptions options) {
        Objects.requireNonNull(options, "options");
        LoopOptions o = options.errorHook() == LoopOptions.LOG_ERRORS
                ? options.withErrorHook(RxErrors::undeliverable)
                : options;
        return new UringGroup(loops, o);
    }

    /**
     * An instance over an existing ring, with a pooled allocator.
     *
     * @param loop an existing ring, which {@link #dispose()} ends
     * @return an instance over it, pooled allocator
     */
    public static RxUring of(UringLoop loop) {
        return of(loop, BufferAllocator.pooled());
    }

    /**
     * An instance over an existing ring, with the buffers of every op from {@code allocator}.
     *
     * @param loop      an existing ring, which {@link #dispose()} ends
     * @param allocator where buffers come from (owned by the instance)
     * @return an instance over it
     */
    public static RxUring of(UringLoop loop, BufferAllocator allocator) {
        return owning(UringGroup.of(Objects.requireNonNull(loop, "loop")),
                Objects.requireNonNull(allocator, "allocator"));
    }

    /**
     * An instance over existing rings, with a pooled allocator.
     *
     * @param group existing rings, which {@link #dispose()} ends
     * @return an instance over them, pooled allocator
     */
    public static RxUring of(UringGroup group) {
        return of(group, BufferAllocator.pooled());
    }

    /**
     * An instance over existing rings, with the buffers of every op from {@code allocator}.
     *
     * @param group     existing rings, which {@link #dispose()} ends
     * @param allocator where buffers come from (owned by the instance)
     * @return an instance over them
     */
    public static RxUring of(UringGroup group, BufferAllocator allocator) {
        return owning(Objects.requireNonNull(group, "group"), Objects.requireNonNull(allocator, "allocator"));
    }

    // ------------------------------------------------------------------------------------------- views

    /**
     * The per-op settings of this view.
     *
     * @return the per-op settings of this view
     */
    public OpOptions options() {
        return ops.options();
    }

    /**
     * A view whose ops carry a kernel-side timeout ({@code LINK_TIMEOUT}, re-armed over every retry from one
     * deadline); expiry is a {@code UringTimeoutException} ({@code ETIME}). Linked chains and multishot ops are not
     * affected.
     *
     * @param timeout the timeout
     * @return the view
     */
    public RxUring withTimeout(Duration timeout) {
        return new RxUring(ops.withTimeout(timeout), scheduler);
    }

    /**
     * A view whose ops retry {@code -EAGAIN} in {@code mode} instead of the ring's own mode.
     *
     * @param mode how {@code -EAGAIN} is retried
     * @return a view whose ops use it instead of the ring's own mode
     */
    public RxUring withPollRetry(PollRetry mode) {
        return new RxUring(ops.withPollRetry(mode), scheduler);
    }

    /**
     * A view with other per-op settings.
     *
     * @param newOptions per-op settings
     * @return a view with them
     */
    public RxUring withOptions(OpOptions newOptions) {
        return new RxUring(ops.withOptions(newOptions), scheduler);
    }

    /**
     * The RxJava {@link io.reactivex.rxjava3.core.Scheduler} over these rings (shared by all views).
     *
     * @return the RxJava {@link io.reactivex.rxjava3.core.Scheduler} over these rings (shared by all views)
     */
    public RxUringScheduler scheduler() {
        return scheduler;
    }

    /**
     * The rings, in order.
     *
     * @return the rings
     */
    public List<UringLoop> loops() {
        return ops.rings().loops();
    }

    /**
     * The core catalogue this instance is a shell over (shared rings and allocator).
     *
     * @return the core catalogue this instance is a shell over (shared rings and allocator)
     */
    public UringOps ops() {
        return ops;
    }

    /**
     * Where the buffers of every op come from (shared by all views); also for callers who build buffers to write.
     * Closed once every ring has ended.
     *
     * @return the allocator
     */
    public BufferAllocator allocator() {
        return ops.allocator();
    }

    /**
     * True when called on one of these rings' loop threads, where nothing may block: a blocking wait there stalls
     * every op of the ring, its own included. Usable as RxJava's before-blocking check
     * ({@code RxJavaPlugins.setOnBeforeBlocking(rx::isLoopThread)}).
     *
     * @return true on a loop thread of this instance
     */
    public boolean isLoopThread() {
        return ops.rings().current() != null;
    }

    // ------------------------------------------------------------------------------------------- ops: generic

    /**
     * Any single SQE, emitting its {@code res}; never retried. The spec is shared by every subscription; keep memory
     * it points to valid as described in the class comment.
     *
     * @param spec the SQE
     * @return the op
     */
    public Single<Integer> op(OpSpec spec) {
        return single(ops.op(spec));
    }

    /**
     * Any op: {@code calls} supplies a fresh {@link OpCall} for each subscription at its first request (allocate
     * per-subscription memory there); the call is released after the op's last CQE whatever the subscriber did.
     *
     * @param calls the call supplier
     * @param <T>   the value type
     * @return the op
     */
    public <T> Single<T> op(Supplier<? extends OpCall<T>> calls) {
        return single(ops.op(calls));
    }

    /**
     * Any multishot op as a cold {@link Flowable}: armed while the subscriber has demand, disarmed when it runs out;
     * CQEs that arrive meanwhile wait for the next request. Cancelling disarms it; items nobody will receive go to
     * {@link MultishotCall#discard}. This view's options do not apply.
     *
     * @param calls the call supplier
     * @param <T>   the item type
     * @return the stream
     */
    public <T> Flowable<T> multishot(Supplier<? extends MultishotCall<T>> calls) {
        return flowable(ops.multishot(calls));
    }

    /**
     * The specs as one linked chain ({@code IOSQE_IO_LINK}), e.g. write then fsync: emits each {@code res} in
     * order as demand allows; an op skipped because an earlier one failed or was short is a
     * {@code UringLinkBrokenException}.
     *
     * @param specs at least one
     * @return the chain
     */
    public Flowable<Integer> linked(OpSpec... specs) {
        return flowable(ops.linked(specs));
    }

    /**
     * A linked chain of calls, fresh for each subscription.
     *
     * @param calls fresh calls per subscription, in chain order
     * @return the chain
     */
    public Flowable<Integer> linked(Supplier<? extends List<? extends OpCall<Integer>>> calls) {
        return flowable(ops.linked(calls));
    }

    // ------------------------------------------------------------------------------------------- ops: files
    // Each op is described in UringOps, whose Javadoc says what it emits and who owns what.

    /**
     * {@code IORING_OP_READ} into caller memory; emits the byte count. {@code kind} says how to retry {@code -EAGAIN}.
     *
     * @param fd the fd
     * @param buffer caller memory
     * @param fileOffset or -1
     * @param kind retry shape
     * @return the read
     */
    public Single<Integer> read(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return single(ops.read(fd, buffer, fileOffset, kind));
    }

    /**
     * {@code IORING_OP_WRITE} from caller memory; emits the bytes written.
     *
     * @param fd the fd
     * @param buffer caller memory
     * @param fileOffset or -1
     * @param kind retry shape
     * @return the write
     */
    public Single<Integer> write(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return single(ops.write(fd, buffer, fileOffset, kind));
    }

    /**
     * Reads up to {@code length} bytes at {@code offset} of a regular file into a new buffer (empty at end of file);
     * the subscriber owns it. The offset is fixed at assembly: {@code repeat()} reads the same bytes again; to walk
     * a file, compute each offset (e.g. {@code Flowable.range} over chunk indices into
     * {@code concatMapSingle(i -> rx.read(fd, n, i * n))}, stopping at an empty buffer).
     *
     * @param fd     the file
     * @param length at most this many bytes
     * @param offset the position, or -1 for the current one
     * @return the read
     */
    public Single<UringBuffer> read(int fd, int length, long offset) {
        return single(ops.read(fd, length, offset));
    }

    /**
     * Reads up to {@code length} bytes from a pipe, socket or other pollable fd (empty at end of stream).
     *
     * @param fd a pollable fd
     * @param length at most this many bytes
     * @return a read into a new buffer
     */
    public Single<UringBuffer> readStream(int fd, int length) {
        return single(ops.readStream(fd, length));
    }

    /**
     * Writes the readable bytes of {@code data} at {@code offset} of a regular file; emits the bytes written.
     *
     * @param fd the file
     * @param data the bytes
     * @param offset or -1
     * @return a write; emits the bytes written
     */
    public Single<Integer> write(int fd, UringBuffer data, long offset) {
        return single(ops.write(fd, data, offset));
    }

    /**
     * Writes a copy of {@code data}, made at each subscription, at {@code offset}; emits the bytes written.
     *
     * @param fd the file
     * @param data the bytes (copied at each subscription)
     * @param offset or -1
     * @return a write
     */
    public Single<Integer> write(int fd, byte[] data, long offset) {
        return single(ops.write(fd, data, offset));
    }

    /**
     * Writes a copy of the remaining bytes of {@code data} (its position does not move); emits the bytes written.
     *
     * @param fd the file
     * @param data the bytes (copied at each subscription)
     * @param offset or -1
     * @return a write
     */
    public Single<Integer> write(int fd, ByteBuffer data, long offset) {
        return single(ops.write(fd, data, offset));
    }

    /**
     * One {@code write(2)} at {@code offset}: emits its count, which may be short (the {@code write} ops continue
     * until every byte is out).
     *
     * @param fd     the file
     * @param data   the bytes
     * @param offset the position, or -1
     * @return the write
     */
    public Single<Integer> writeOnce(int fd, UringBuffer data, long offset) {
        return single(ops.writeOnce(fd, data, offset));
    }

    /**
     * One {@code write(2)} to a pollable fd: emits its count, which may be short.
     *
     * @param fd   a pollable fd
     * @param data the bytes
     * @return the write
     */
    public Single<Integer> writeStreamOnce(int fd, UringBuffer data) {
        return single(ops.writeStreamOnce(fd, data));
    }

    /**
     * Writes every readable byte of {@code data} to a pollable fd, continuing short writes; emits the total.
     *
     * @param fd a pollable fd
     * @param data the bytes
     * @return a write; emits the total
     */
    public Single<Integer> writeStream(int fd, UringBuffer data) {
        return single(ops.writeStream(fd, data));
    }

    /**
     * Writes a copy of {@code data} to a pollable fd; emits the bytes written.
     *
     * @param fd a pollable fd
     * @param data the bytes (copied)
     * @return a write; emits the bytes written
     */
    public Single<Integer> writeStream(int fd, byte[] data) {
        return single(ops.writeStream(fd, data));
    }

    /**
     * Writes a copy of the remaining bytes of {@code data} to a pollable fd; emits the bytes written.
     *
     * @param fd a pollable fd
     * @param data the bytes (copied)
     * @return a write; emits the bytes written
     */
    public Single<Integer> writeStream(int fd, ByteBuffer data) {
        return single(ops.writeStream(fd, data));
    }

    /**
     * {@code fsync(2)}: completes once the file's data and metadata are durable.
     *
     * @param fd the file
     * @return {@code fsync(2)}
     */
    public Completable fsync(int fd) {
        return completable(ops.fsync(fd));
    }

    /**
     * {@code fdatasync(2)}: completes once the file's data are durable.
     *
     * @param fd the file
     * @return {@code fdatasync(2)}
     */
    public Completable fdatasync(int fd) {
        return completable(ops.fdatasync(fd));
    }

    /**
     * {@code openat(2)}, always {@code O_CLOEXEC}; emits the new fd, which the subscriber owns (close it). An fd that
     * arrives after dispose is closed by the library.
     *
     * @param dirfd a directory fd or {@code FileFlags.AT_FDCWD}
     * @param path  the path
     * @param flags {@code FileFlags.O_*}
     * @param mode  permission bits when creating
     * @return the open
     */
    public Single<Integer> openat(int dirfd, String path, int flags, int mode) {
        return single(ops.openat(dirfd, path, flags, mode));
    }

    /**
     * {@link #openat} of {@code file} (relative to the working directory unless absolute).
     *
     * @param file the file
     * @param flags {@code FileFlags.O_*}
     * @param mode when creating
     * @return the open
     */
    public Single<Integer> open(Path file, int flags, int mode) {
        return single(ops.open(file, flags, mode));
    }

    /**
     * {@code close(2)} through the ring.
     *
     * @param fd the fd
     * @return {@code close(2)} through the ring
     */
    public Completable close(int fd) {
        return completable(ops.close(fd));
    }

    /**
     * {@code statx(2)}.
     *
     * @param dirfd a directory fd or {@code AT_FDCWD}
     * @param path  the path
     * @param flags {@code FileFlags.AT_*}
     * @param mask  {@code FileFlags.STATX_*}
     * @return {@code statx(2)}; emits the {@link FileStat}
     */
    public Single<FileStat> statx(int dirfd, String path, int flags, int mask) {
        return single(ops.statx(dirfd, path, flags, mask));
    }

    /**
     * {@code fallocate(2)}: completes once the range is allocated (or punched, per {@code mode}).
     *
     * @param fd the file
     * @param mode {@code FALLOC_FL_*}
     * @param offset from
     * @param length bytes
     * @return fallocate
     */
    public Completable fallocate(int fd, int mode, long offset, long length) {
        return completable(ops.fallocate(fd, mode, offset, length));
    }

    /**
     * {@code splice(2)} between a pipe and another fd, no bytes through user memory.
     *
     * @param fdIn      source
     * @param offsetIn  its offset, or -1
     * @param fdOut     destination
     * @param offsetOut its offset, or -1
     * @param length    at most this many bytes
     * @param flags     {@code SPLICE_F_*}
     * @return {@code splice(2)}; emits the bytes moved
     */
    public Single<Integer> splice(int fdIn, long offsetIn, int fdOut, long offsetOut, int length, int flags) {
        return single(ops.splice(fdIn, offsetIn, fdOut, offsetOut, length, flags));
    }

    /**
     * Scatter read at {@code offset} into the writable space of {@code targets}; emits the total bytes read.
     *
     * @param fd the file
     * @param offset or -1
     * @param targets buffers
     * @return a scatter read; emits bytes read
     */
    public Single<Integer> readv(int fd, long offset, UringBuffer... targets) {
        return single(ops.readv(fd, offset, targets));
    }

    /**
     * Gather write at {@code offset} of the readable bytes of {@code sources}; emits the bytes written.
     *
     * @param fd the file
     * @param offset or -1
     * @param sources buffers
     * @return a gather write; emits bytes written
     */
    public Single<Integer> writev(int fd, long offset, UringBuffer... sources) {
        return single(ops.writev(fd, offset, sources));
    }

    /**
     * {@code READ_FIXED} into registered buffer {@code bufIndex}, on the ring the buffers are registered on.
     *
     * @param fd       the file
     * @param buffers  registered buffers (on one of these rings)
     * @param bufIndex which
     * @param target   inside it
     * @param offset   or -1
     * @return {@code READ_FIXED}; emits the bytes read
     */
    public Single<Integer> readFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment target,
                                     long offset) {
        return single(ops.readFixed(fd, buffers, bufIndex, target, offset));
    }

    /**
     * {@code WRITE_FIXED} from registered buffer {@code bufIndex}, on the ring the buffers are registered on.
     *
     * @param fd       the file
     * @param buffers  registered buffers (on one of these rings)
     * @param bufIndex which
     * @param source   inside it
     * @param offset   or -1
     * @return {@code WRITE_FIXED}; emits the bytes written
     */
    public Single<Integer> writeFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment source,
                                      long offset) {
        return single(ops.writeFixed(fd, buffers, bufIndex, source, offset));
    }

    // ------------------------------------------------------------------------------------------- ops: sockets

    /**
     * {@code socket(2)}, always {@code SOCK_CLOEXEC}; emits the new fd, which the subscriber owns.
     *
     * @param domain {@code Sockets.AF_*}
     * @param type {@code SOCK_*}
     * @param protocol 0
     * @return socket; emits the fd
     */
    public Single<Integer> socket(int domain, int type, int protocol) {
        return single(ops.socket(domain, type, protocol));
    }

    /**
     * {@code connect(2)}: completes once connected.
     *
     * @param fd a socket
     * @param address IPv4, IPv6 or a Unix domain path
     * @return a connect
     */
    public Completable connect(int fd, SocketAddress address) {
        return completable(ops.connect(fd, address));
    }

    /**
     * {@code bind(2)} through the ring ({@code IORING_OP_BIND}).
     *
     * @param fd a socket
     * @param address where
     * @return a bind ({@code IORING_OP_BIND})
     */
    public Completable bind(int fd, SocketAddress address) {
        return completable(ops.bind(fd, address));
    }

    /**
     * {@code listen(2)} through the ring ({@code IORING_OP_LISTEN}).
     *
     * @param fd a bound socket
     * @param backlog its backlog
     * @return a listen ({@code IORING_OP_LISTEN})
     */
    public Completable listen(int fd, int backlog) {
        return completable(ops.listen(fd, backlog));
    }

    /**
     * Accepts one connection; closing the listening fd does not end a pending accept: dispose it.
     *
     * @param listenFd the listening socket
     * @return the accept; emits the connection, whose fd the subscriber owns, and the peer's address
     */
    public Single<NetCalls.Accepted> accept(int listenFd) {
        return single(ops.accept(listenFd));
    }

    /**
     * One {@code send(2)}: emits its count, which on a stream socket may be short (the {@code send} ops continue until
     * every byte is out). Keep at most one send in flight per socket.
     *
     * @param fd   the socket
     * @param data the bytes
     * @return the send
     */
    public Single<Integer> sendOnce(int fd, UringBuffer data) {
        return single(ops.sendOnce(fd, data));
    }

    /**
     * Sends every readable byte of {@code data}, continuing short sends; keep at most one send in flight per socket.
     *
     * @param fd   the socket
     * @param data the bytes
     * @return the send; emits the total
     */
    public Single<Integer> send(int fd, UringBuffer data) {
        return single(ops.send(fd, data));
    }

    /**
     * Sends a copy of {@code data}; emits the bytes sent.
     *
     * @param fd the socket
     * @param data the bytes (copied)
     * @return a send; emits the bytes sent
     */
    public Single<Integer> send(int fd, byte[] data) {
        return single(ops.send(fd, data));
    }

    /**
     * Sends a copy of the remaining bytes of {@code data}; emits the bytes sent.
     *
     * @param fd the socket
     * @param data the bytes (copied)
     * @return a send; emits the bytes sent
     */
    public Single<Integer> send(int fd, ByteBuffer data) {
        return single(ops.send(fd, data));
    }

    /**
     * Receives up to {@code length} bytes into a new buffer, which the subscriber owns; empty: the peer shut down.
     *
     * @param fd the socket
     * @param length at most
     * @return a receive into a new buffer (empty: the peer shut down)
     */
    public Single<UringBuffer> recv(int fd, int length) {
        return single(ops.recv(fd, length));
    }

    /**
     * {@code sendmsg(2)} of the readable bytes of {@code parts}, in order, as one message; emits the bytes sent.
     *
     * @param fd the socket
     * @param to destination or null
     * @param parts buffers
     * @return a sendmsg; emits bytes sent
     */
    public Single<Integer> sendmsg(int fd, SocketAddress to, UringBuffer... parts) {
        return single(ops.sendmsg(fd, to, parts));
    }

    /**
     * {@code sendmsg(2)} of a copy of {@code data}; emits the bytes sent.
     *
     * @param fd the socket
     * @param to destination or null
     * @param data the bytes (copied)
     * @return a sendmsg
     */
    public Single<Integer> sendmsg(int fd, SocketAddress to, byte[] data) {
        return single(ops.sendmsg(fd, to, data));
    }

    /**
     * {@code sendmsg(2)} of a copy of the remaining bytes of {@code data}; emits the bytes sent.
     *
     * @param fd the socket
     * @param to destination or null
     * @param data the bytes (copied)
     * @return a sendmsg
     */
    public Single<Integer> sendmsg(int fd, SocketAddress to, ByteBuffer data) {
        return single(ops.sendmsg(fd, to, data));
    }

    /**
     * {@code recvmsg(2)} of up to {@code length} bytes; emits the data (owned by the subscriber) and the sender.
     *
     * @param fd the socket
     * @param length at most
     * @return a recvmsg; emits the data (owned) and the sender
     */
    public Single<NetCalls.Received> recvmsg(int fd, int length) {
        return single(ops.recvmsg(fd, length));
    }

    /**
     * {@code shutdown(2)} of one or both directions.
     *
     * @param fd the socket
     * @param how {@code Sockets.SHUT_*}
     * @return a shutdown
     */
    public Completable shutdown(int fd, int how) {
        return completable(ops.shutdown(fd, how));
    }

    /**
     * Multishot {@code ACCEPT}: every connection for as long as it is subscribed and there is demand; an accepted
     * socket nobody receives is closed by the library. Completes when the listener is shut down ({@code SHUT_RD}).
     *
     * @param listenFd the listening socket
     * @return the stream
     */
    public Flowable<NetCalls.Accepted> acceptMultishot(int listenFd) {
        return flowable(ops.acceptMultishot(listenFd));
    }

    /**
     * Multishot {@code RECV} through a provided-buffer ring: each item is a buffer BORROWED from {@code buffers}
     * (release it to give it back; {@code retain()} copies, so one slow holder never starves the ring). Completes at
     * EOF. Runs on the ring that {@code buffers} is registered on.
     *
     * @param fd      the socket
     * @param buffers the provided-buffer ring
     * @return the stream
     */
    public Flowable<UringBuffer> recvMultishot(int fd, ProvidedBufferRing buffers) {
        return flowable(ops.recvMultishot(fd, buffers));
    }

    // ------------------------------------------------------------------------------------------- ops: control

    /**
     * {@code IORING_OP_NOP}: completes once the ring has run it.
     *
     * @return {@code IORING_OP_NOP}: completes once the ring has run it
     */
    public Completable nop() {
        return completable(ops.nop());
    }

    /**
     * A one-shot {@code POLL_ADD}; emits the ready mask.
     *
     * @param fd the fd
     * @param events {@code Poll.POLL*}
     * @return a one-shot {@code POLL_ADD}; emits the ready mask
     */
    public Single<Integer> poll(int fd, int events) {
        return single(ops.poll(fd, events));
    }

    /**
     * Multishot {@code POLL_ADD}: the ready masks of {@code fd} for as long as it is subscribed; wake-ups that come
     * before the previous one was processed are merged. Never completes by itself (end it with e.g.
     * {@code takeUntil} on {@code POLLHUP}).
     *
     * @param fd     the fd
     * @param events {@code Poll.POLL*}
     * @return the stream
     */
    public Flowable<Integer> pollMultishot(int fd, int events) {
        return flowable(ops.pollMultishot(fd, events));
    }

    /**
     * A kernel timer ({@code IORING_OP_TIMEOUT}): completes once {@code delay} has passed. Not RxJava's
     * {@code timer}, which runs on a {@code Scheduler} (give it {@link #scheduler()} to wait on this ring's
     * timers); see {@link #withTimeout} for a kernel-side timeout of another op. A {@code TestScheduler} cannot
     * drive it (the kernel's clock runs): test with a short real delay and {@code awaitDone}.
     *
     * @param delay how long
     * @return the timer
     */
    public Completable timer(Duration delay) {
        return completable(ops.timer(delay));
    }

    /**
     * {@code ASYNC_CANCEL} of every pending op on {@code fd} on this op's ring; emits how many were cancelled.
     *
     * @param fd the fd
     * @return a cancel of every pending op on it on this op's ring; emits how many
     */
    public Single<Integer> cancelFd(int fd) {
        return single(ops.cancelFd(fd));
    }

    /**
     * {@code MSG_RING}: posts {@code value} to a mailbox on another ring; completes once posted.
     *
     * @param to a mailbox on another ring
     * @param value what to post
     * @return a {@code MSG_RING}
     */
    public Completable message(RingMailbox.Address to, int value) {
        return completable(ops.message(to, value));
    }

    // ------------------------------------------------------------------------------------------- files

    /**
     * Files on these rings: open handles, chunk streams, lines, stream writes and copies as Singles, Completables and
     * Flowables, with this instance's allocator and per-op settings, and registered files and buffers where they pay.
     *
     * @return the file API over this instance (a light view; make it once and keep it)
     */
    public RxFiles files() {
        return RxFiles.over(ops);
    }

    /**
     * Files on these rings with chosen settings.
     *
     * @param options registered files and buffers, stream windows
     * @return the file API over this instance with these settings
     */
    public RxFiles files(FileOptions options) {
        return RxFiles.over(ops, options);
    }

    // ------------------------------------------------------------------------------------------- the shapes
    // Package-private, so that facades over core's other machinery (connections, file handles) give their
    // publishers the same RxJava shapes.

    /** A one-shot op whose value matters. */
    static <T> Single<T> single(Publisher<T> oneShot) {
        return Single.fromPublisher(oneShot);
    }

    /** A one-shot op whose only success value is 0: the value is dropped, completion passed on. */
    static Completable completable(Publisher<?> oneShot) {
        return Completable.fromPublisher(oneShot);
    }

    /** A stream; requests pass straight to the core publisher (and arm a multishot op). */
    static <T> Flowable<T> flowable(Publisher<T> stream) {
        return Flowable.fromPublisher(stream);
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /**
     * Ends every ring (returns at once; callable from a loop thread) and shuts the scheduler down; the allocator is
     * closed once the rings have ended.
     */
    @Override
    public void dispose() {
        scheduler.shutdown();
        ops.dispose();
    }

    /**
     * True once every ring has been asked to end.
     *
     * @return true once every ring has been asked to end
     */
    @Override
    public boolean isDisposed() {
        return ops.isDisposed();
    }

    /**
     * {@link #dispose()}, then waits until every ring has ended, as try-with-resources expects. On a loop thread it
     * does not wait.
     */
    @Override
    public void close() {
        dispose();
        for (UringLoop loop : loops()) {
            loop.close(); // waits, unless called on a loop thread
        }
    }

    private static final java.util.concurrent.atomic.AtomicReference<RxUring> SHARED =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * The process-wide instance (like {@code Schedulers.io()}): made at the first call ({@link #create()}), shared by
     * every caller, ended at JVM exit. Disposing it is allowed; the next call then makes a new one.
     *
     * @return the shared instance
     */
    public static RxUring shared() {
        while (true) {
            RxUring current = SHARED.get();
            if (current != null && !current.isDisposed()) {
                return current;
            }
            RxUring made = create();
            if (SHARED.compareAndSet(current, made)) {
                return made;
            }
            made.close();
        }
    }

    /**
     * Waits until every ring has ended. Not on a loop thread.
     *
     * @param timeout how long at most
     * @return true if they did within {@code timeout}
     * @throws InterruptedException if interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return ops.awaitTermination(timeout);
    }

    @Override
    public String toString() {
        return "RxUring(" + ops.rings() + ", " + ops.options() + ")";
    }
}
