package io.reactiveuring.reactor;

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
import io.reactiveuring.core.reactive.MultishotPublisher;
import io.reactiveuring.core.reactive.NetCalls;
import io.reactiveuring.core.reactive.OneShotPublisher;
import io.reactiveuring.core.reactive.OpCall;
import io.reactiveuring.core.reactive.OpOptions;
import io.reactiveuring.core.reactive.UringOps;
import io.reactiveuring.reactor.file.UringFiles;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * io_uring for Reactor over a group of rings (by default one per core, each with its own loop thread): every op of
 * the catalogue is a cold {@link Mono} (a linked chain or a multishot op a
 * {@link Flux}). Nothing is submitted before a subscriber requests; each subscription submits its own SQE on one of
 * the rings (the caller's own ring when it runs on a loop thread, else round-robin); the CQE becomes {@code onNext} +
 * {@code onComplete}, or {@code onError} with the JDK's exception type where one exists ({@code NoSuchFileException},
 * {@code ConnectException}, ...), each a {@link io.reactiveuring.core.UringError} telling the errno. Cancelling submits
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
 *
 * <p>Every op is one line over core's shell-neutral catalogue ({@link UringOps}), which owns the argument checks,
 * heap copies, retry shapes and ring placement; this class gives them the Reactor shape.
 */
public final class ReactorUring implements Disposable, AutoCloseable {
    private final UringOps ops;
    private volatile UringFiles defaultFiles;
    private final UringScheduler scheduler;

    private ReactorUring(UringOps ops, UringScheduler scheduler) {
        this.ops = ops;
        this.scheduler = scheduler;
    }

    /** A new instance (not a view): it owns {@code rings} and {@code allocator}. */
    private static ReactorUring owning(UringGroup rings, BufferAllocator allocator) {
        UringOps ops = UringOps.over(rings, allocator).withDiscard(ReactorDiscard.INSTANCE);
        return new ReactorUring(ops, new UringScheduler(rings));
    }

    // ------------------------------------------------------------------------------------------- creation

    private static final java.util.concurrent.atomic.AtomicReference<ReactorUring> SHARED =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * The process-wide instance, like {@code Schedulers.parallel()} or Reactor Netty's {@code TcpResources}: made at
     * the first call ({@link #create()}: one ring per core), shared by every caller, ended at JVM exit. Disposing it
     * is allowed; the next call then makes a new one.
     *
     * @return the shared instance
     */
    public static ReactorUring shared() {
        while (true) {
            ReactorUring current = SHARED.get();
            if (current != null && !current.isDisposed()) {
                return current;
            }
            ReactorUring made = create();
            if (SHARED.compareAndSet(current, made)) {
                return made;
            }
            made.close(); // another thread won the race
        }
    }

    /**
     * One ring per available processor, default loop options, loop threads marked {@code NonBlocking}.
     *
     * @return the instance
     */
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
     * @param loops   how many rings
     * @param options how to build each
     * @return the instance
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be used here
     */
    public static ReactorUring create(int loops, LoopOptions options) {
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
     */
    public static ReactorUring create(int loops, LoopOptions options, BufferAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        return owning(group(loops, options), allocator);
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

    /** @param loop an existing ring, which {@link #dispose()} ends @return an instance over it, pooled allocator */
    public static ReactorUring of(UringLoop loop) {
        return of(Objects.requireNonNull(loop, "loop"), BufferAllocator.pooled());
    }

    /**
     * @param loop      an existing ring, which {@link #dispose()} ends
     * @param allocator where buffers come from (owned by the instance)
     * @return an instance over it
     */
    public static ReactorUring of(UringLoop loop, BufferAllocator allocator) {
        return owning(UringGroup.of(Objects.requireNonNull(loop, "loop")),
                Objects.requireNonNull(allocator, "allocator"));
    }

    /** @param group existing rings, which {@link #dispose()} ends @return an instance over them, pooled allocator */
    public static ReactorUring of(UringGroup group) {
        return of(Objects.requireNonNull(group, "group"), BufferAllocator.pooled());
    }

    /**
     * @param group     existing rings, which {@link #dispose()} ends
     * @param allocator where buffers come from (owned by the instance)
     * @return an instance over them
     */
    public static ReactorUring of(UringGroup group, BufferAllocator allocator) {
        return owning(UringGroup.of(Objects.requireNonNull(group, "group").loops()),
                Objects.requireNonNull(allocator, "allocator"));
    }

    // ------------------------------------------------------------------------------------------- views

    /** @return the per-op settings of this view */
    public OpOptions options() {
        return ops.options();
    }

    /**
     * A view whose ops carry a kernel-side timeout ({@code LINK_TIMEOUT}, re-armed over every retry from one
     * deadline); expiry is a {@code UringTimeoutException}. Linked chains ({@link #linked}) are not affected.
     *
     * @param timeout the timeout
     * @return the view
     */
    public ReactorUring withTimeout(Duration timeout) {
        return new ReactorUring(ops.withTimeout(timeout), scheduler);
    }

    /** @param mode how {@code -EAGAIN} is retried @return a view whose ops use it instead of the ring's own mode */
    public ReactorUring withPollRetry(PollRetry mode) {
        return new ReactorUring(ops.withPollRetry(mode), scheduler);
    }

    /** @param newOptions per-op settings @return a view with them */
    public ReactorUring withOptions(OpOptions newOptions) {
        return new ReactorUring(ops.withOptions(newOptions), scheduler);
    }

    /** @return the rings' {@link UringScheduler} (shared by all views) */
    public UringScheduler scheduler() {
        return scheduler;
    }

    /** @return the rings */
    public List<UringLoop> loops() {
        return ops.rings().loops();
    }

    /** @return the core catalogue this instance is a shell over (shared rings and allocator) */
    public UringOps ops() {
        return ops;
    }

    /**
     * @return where the buffers of every op come from (shared by all views); also for callers who build buffers to
     * write. Closed once every ring has ended.
     */
    public BufferAllocator allocator() {
        return ops.allocator();
    }

    // ------------------------------------------------------------------------------------------- ops: generic

    /**
     * Any single SQE, emitting its {@code res}; never retried. The spec is shared by every subscription; keep memory
     * it points to valid as described in the class comment.
     *
     * @param spec the SQE
     * @return the op
     */
    public Mono<Integer> op(OpSpec spec) {
        return mono(ops.op(spec));
    }

    /**
     * Any op: {@code calls} supplies a fresh {@link OpCall} for each subscription at its first request (allocate
     * per-subscription memory there); the call is released after the op's last CQE whatever the subscriber did.
     *
     * @param calls the call supplier
     * @param <T>   the value type
     * @return the op
     */
    public <T> Mono<T> op(Supplier<? extends OpCall<T>> calls) {
        return mono(ops.op(calls));
    }

    /**
     * Any multishot op as a cold {@link Flux}: armed while the subscriber has demand, disarmed when it runs out;
     * CQEs that arrive meanwhile wait for the next request. Cancelling disarms it; items nobody will receive go to
     * the context's discard hook, else to {@link MultishotCall#discard}. This view's options do not apply.
     *
     * @param calls the call supplier
     * @param <T>   the item type
     * @return the stream
     */
    public <T> Flux<T> multishot(Supplier<? extends MultishotCall<T>> calls) {
        return flux(ops.multishot(calls));
    }

    /**
     * The specs as one linked chain ({@code IOSQE_IO_LINK}), e.g. write then fsync: emits each {@code res} in
     * order; an op skipped because an earlier one failed or was short is a {@code UringLinkBrokenException}.
     *
     * @param specs at least one
     * @return the chain
     */
    public Flux<Integer> linked(OpSpec... specs) {
        return new FluxUringLinked(ops.linked(specs), scheduler);
    }

    /** @param calls fresh calls per subscription, in chain order @return the chain */
    public Flux<Integer> linked(Supplier<? extends List<? extends OpCall<Integer>>> calls) {
        return new FluxUringLinked(ops.linked(calls), scheduler);
    }

    // ------------------------------------------------------------------------------------------- ops: files
    // Each op is described in UringOps, whose Javadoc says what it emits and who owns what.

    /** @param fd the fd @param buffer caller memory @param fileOffset or -1 @param kind retry shape @return the read */
    public Mono<Integer> read(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return mono(ops.read(fd, buffer, fileOffset, kind));
    }

    /** @param fd the fd @param buffer caller memory @param fileOffset or -1 @param kind retry shape @return the write */
    public Mono<Integer> write(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return mono(ops.write(fd, buffer, fileOffset, kind));
    }

    /**
     * Reads up to {@code length} bytes at {@code offset} of a regular file into a new buffer (empty at end of file);
     * the subscriber owns it. The offset is fixed at assembly: {@code read(fd, pos, n).repeat()} reads the same
     * bytes again and again; to walk a file, compute each offset (e.g. {@code Flux.range} over chunk indices into
     * {@code concatMap(i -> ring.read(fd, n, i * n))}, stopping at an empty buffer).
     *
     * @param fd     the file
     * @param length at most this many bytes
     * @param offset the position, or -1 for the current one
     * @return the read
     */
    public Mono<UringBuffer> read(int fd, int length, long offset) {
        return mono(ops.read(fd, length, offset));
    }

    /** @param fd a pollable fd @param length at most this many bytes @return a read into a new buffer */
    public Mono<UringBuffer> readStream(int fd, int length) {
        return mono(ops.readStream(fd, length));
    }

    /** @param fd the file @param data the bytes @param offset or -1 @return a write of all of them; emits the total */
    public Mono<Integer> write(int fd, UringBuffer data, long offset) {
        return mono(ops.write(fd, data, offset));
    }

    /** @param fd the file @param data the bytes (copied at request) @param offset or -1 @return a write */
    public Mono<Integer> write(int fd, byte[] data, long offset) {
        return mono(ops.write(fd, data, offset));
    }

    /** @param fd the file @param data the bytes (copied at request) @param offset or -1 @return a write */
    public Mono<Integer> write(int fd, ByteBuffer data, long offset) {
        return mono(ops.write(fd, data, offset));
    }

    /**
     * One {@code write(2)}: emits its count, which may be short ({@link #write(int, UringBuffer, long)} continues
     * until every byte is out).
     *
     * @param fd     the file
     * @param data   the bytes
     * @param offset the position, or -1
     * @return the write
     */
    public Mono<Integer> writeOnce(int fd, UringBuffer data, long offset) {
        return mono(ops.writeOnce(fd, data, offset));
    }

    /** @param fd a pollable fd @param data the bytes @return one write; emits its count, maybe short */
    public Mono<Integer> writeStreamOnce(int fd, UringBuffer data) {
        return mono(ops.writeStreamOnce(fd, data));
    }

    /** @param fd a pollable fd @param data the bytes @return a write of all of them; emits the total */
    public Mono<Integer> writeStream(int fd, UringBuffer data) {
        return mono(ops.writeStream(fd, data));
    }

    /** @param fd a pollable fd @param data the bytes (copied) @return a write */
    public Mono<Integer> writeStream(int fd, byte[] data) {
        return mono(ops.writeStream(fd, data));
    }

    /** @param fd a pollable fd @param data the bytes (copied) @return a write */
    public Mono<Integer> writeStream(int fd, ByteBuffer data) {
        return mono(ops.writeStream(fd, data));
    }

    /** @param fd the file @return {@code fsync(2)}; emits 0 */
    public Mono<Integer> fsync(int fd) {
        return mono(ops.fsync(fd));
    }

    /** @param fd the file @return {@code fdatasync(2)}; emits 0 */
    public Mono<Integer> fdatasync(int fd) {
        return mono(ops.fdatasync(fd));
    }

    /**
     * {@code openat(2)}, always {@code O_CLOEXEC}; emits the new fd, which the subscriber owns (close it). An fd that
     * arrives after cancel is closed by the library.
     *
     * @param dirfd a directory fd or {@code FileFlags.AT_FDCWD}
     * @param path  the path
     * @param flags {@code FileFlags.O_*}
     * @param mode  permission bits when creating
     * @return the open
     */
    public Mono<Integer> openat(int dirfd, String path, int flags, int mode) {
        return mono(ops.openat(dirfd, path, flags, mode));
    }

    /** @param file the file @param flags {@code FileFlags.O_*} @param mode when creating @return the open */
    public Mono<Integer> open(Path file, int flags, int mode) {
        return mono(ops.open(file, flags, mode));
    }

    /** @param fd the fd @return {@code close(2)} through the ring; emits 0 */
    public Mono<Integer> close(int fd) {
        return mono(ops.close(fd));
    }

    /**
     * @param dirfd a directory fd or {@code AT_FDCWD}
     * @param path  the path
     * @param flags {@code FileFlags.AT_*}
     * @param mask  {@code FileFlags.STATX_*}
     * @return {@code statx(2)}; emits the {@link FileStat}
     */
    public Mono<FileStat> statx(int dirfd, String path, int flags, int mask) {
        return mono(ops.statx(dirfd, path, flags, mask));
    }

    /** @param fd the file @param mode {@code FALLOC_FL_*} @param offset from @param length bytes @return fallocate */
    public Mono<Integer> fallocate(int fd, int mode, long offset, long length) {
        return mono(ops.fallocate(fd, mode, offset, length));
    }

    /**
     * @param fdIn      source
     * @param offsetIn  its offset, or -1
     * @param fdOut     destination
     * @param offsetOut its offset, or -1
     * @param length    at most this many bytes
     * @param flags     {@code SPLICE_F_*}
     * @return {@code splice(2)}; emits the bytes moved
     */
    public Mono<Integer> splice(int fdIn, long offsetIn, int fdOut, long offsetOut, int length, int flags) {
        return mono(ops.splice(fdIn, offsetIn, fdOut, offsetOut, length, flags));
    }

    /** @param fd the file @param offset or -1 @param targets buffers @return a scatter read; emits bytes read */
    public Mono<Integer> readv(int fd, long offset, UringBuffer... targets) {
        return mono(ops.readv(fd, offset, targets));
    }

    /** @param fd the file @param offset or -1 @param sources buffers @return a gather write; emits bytes written */
    public Mono<Integer> writev(int fd, long offset, UringBuffer... sources) {
        return mono(ops.writev(fd, offset, sources));
    }

    /**
     * @param fd       the file
     * @param buffers  registered buffers (on one of these rings)
     * @param bufIndex which
     * @param target   inside it
     * @param offset   or -1
     * @return {@code READ_FIXED}; emits the bytes read
     */
    public Mono<Integer> readFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment target,
                                   long offset) {
        return mono(ops.readFixed(fd, buffers, bufIndex, target, offset));
    }

    /**
     * @param fd       the file
     * @param buffers  registered buffers (on one of these rings)
     * @param bufIndex which
     * @param source   inside it
     * @param offset   or -1
     * @return {@code WRITE_FIXED}; emits the bytes written
     */
    public Mono<Integer> writeFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment source,
                                    long offset) {
        return mono(ops.writeFixed(fd, buffers, bufIndex, source, offset));
    }

    // ------------------------------------------------------------------------------------------- ops: sockets

    /** @param domain {@code Sockets.AF_*} @param type {@code SOCK_*} @param protocol 0 @return socket; emits the fd */
    public Mono<Integer> socket(int domain, int type, int protocol) {
        return mono(ops.socket(domain, type, protocol));
    }

    /** @param fd a socket @param address where @return a connect; emits 0 */
    public Mono<Integer> connect(int fd, SocketAddress address) {
        return mono(ops.connect(fd, address));
    }

    /** @param fd a socket @param address where @return a bind ({@code IORING_OP_BIND}); emits 0 */
    public Mono<Integer> bind(int fd, SocketAddress address) {
        return mono(ops.bind(fd, address));
    }

    /** @param fd a bound socket @param backlog its backlog @return a listen ({@code IORING_OP_LISTEN}); emits 0 */
    public Mono<Integer> listen(int fd, int backlog) {
        return mono(ops.listen(fd, backlog));
    }

    /**
     * Accepts one connection; closing the listening fd does not end a pending accept: cancel it.
     *
     * @param listenFd the listening socket
     * @return the accept; emits the connection, whose fd the subscriber owns, and the peer's address
     */
    public Mono<NetCalls.Accepted> accept(int listenFd) {
        return mono(ops.accept(listenFd));
    }

    /**
     * Sends every readable byte of {@code data}, continuing short sends; keep at most one send in flight per socket.
     *
     * @param fd   the socket
     * @param data the bytes
     * @return the send; emits the total
     */
    public Mono<Integer> send(int fd, UringBuffer data) {
        return mono(ops.send(fd, data));
    }

    /**
     * One {@code send(2)}: emits its count, which on a stream socket may be short ({@link #send(int, UringBuffer)}
     * continues until every byte is out).
     *
     * @param fd   the socket
     * @param data the bytes
     * @return the send
     */
    public Mono<Integer> sendOnce(int fd, UringBuffer data) {
        return mono(ops.sendOnce(fd, data));
    }

    /** @param fd the socket @param data the bytes (copied) @return a send of all of them; emits the total */
    public Mono<Integer> send(int fd, byte[] data) {
        return mono(ops.send(fd, data));
    }

    /** @param fd the socket @param data the bytes (copied) @return a send */
    public Mono<Integer> send(int fd, ByteBuffer data) {
        return mono(ops.send(fd, data));
    }

    /** @param fd the socket @param length at most @return a receive into a new buffer (empty: the peer shut down) */
    public Mono<UringBuffer> recv(int fd, int length) {
        return mono(ops.recv(fd, length));
    }

    /** @param fd the socket @param to destination or null @param parts buffers @return a sendmsg */
    public Mono<Integer> sendmsg(int fd, SocketAddress to, UringBuffer... parts) {
        return mono(ops.sendmsg(fd, to, parts));
    }

    /** @param fd the socket @param to destination or null @param data the bytes (copied) @return a sendmsg */
    public Mono<Integer> sendmsg(int fd, SocketAddress to, byte[] data) {
        return mono(ops.sendmsg(fd, to, data));
    }

    /** @param fd the socket @param to destination or null @param data the bytes (copied) @return a sendmsg */
    public Mono<Integer> sendmsg(int fd, SocketAddress to, ByteBuffer data) {
        return mono(ops.sendmsg(fd, to, data));
    }

    /** @param fd the socket @param length at most @return a recvmsg; emits the data and the sender */
    public Mono<NetCalls.Received> recvmsg(int fd, int length) {
        return mono(ops.recvmsg(fd, length));
    }

    /** @param fd the socket @param how {@code Sockets.SHUT_*} @return a shutdown; emits 0 */
    public Mono<Integer> shutdown(int fd, int how) {
        return mono(ops.shutdown(fd, how));
    }

    /**
     * Multishot {@code ACCEPT}: every connection for as long as it is subscribed and there is demand; an accepted
     * socket nobody receives is closed by the library. Completes when the listener is shut down ({@code SHUT_RD}).
     *
     * @param listenFd the listening socket
     * @return the stream
     */
    public Flux<NetCalls.Accepted> acceptMultishot(int listenFd) {
        return flux(ops.acceptMultishot(listenFd));
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
    public Flux<UringBuffer> recvMultishot(int fd, ProvidedBufferRing buffers) {
        return flux(ops.recvMultishot(fd, buffers));
    }

    // ------------------------------------------------------------------------------------------- ops: control

    /** @return {@code IORING_OP_NOP}: emits 0 */
    public Mono<Integer> nop() {
        return mono(ops.nop());
    }

    /** @param fd the fd @param events {@code Poll.POLL*} @return a one-shot {@code POLL_ADD}; emits the mask */
    public Mono<Integer> poll(int fd, int events) {
        return mono(ops.poll(fd, events));
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
    public Flux<Integer> pollMultishot(int fd, int events) {
        return flux(ops.pollMultishot(fd, events));
    }

    /**
     * A kernel timer ({@code IORING_OP_TIMEOUT}): completes empty once {@code delay} has passed. Not Reactor's
     * {@code Mono.timeout}; see {@link #withTimeout} for a kernel-side timeout of another op. StepVerifier's virtual
     * time cannot drive it (the kernel's clock runs): test with a short real delay and {@code verify(timeout)}.
     *
     * @param delay how long
     * @return the timer
     */
    public Mono<Void> timer(Duration delay) {
        return mono(ops.timer(delay)).then();
    }

    /** @param fd the fd @return a cancel of every pending op on it on this op's ring; emits how many */
    public Mono<Integer> cancelFd(int fd) {
        return mono(ops.cancelFd(fd));
    }

    /** @param to a mailbox on another ring @param value what to post @return a {@code MSG_RING}; emits 0 */
    public Mono<Integer> message(RingMailbox.Address to, int value) {
        return mono(ops.message(to, value));
    }

    // ------------------------------------------------------------------------------------------- files

    /**
     * Files on these rings: open handles, chunk streams, lines, stream writes and copies as Monos and Fluxes, with
     * this instance's allocator and per-op settings, and registered files and buffers where they pay.
     *
     * @return the file API over this instance with the default {@code FileOptions} (the same view each call)
     */
    public UringFiles files() {
        UringFiles f = defaultFiles;
        if (f == null) {
            // A benign race: two views over the same rings and allocator behave the same; one of them is kept.
            defaultFiles = f = UringFiles.of(this);
        }
        return f;
    }

    /**
     * {@code Files.readAllBytes(path)} on the ring, read in chunks whose buffers are released for the caller.
     *
     * @param path the file
     * @return every byte of it
     * @see UringFiles#readAllBytes(Path)
     */
    public Mono<byte[]> readAllBytes(Path path) {
        return files().readAllBytes(path);
    }

    /**
     * {@code Files.readString(path, charset)} on the ring.
     *
     * @param path    the file
     * @param charset how to decode it
     * @return its text; malformed input is a {@code CharacterCodingException}
     * @see UringFiles#readString(Path, Charset)
     */
    public Mono<String> readString(Path path, Charset charset) {
        return files().readString(path, charset);
    }

    /**
     * @param options registered files and buffers, stream windows
     * @return the file API over this instance with these settings
     */
    public UringFiles files(FileOptions options) {
        return UringFiles.of(this, options);
    }

    // ------------------------------------------------------------------------------------------- the shape

    /**
     * Any core one-shot publisher as this shell's cold {@link Mono} (its subscription is core's own, with Reactor's
     * scan attributes, and unreceived outcomes go to the context's discard hook): for layers built on core's
     * publishers, such as the file API.
     *
     * @param op the op
     * @param <T> the value type
     * @return the Mono
     */
    public <T> Mono<T> toMono(OneShotPublisher<T> op) {
        return mono(Objects.requireNonNull(op, "op"));
    }

    private <T> Mono<T> mono(OneShotPublisher<T> op) {
        return new MonoUringOp<>(op, scheduler);
    }

    private <T> Flux<T> flux(MultishotPublisher<T> op) {
        return new FluxUringMultishot<>(op, scheduler);
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /**
     * Ends every ring (returns at once; callable from a loop thread) and disposes the scheduler; the allocator is
     * closed once the rings have ended.
     */
    @Override
    public void dispose() {
        scheduler.dispose();
        ops.dispose();
    }

    /** @return true once every ring has been asked to end */
    @Override
    public boolean isDisposed() {
        return ops.isDisposed();
    }

    /**
     * {@link #dispose()}, then waits until every ring has ended (their pending subscribers have had their
     * {@code UringCancelledException}), as try-with-resources expects. On a loop thread it does not wait.
     */
    @Override
    public void close() {
        dispose();
        for (UringLoop loop : loops()) {
            loop.close(); // waits, unless called on a loop thread
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
        return "ReactorUring(" + ops.rings() + ", " + ops.options() + ")";
    }
}
