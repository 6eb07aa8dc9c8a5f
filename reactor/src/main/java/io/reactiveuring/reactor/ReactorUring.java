package io.reactiveuring.reactor;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.RegisteredBuffers;
import io.reactiveuring.core.ops.RingMailbox;
import io.reactiveuring.core.reactive.ControlCalls;
import io.reactiveuring.core.reactive.FileCalls;
import io.reactiveuring.core.reactive.MultishotCall;
import io.reactiveuring.core.reactive.MultishotCalls;
import io.reactiveuring.core.reactive.NetCalls;
import io.reactiveuring.core.reactive.OpCall;
import io.reactiveuring.core.reactive.OpOptions;
import io.reactiveuring.core.reactive.PollCall;
import io.reactiveuring.core.reactive.Call;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * io_uring for Reactor: every op of the catalogue is a cold {@link Mono} (a linked chain or a multishot op a
 * {@link Flux}). Nothing is submitted before a subscriber requests; each subscription submits its own SQE on one of
 * the rings (the caller's own ring when it runs on a loop thread, else round-robin); the CQE becomes {@code onNext} +
 * {@code onComplete}, or {@code onError} with a {@link UringException} carrying the errno. Cancelling submits
 * {@code ASYNC_CANCEL}; a value that arrives anyway (a buffer, an fd) goes to the subscriber context's discard hook
 * ({@code Operators.onDiscard}), which then owns it, or is cleaned up by the op itself (buffer released, fd closed)
 * when the context has no hook; an error goes to the dropped-error hook. Signals arrive on the ring's loop thread
 * (errors raised before submission, such as an ended ring, on the requesting thread): move heavy work elsewhere with
 * {@code publishOn}.
 *
 * <p>Make one with {@link #create()} (one ring per core, loop threads marked {@code NonBlocking}), or over
 * existing rings with {@link #of(UringLoop)} / {@link #of(UringGroup)}. Per-op settings come as views sharing the
 * same rings and allocator: {@link #withTimeout(Duration)} (a kernel-side {@code LINK_TIMEOUT}, unlike Reactor's
 * scheduler-based {@code Mono.timeout}) and {@link #withPollRetry(PollRetry)}.
 *
 * <p>Buffers: ops that read allocate their buffer per subscription from this instance's {@link BufferAllocator}
 * ({@link #allocator()}, also for callers who build buffers to write) and emit a {@link UringBuffer} that the
 * subscriber owns and releases. Ops that write hold their own reference to the given buffer until the op's final
 * CQE; {@code byte[]} and {@code ByteBuffer} overloads copy the bytes into an owned buffer first (the kernel never
 * reads the Java heap). Memory the ops with {@code MemorySegment} arguments read or write belongs to the caller but
 * must stay valid while the kernel may use it: until the Mono terminates, or after a cancel until the op's final CQE.
 *
 * <p>Ownership: {@link #dispose()} ends every ring of this instance and of all its views, including rings passed
 * to {@code of} (like {@code Schedulers.fromExecutorService}): pending subscribers then get a
 * {@code UringCancelledException} exactly once, and later subscriptions fail with it at once. Once every ring has
 * ended (by {@code dispose} or otherwise), the allocator is closed: its memory is freed when the last buffer handed
 * out is released. Immutable and safe to use from any thread.
 */
public final class ReactorUring implements Disposable {
    private final RingSet rings;
    private final UringScheduler scheduler;
    private final OpOptions options;
    private final BufferAllocator allocator;

    private ReactorUring(RingSet rings, UringScheduler scheduler, OpOptions options, BufferAllocator allocator) {
        this.rings = rings;
        this.scheduler = scheduler;
        this.options = options;
        this.allocator = allocator;
    }

    /** A new instance (not a view): it owns {@code loops} and {@code allocator}. */
    private static ReactorUring owning(List<UringLoop> loops, BufferAllocator allocator) {
        RingSet rings = new RingSet(loops);
        rings.whenAllTerminated(allocator::close); // after the rings: their ops released their buffers by then
        return new ReactorUring(rings, new UringScheduler(rings), OpOptions.DEFAULT, allocator);
    }

    // ------------------------------------------------------------------------------------------- creation

    /** One ring per available processor, default loop options, loop threads marked {@code NonBlocking}. */
    public static ReactorUring create() {
        return create(Runtime.getRuntime().availableProcessors(),
                LoopOptions.defaults().withThreadName("uring-reactor"));
    }

    /**
     * {@code loops} rings built from {@code options}, and a pooled allocator. Where the options keep the core
     * defaults, Reactor's are used instead: loop threads from {@link NonBlockingLoopThreads}, and exceptions thrown by
     * subscribers on a loop thread go to Reactor's dropped-error hook ({@code Operators.onErrorDropped}) rather than
     * to the JDK logger.
     *
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be used here
     */
    public static ReactorUring create(int loops, LoopOptions options) {
        UringGroup group = group(loops, options);
        return owning(group.loops(), BufferAllocator.pooled());
    }

    /**
     * Like {@link #create(int, LoopOptions)}, with the buffers of every op from {@code allocator}, which this instance
     * then owns: it is closed once the rings have ended.
     */
    public static ReactorUring create(int loops, LoopOptions options, BufferAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        return owning(group(loops, options).loops(), allocator);
    }

    private static UringGroup group(int loops, LoopOptions options) {
        Objects.requireNonNull(options, "options");
        LoopOptions o = options;
        if (o.threadFactory() == LoopOptions.PLATFORM_DAEMON) {
            o = o.withThreadFactory(NonBlockingLoopThreads.INSTANCE);
        }
        if (o.errorHook() == LoopOptions.LOG_ERRORS) {
            o = o.withErrorHook(t -> ErrorReporting.dropped(t, Context.empty()));
        }
        return new UringGroup(loops, o);
    }

    /** Over one existing ring, with a pooled allocator; {@link #dispose()} ends it. */
    public static ReactorUring of(UringLoop loop) {
        return of(Objects.requireNonNull(loop, "loop"), BufferAllocator.pooled());
    }

    /** Over one existing ring, with {@code allocator}, which this instance owns; {@link #dispose()} ends the ring. */
    public static ReactorUring of(UringLoop loop, BufferAllocator allocator) {
        return owning(List.of(Objects.requireNonNull(loop, "loop")), Objects.requireNonNull(allocator, "allocator"));
    }

    /** Over every ring of an existing group, with a pooled allocator; {@link #dispose()} ends them. */
    public static ReactorUring of(UringGroup group) {
        return of(Objects.requireNonNull(group, "group"), BufferAllocator.pooled());
    }

    /** Over every ring of an existing group, with {@code allocator}, which this instance owns. */
    public static ReactorUring of(UringGroup group, BufferAllocator allocator) {
        return owning(Objects.requireNonNull(group, "group").loops(), Objects.requireNonNull(allocator, "allocator"));
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
        return new ReactorUring(rings, scheduler, Objects.requireNonNull(newOptions, "options"), allocator);
    }

    /** The rings' {@link UringScheduler} (shared by all views). */
    public UringScheduler scheduler() {
        return scheduler;
    }

    public List<UringLoop> loops() {
        return rings.loops();
    }

    /**
     * Where the buffers of every op come from (shared by all views); also for callers who build buffers to write.
     * Closed once every ring has ended.
     */
    public BufferAllocator allocator() {
        return allocator;
    }

    // ------------------------------------------------------------------------------------------- ops: generic

    /**
     * Any single SQE, emitting its {@code res}; never retried. The spec is shared by every subscription: do not
     * change it afterwards, and keep memory it points to valid as described in the class comment.
     */
    public Mono<Integer> op(OpSpec spec) {
        return op(Call.of(spec));
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
     * Any multishot op as a cold {@link Flux}: {@code calls} supplies a fresh {@link MultishotCall} for each
     * subscription at its first arm. The op is armed while the subscriber has demand and disarmed when demand runs
     * out; CQEs that arrive meanwhile wait for the next request, never dropped. Cancelling disarms it; items nobody
     * will receive go to the context's discard hook, else to {@link MultishotCall#discard}. This view's
     * {@link #options()} do not apply (no retry, no kernel-side timeout).
     */
    public <T> Flux<T> multishot(Supplier<? extends MultishotCall<T>> calls) {
        return new FluxUringMultishot<>(rings, scheduler, calls);
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
        List<Call<Integer>> calls = Arrays.stream(specs).map(Call::of).toList();
        return linked(() -> calls);
    }

    /** A linked chain of calls, fresh for each subscription (see {@link #op(Supplier)}). */
    public Flux<Integer> linked(Supplier<? extends List<? extends OpCall<Integer>>> calls) {
        return new FluxUringLinked(rings, scheduler, calls);
    }

    // ------------------------------------------------------------------------------------------- ops: files

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
     * Reads up to {@code length} bytes at {@code offset} ({@code -1}: the current position) of a regular file into
     * a new buffer from {@link #allocator()}; emits it, readable from index 0 (empty at end of file). The subscriber
     * owns the buffer: release it.
     */
    public Mono<UringBuffer> read(int fd, long offset, int length) {
        return op(FileCalls.read(fd, offset, length, allocator, UringBuffer::release));
    }

    /**
     * Reads up to {@code length} bytes from a pipe, socket, character device or other pollable fd into a new buffer
     * (empty at end of stream); waits for data. The subscriber owns the buffer: release it.
     */
    public Mono<UringBuffer> readStream(int fd, int length) {
        return op(FileCalls.readStream(fd, length, allocator, UringBuffer::release));
    }

    /**
     * Writes the readable bytes of {@code data} at {@code offset} ({@code -1}: the current position) of a regular
     * file; emits the bytes written. Each subscription holds its own reference to {@code data} until its op's final
     * CQE: the caller keeps (and eventually releases) its own.
     */
    public Mono<Integer> write(int fd, UringBuffer data, long offset) {
        return op(FileCalls.write(fd, data, offset));
    }

    /**
     * Writes a copy of {@code data} at {@code offset} of a regular file; see {@link #write(int, UringBuffer, long)}.
     * The bytes are copied into an owned buffer at each subscription's first request (the kernel never reads the
     * Java heap): do not change the array before that.
     */
    public Mono<Integer> write(int fd, byte[] data, long offset) {
        checkWrite(fd, offset, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.write(fd, copy, offset));
    }

    /**
     * Writes a copy of the remaining bytes of {@code data} (its position does not move) at {@code offset} of a
     * regular file; copied as {@link #write(int, byte[], long)} does.
     */
    public Mono<Integer> write(int fd, ByteBuffer data, long offset) {
        checkWrite(fd, offset, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.write(fd, copy, offset));
    }

    /** Writes the readable bytes of {@code data} to a pipe, socket or other pollable fd; emits the bytes written. */
    public Mono<Integer> writeStream(int fd, UringBuffer data) {
        return op(FileCalls.writeStream(fd, data));
    }

    /** Writes a copy of {@code data} to a pollable fd; copied as {@link #write(int, byte[], long)} does. */
    public Mono<Integer> writeStream(int fd, byte[] data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.writeStream(fd, copy));
    }

    /** Writes a copy of the remaining bytes of {@code data} to a pollable fd; see {@link #write(int, byte[], long)}. */
    public Mono<Integer> writeStream(int fd, ByteBuffer data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.writeStream(fd, copy));
    }

    /** {@code fsync(2)}: data and metadata of {@code fd} to stable storage; emits 0. */
    public Mono<Integer> fsync(int fd) {
        return op(FileCalls.fsync(fd));
    }

    /** {@code fdatasync(2)}: data of {@code fd} (and metadata needed to read it) to stable storage; emits 0. */
    public Mono<Integer> fdatasync(int fd) {
        return op(FileCalls.fdatasync(fd));
    }

    /**
     * {@code openat(2)}: opens {@code path} relative to {@code dirfd} ({@code FileFlags.AT_FDCWD}: the working
     * directory) with {@code flags} ({@code FileFlags.O_*}, always {@code O_CLOEXEC}) and, when creating, permission
     * bits {@code mode}; emits the new fd, which the subscriber owns (close it). An fd that arrives after cancel goes
     * to the context's discard hook if there is one (which must close it), else it is closed.
     */
    public Mono<Integer> openat(int dirfd, String path, int flags, int mode) {
        return op(FileCalls.openat(dirfd, path, flags, mode, allocator));
    }

    /** {@link #openat} of {@code file} (relative to the working directory unless absolute). */
    public Mono<Integer> open(Path file, int flags, int mode) {
        return openat(FileFlags.AT_FDCWD, Objects.requireNonNull(file, "file").toString(), flags, mode);
    }

    /** {@code close(2)} of {@code fd} through the ring; emits 0. */
    public Mono<Integer> close(int fd) {
        return op(FileCalls.close(fd));
    }

    /**
     * {@code statx(2)} of {@code path} relative to {@code dirfd}, with {@code flags} ({@code FileFlags.AT_*}) and
     * the wanted fields {@code mask} ({@code FileFlags.STATX_*}); emits the {@link FileStat}.
     */
    public Mono<FileStat> statx(int dirfd, String path, int flags, int mask) {
        return op(FileCalls.statx(dirfd, path, flags, mask, allocator));
    }

    /** {@code fallocate(2)} of {@code length} bytes from {@code offset} ({@code FileFlags.FALLOC_FL_*}); emits 0. */
    public Mono<Integer> fallocate(int fd, int mode, long offset, long length) {
        return op(FileCalls.fallocate(fd, mode, offset, length));
    }

    /**
     * {@code splice(2)}: moves up to {@code length} bytes from {@code fdIn} to {@code fdOut}, one of which is a pipe,
     * without copying through user memory; an offset of {@code -1} uses the fd's position (and must be -1 for the
     * pipe). Emits the bytes moved.
     */
    public Mono<Integer> splice(int fdIn, long offsetIn, int fdOut, long offsetOut, int length, int flags) {
        return op(FileCalls.splice(fdIn, offsetIn, fdOut, offsetOut, length, flags));
    }

    /**
     * Scatter read at {@code offset} into the writable space of {@code targets}, in order; emits the total bytes
     * read. The buffers' writer indices do not move; each subscription holds a reference to every buffer until its
     * op's final CQE.
     */
    public Mono<Integer> readv(int fd, long offset, UringBuffer... targets) {
        return op(FileCalls.readv(fd, offset, allocator, targets));
    }

    /** Gather write at {@code offset} of the readable bytes of {@code sources}, in order; emits the bytes written. */
    public Mono<Integer> writev(int fd, long offset, UringBuffer... sources) {
        return op(FileCalls.writev(fd, offset, allocator, sources));
    }

    /**
     * {@code READ_FIXED} into {@code target}, which must lie inside registered buffer {@code bufIndex}; emits the
     * bytes read. Runs on the ring the buffers are registered on, which must be one of this instance's rings.
     */
    public Mono<Integer> readFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment target,
                                   long offset) {
        return onRingOf(buffers, FileCalls.readFixed(fd, buffers, bufIndex, target, offset));
    }

    /** {@code WRITE_FIXED} from {@code source} inside registered buffer {@code bufIndex}; see {@link #readFixed}. */
    public Mono<Integer> writeFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment source,
                                    long offset) {
        return onRingOf(buffers, FileCalls.writeFixed(fd, buffers, bufIndex, source, offset));
    }

    // ------------------------------------------------------------------------------------------- ops: sockets

    /** {@code socket(2)} ({@code Sockets.AF_*}, {@code SOCK_*}), always {@code SOCK_CLOEXEC}; emits the fd. */
    public Mono<Integer> socket(int domain, int type, int protocol) {
        return op(NetCalls.socket(domain, type, protocol));
    }

    /** Connects {@code fd} to {@code address} (IPv4, IPv6 or a Unix domain path); emits 0. */
    public Mono<Integer> connect(int fd, SocketAddress address) {
        return op(NetCalls.connect(fd, address, allocator));
    }

    /** Binds {@code fd} to {@code address} ({@code IORING_OP_BIND}); emits 0. */
    public Mono<Integer> bind(int fd, SocketAddress address) {
        return op(NetCalls.bind(fd, address, allocator));
    }

    /** Makes the bound socket {@code fd} listen with {@code backlog} ({@code IORING_OP_LISTEN}); emits 0. */
    public Mono<Integer> listen(int fd, int backlog) {
        return op(NetCalls.listen(fd, backlog));
    }

    /**
     * Accepts one connection on the listening socket {@code listenFd}; emits its fd (owned by the subscriber, always
     * {@code CLOEXEC}) with the peer's address. Closing the listening fd does not end a pending accept: cancel it.
     */
    public Mono<NetCalls.Accepted> accept(int listenFd) {
        return op(NetCalls.accept(listenFd, allocator));
    }

    /**
     * Sends the readable bytes of {@code data}; emits the bytes sent (on a stream socket possibly fewer: send the
     * rest after). Keep at most one send in flight per socket. Each subscription holds its own reference to
     * {@code data} until its op's final CQE.
     */
    public Mono<Integer> send(int fd, UringBuffer data) {
        return op(NetCalls.send(fd, data));
    }

    /** Sends a copy of {@code data}; copied as {@link #write(int, byte[], long)} does. */
    public Mono<Integer> send(int fd, byte[] data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.send(fd, copy));
    }

    /** Sends a copy of the remaining bytes of {@code data}; see {@link #send(int, byte[])}. */
    public Mono<Integer> send(int fd, ByteBuffer data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.send(fd, copy));
    }

    /**
     * Receives up to {@code length} bytes into a new buffer; an empty buffer means the peer shut down (end of
     * stream). The subscriber owns the buffer: release it.
     */
    public Mono<UringBuffer> recv(int fd, int length) {
        return op(NetCalls.recv(fd, length, allocator, UringBuffer::release));
    }

    /**
     * {@code sendmsg(2)}: the readable bytes of {@code parts}, in order, as one message to {@code to} (null on a
     * connected socket); emits the bytes sent.
     */
    public Mono<Integer> sendmsg(int fd, SocketAddress to, UringBuffer... parts) {
        return op(NetCalls.sendmsg(fd, to, allocator, parts));
    }

    /** {@code sendmsg(2)} of a copy of {@code data}; copied as {@link #write(int, byte[], long)} does. */
    public Mono<Integer> sendmsg(int fd, SocketAddress to, byte[] data) {
        checkSendTo(fd, to, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.sendmsg(fd, to, allocator, copy));
    }

    /** {@code sendmsg(2)} of a copy of the remaining bytes of {@code data}; see the {@code byte[]} overload. */
    public Mono<Integer> sendmsg(int fd, SocketAddress to, ByteBuffer data) {
        checkSendTo(fd, to, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.sendmsg(fd, to, allocator, copy));
    }

    /**
     * {@code recvmsg(2)} of up to {@code length} bytes (a longer datagram is truncated); emits the data, owned by the
     * subscriber, with the sender's address (null on a connected stream socket).
     */
    public Mono<NetCalls.Received> recvmsg(int fd, int length) {
        return op(NetCalls.recvmsg(fd, length, allocator, UringBuffer::release));
    }

    /** {@code shutdown(2)} ({@code Sockets.SHUT_RD}, {@code SHUT_WR}, {@code SHUT_RDWR}); emits 0. */
    public Mono<Integer> shutdown(int fd, int how) {
        return op(NetCalls.shutdown(fd, how));
    }

    /**
     * Multishot {@code ACCEPT}: every connection on {@code listenFd} for as long as it is subscribed and there is
     * demand (connections that arrive while there is none wait in the kernel's backlog or in the queue). Each
     * accepted socket ({@code SOCK_CLOEXEC}) belongs to the subscriber; one nobody receives is closed by the
     * library. Completes when the listener is shut down ({@code SHUT_RD}).
     */
    public Flux<NetCalls.Accepted> acceptMultishot(int listenFd) {
        return multishot(MultishotCalls.accept(listenFd));
    }

    /**
     * Multishot {@code RECV} through a provided-buffer ring: each item is a buffer BORROWED from {@code buffers}
     * (release it to give it back to the ring; {@code retain()} copies, so one slow holder never starves the ring).
     * The op re-arms by itself after the ring ran dry ({@code -ENOBUFS}) once a buffer came back; an empty read
     * (EOF) completes. Runs on the ring that {@code buffers} is registered on.
     */
    public Flux<UringBuffer> recvMultishot(int fd, ProvidedBufferRing buffers) {
        Objects.requireNonNull(buffers, "buffers");
        return new FluxUringMultishot<>(rings.pinnedTo(buffers.loop()), scheduler,
                MultishotCalls.recv(fd, buffers, allocator, UringBuffer::release));
    }

    // ------------------------------------------------------------------------------------------- ops: control

    /** {@code IORING_OP_NOP}: emits 0. */
    public Mono<Integer> nop() {
        return op(ControlCalls.nop());
    }

    /** {@code IORING_OP_POLL_ADD} (one shot) for {@code events} ({@code Poll.POLLIN}, ...); emits the ready mask. */
    public Mono<Integer> poll(int fd, int events) {
        return op(ControlCalls.poll(fd, events));
    }

    /**
     * Multishot {@code POLL_ADD}: the ready masks of {@code fd} for {@code events} ({@code Poll.POLLIN}, ...) for as
     * long as it is subscribed. One item per wake-up of the fd, and wake-ups that come before the previous one was
     * processed are merged: the items report readiness, not a count of writes. {@code POLLERR}, {@code POLLHUP} and
     * {@code POLLRDHUP} are always reported; the stream never completes by itself (end it with e.g.
     * {@code takeUntil} on {@code POLLHUP}). See {@link #multishot} for demand and cancellation.
     */
    public Flux<Integer> pollMultishot(int fd, int events) {
        PollCall call = PollCall.of(fd, events); // immutable: serves every subscription
        return multishot(() -> call);
    }

    /**
     * A kernel timer ({@code IORING_OP_TIMEOUT}): completes empty once {@code delay} has passed. Not Reactor's
     * {@code Mono.timeout} operator; see {@link #withTimeout} for a kernel-side timeout of another op.
     */
    public Mono<Void> timer(Duration delay) {
        return op(ControlCalls.timer(delay)).then();
    }

    /**
     * Cancels every pending op on {@code fd} on the ring this op runs on (with several rings, ops on the others are
     * not reached); emits how many were cancelled, 0 if none. Each cancelled op fails as cancelled.
     */
    public Mono<Integer> cancelFd(int fd) {
        return op(ControlCalls.cancelFd(fd));
    }

    /** Posts {@code value} to a {@link RingMailbox} on another ring ({@code MSG_RING}); emits 0. */
    public Mono<Integer> message(RingMailbox.Address to, int value) {
        return op(ControlCalls.message(to, value));
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** An immutable call serves every subscription: no allocation per subscription besides the subscription. */
    private <T> Mono<T> op(OpCall<T> sharedCall) {
        return op(() -> sharedCall);
    }

    /**
     * An op over an owned copy of heap bytes (the kernel never reads the Java heap), made at each subscription's
     * first request; the op's call retains the copy for itself, so this reference is dropped at once.
     */
    private <T> Mono<T> onCopy(Supplier<UringBuffer> copy, Function<UringBuffer, Supplier<OpCall<T>>> op) {
        return op(() -> {
            UringBuffer owned = copy.get();
            try {
                return op.apply(owned).get();
            } finally {
                owned.release();
            }
        });
    }

    /** An op that only the ring holding {@code buffers} can run. */
    private Mono<Integer> onRingOf(RegisteredBuffers buffers, Supplier<OpCall<Integer>> calls) {
        return new MonoUringOp<>(rings.pinnedTo(buffers.loop()), scheduler, calls, options);
    }

    /** The checks the core write/send factories make at assembly, for heap data that is copied only at request. */
    private static void checkWrite(int fd, long offset, Object data) {
        OpSpec.checkFd(fd);
        OpSpec.checkFileOffset(offset);
        Objects.requireNonNull(data, "data");
    }

    private static void checkSendTo(int fd, SocketAddress to, Object data) {
        checkWrite(fd, -1, data);
        if (to != null) {
            SocketAddresses.encodedSize(to); // rejects unsupported address types
        }
    }

    private static Call retrying(OpSpec plain, FdKind kind, int readiness) {
        Objects.requireNonNull(kind, "kind");
        OpSpec nowait = plain.copy().opFlags(plain.opFlags() | Poll.RWF_NOWAIT);
        return switch (kind) {
            case REGULAR_FILE -> Call.of(plain).regularFile(nowait);
            case POLLABLE -> readiness == Poll.READABLE
                    ? Call.of(plain).pollable(Poll.READABLE, nowait)
                    : Call.of(plain).pollable(Poll.WRITABLE, nowait);
        };
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /**
     * Ends every ring (returns at once; callable from a loop thread) and disposes the scheduler; the allocator is
     * closed once the rings have ended.
     */
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
