package io.reactiveuring.core.reactive;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopPlacement;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.RegisteredBuffers;
import io.reactiveuring.core.ops.RingMailbox;

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
 * The op catalogue as plain Reactive Streams publishers, shell-neutral: every op a {@link OneShotPublisher} (a linked
 * chain a {@link LinkedPublisher}, a multishot op a {@link MultishotPublisher}) over a group of rings and a buffer
 * allocator. It owns what the Reactor and RxJava shells share, so they stay one line per op: argument checks at
 * assembly, copies of {@code byte[]} / {@code ByteBuffer} data into owned buffers (the kernel never reads the Java
 * heap), the retry shape of each op (nowait variant, readiness, regular file or not), and ring placement (the
 * caller's own ring when it runs on a loop thread, else round robin; pinned to the ring of registered buffers).
 *
 * <p>Argument order, the one convention of the catalogue (liburing's and {@code FileChannel}'s): the fd first, then
 * what the op transfers (a length to read, a buffer to write, an address), then the file offset ({@code -1}: the
 * current position, or none), then flags; vectored ops take their buffers last, as varargs. Names: {@code read} /
 * {@code write} for regular files (positional), {@code readStream} / {@code writeStream} for pipes and other
 * pollable fds, {@code recv} / {@code send} for sockets (as in {@code recv(2)}); {@code openat} takes a dirfd as the
 * syscall does, {@code open(Path)} is it relative to the working directory.
 *
 * <p>Threading: immutable and safe from any thread; views ({@link #withOptions}, {@link #withDiscard}) share the
 * rings and the allocator. Ownership: ops that read emit a {@link UringBuffer} from {@link #allocator()} that the
 * subscriber owns (release it); ops that write hold their own reference to the given buffer until the op's final
 * CQE. {@link #dispose()} ends every ring (pending subscribers get a {@code UringCancelledException}); once they have
 * all ended, the allocator is closed (its memory freed when the last buffer is released).
 */
public final class UringOps {
    private final UringGroup rings;
    private final BufferAllocator allocator;
    private final OpOptions options;
    private final DiscardPolicy discard;

    private UringOps(UringGroup rings, BufferAllocator allocator, OpOptions options, DiscardPolicy discard) {
        this.rings = rings;
        this.allocator = allocator;
        this.options = options;
        this.discard = discard;
    }

    /**
     * A catalogue over {@code rings} and {@code allocator}, which it then owns: the allocator is closed once every
     * ring has ended.
     *
     * @param rings     the rings
     * @param allocator where the buffers of every op come from
     * @return the catalogue
     */
    public static UringOps over(UringGroup rings, BufferAllocator allocator) {
        Objects.requireNonNull(rings, "rings");
        Objects.requireNonNull(allocator, "allocator");
        rings.whenAllTerminated(allocator::close); // after the rings: their ops released their buffers by then
        return new UringOps(rings, allocator, OpOptions.DEFAULT, DiscardPolicy.CALL_CLEANS_UP);
    }

    // ------------------------------------------------------------------------------------------- views

    /** @return the per-op settings of this view */
    public OpOptions options() {
        return options;
    }

    /** @param newOptions per-op settings @return a view with them */
    public UringOps withOptions(OpOptions newOptions) {
        return new UringOps(rings, allocator, Objects.requireNonNull(newOptions, "options"), discard);
    }

    /** @param timeout a kernel-side timeout for each op, retries included @return a view with it */
    public UringOps withTimeout(Duration timeout) {
        return withOptions(options.withLinkTimeout(timeout));
    }

    /** @param mode how {@code -EAGAIN} is retried @return a view with it */
    public UringOps withPollRetry(PollRetry mode) {
        return withOptions(options.withPollRetry(mode));
    }

    /** @param policy where unreceived outcomes go (a shell's discard hook) @return a view with it */
    public UringOps withDiscard(DiscardPolicy policy) {
        return new UringOps(rings, allocator, options, Objects.requireNonNull(policy, "discard"));
    }

    /** @return where unreceived outcomes of this view's ops go (for layers that build their own publishers) */
    public DiscardPolicy discard() {
        return discard;
    }

    /** @return the rings */
    public UringGroup rings() {
        return rings;
    }

    /** @return where the buffers of every op come from; also for callers who build buffers to write */
    public BufferAllocator allocator() {
        return allocator;
    }

    // ------------------------------------------------------------------------------------------- generic

    /**
     * Any single SQE, emitting its {@code res}; never retried. The spec is shared by every subscription; memory it
     * points to must stay valid until each op's final CQE.
     *
     * @param spec the SQE
     * @return the op
     */
    public OneShotPublisher<Integer> op(OpSpec spec) {
        return shared(Call.of(spec));
    }

    /**
     * Any op: {@code calls} supplies a fresh {@link OpCall} for each subscription at its first request; the call is
     * released after the op's last CQE whatever the subscriber did. Every catalogue op takes this path.
     *
     * @param calls the call supplier
     * @param <T>   the value type
     * @return the op
     */
    public <T> OneShotPublisher<T> op(Supplier<? extends OpCall<T>> calls) {
        return new OneShotPublisher<>(rings, calls, options, discard);
    }

    /**
     * Any multishot op: armed while the subscriber has demand, disarmed when it runs out; CQEs that arrive meanwhile
     * wait for the next request. This view's options do not apply (no retry, no timeout).
     *
     * @param calls the call supplier
     * @param <T>   the item type
     * @return the op
     */
    public <T> MultishotPublisher<T> multishot(Supplier<? extends MultishotCall<T>> calls) {
        return new MultishotPublisher<>(rings, calls, discard);
    }

    /**
     * The specs as one linked chain ({@code IOSQE_IO_LINK}), e.g. write then fsync: emits each {@code res} in
     * order; an op skipped because an earlier one failed or was short is a {@code UringLinkBrokenException}.
     *
     * @param specs at least one
     * @return the chain
     */
    public LinkedPublisher linked(OpSpec... specs) {
        Objects.requireNonNull(specs, "specs");
        if (specs.length == 0) {
            throw new IllegalArgumentException("a linked chain needs at least one op");
        }
        List<Call<Integer>> calls = Arrays.stream(specs).map(Call::of).toList();
        return linked(() -> calls);
    }

    /**
     * A linked chain of calls, fresh for each subscription.
     *
     * @param calls the calls, in chain order
     * @return the chain
     */
    public LinkedPublisher linked(Supplier<? extends List<? extends OpCall<Integer>>> calls) {
        return new LinkedPublisher(rings, calls);
    }

    // ------------------------------------------------------------------------------------------- files

    /**
     * {@code IORING_OP_READ} into caller memory (see {@link #op(OpSpec)} for its lifetime); emits the byte count.
     * {@code kind} says how an {@code -EAGAIN} is retried in USER mode.
     *
     * @param fd         the fd
     * @param buffer     native memory to read into
     * @param fileOffset the position, or -1
     * @param kind       regular file or pollable
     * @return the op
     */
    public OneShotPublisher<Integer> read(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return shared(retrying(OpSpec.read(fd, buffer, fileOffset), kind, Poll.READABLE));
    }

    /**
     * {@code IORING_OP_WRITE} from caller memory; emits the bytes written.
     *
     * @param fd         the fd
     * @param buffer     native memory to write
     * @param fileOffset the position, or -1
     * @param kind       regular file or pollable
     * @return the op
     */
    public OneShotPublisher<Integer> write(int fd, MemorySegment buffer, long fileOffset, FdKind kind) {
        return shared(retrying(OpSpec.write(fd, buffer, fileOffset), kind, Poll.WRITABLE));
    }

    /**
     * Reads up to {@code length} bytes at {@code offset} of a regular file into a new buffer (empty at end of file).
     * The offset is fixed at assembly: every subscription reads the same bytes.
     *
     * @param fd     the file
     * @param length at most this many bytes
     * @param offset the position, or -1 for the current one
     * @return the op; the subscriber owns the buffer
     */
    public OneShotPublisher<UringBuffer> read(int fd, int length, long offset) {
        return op(FileCalls.read(fd, length, offset, allocator, UringBuffer::release));
    }

    /**
     * Reads up to {@code length} bytes from a pipe, socket or other pollable fd (empty at end of stream).
     *
     * @param fd     the fd
     * @param length at most this many bytes
     * @return the op; the subscriber owns the buffer
     */
    public OneShotPublisher<UringBuffer> readStream(int fd, int length) {
        return op(FileCalls.readStream(fd, length, allocator, UringBuffer::release));
    }

    /**
     * Writes every readable byte of {@code data} at {@code offset} of a regular file, continuing short writes; emits
     * the total. Each subscription holds its own reference to {@code data} until its op's final CQE.
     *
     * @param fd     the file
     * @param data   the bytes
     * @param offset the position, or -1
     * @return the op
     */
    public OneShotPublisher<Integer> write(int fd, UringBuffer data, long offset) {
        return op(FileCalls.write(fd, data, offset));
    }

    /**
     * Writes a copy of {@code data} at {@code offset} of a regular file; the copy is made at each subscription's first
     * request: do not change the array before that.
     *
     * @param fd     the file
     * @param data   the bytes
     * @param offset the position, or -1
     * @return the op
     */
    public OneShotPublisher<Integer> write(int fd, byte[] data, long offset) {
        checkWrite(fd, offset, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.write(fd, copy, offset));
    }

    /**
     * Writes a copy of the remaining bytes of {@code data} (its position does not move) at {@code offset}.
     *
     * @param fd     the file
     * @param data   the bytes
     * @param offset the position, or -1
     * @return the op
     */
    public OneShotPublisher<Integer> write(int fd, ByteBuffer data, long offset) {
        checkWrite(fd, offset, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.write(fd, copy, offset));
    }

    /**
     * One {@code write(2)} at {@code offset}: emits its count, which may be short (the {@code write} ops continue
     * until every byte is out).
     *
     * @param fd     the file
     * @param data   the bytes
     * @param offset the position, or -1
     * @return the op
     */
    public OneShotPublisher<Integer> writeOnce(int fd, UringBuffer data, long offset) {
        return op(FileCalls.writeOnce(fd, data, offset));
    }

    /** @param fd a pollable fd @param data the bytes @return one write of them; emits its count, maybe short */
    public OneShotPublisher<Integer> writeStreamOnce(int fd, UringBuffer data) {
        return op(FileCalls.writeStreamOnce(fd, data));
    }

    /** @param fd a pollable fd @param data the bytes @return a write of all of them; emits the total */
    public OneShotPublisher<Integer> writeStream(int fd, UringBuffer data) {
        return op(FileCalls.writeStream(fd, data));
    }

    /** @param fd a pollable fd @param data the bytes (copied) @return a write of them */
    public OneShotPublisher<Integer> writeStream(int fd, byte[] data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.writeStream(fd, copy));
    }

    /** @param fd a pollable fd @param data the bytes (copied) @return a write of them */
    public OneShotPublisher<Integer> writeStream(int fd, ByteBuffer data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> FileCalls.writeStream(fd, copy));
    }

    /** @param fd the file @return {@code fsync(2)}; emits 0 */
    public OneShotPublisher<Integer> fsync(int fd) {
        return op(FileCalls.fsync(fd));
    }

    /** @param fd the file @return {@code fdatasync(2)}; emits 0 */
    public OneShotPublisher<Integer> fdatasync(int fd) {
        return op(FileCalls.fdatasync(fd));
    }

    /**
     * {@code openat(2)}, always {@code O_CLOEXEC}; emits the new fd, which the subscriber owns. An fd that arrives
     * after cancel is closed by the library.
     *
     * @param dirfd a directory fd or {@code FileFlags.AT_FDCWD}
     * @param path  the path
     * @param flags {@code FileFlags.O_*}
     * @param mode  permission bits when creating
     * @return the op
     */
    public OneShotPublisher<Integer> openat(int dirfd, String path, int flags, int mode) {
        return op(FileCalls.openat(dirfd, path, flags, mode, allocator));
    }

    /**
     * {@link #openat} of {@code file} (relative to the working directory unless absolute).
     *
     * @param file  the file
     * @param flags {@code FileFlags.O_*}
     * @param mode  permission bits when creating
     * @return the op
     */
    public OneShotPublisher<Integer> open(Path file, int flags, int mode) {
        return openat(FileFlags.AT_FDCWD, Objects.requireNonNull(file, "file").toString(), flags, mode);
    }

    /** @param fd the fd @return {@code close(2)} through the ring; emits 0 */
    public OneShotPublisher<Integer> close(int fd) {
        return op(FileCalls.close(fd));
    }

    /**
     * {@code statx(2)}.
     *
     * @param dirfd a directory fd or {@code AT_FDCWD}
     * @param path  the path
     * @param flags {@code FileFlags.AT_*}
     * @param mask  the wanted {@code FileFlags.STATX_*} fields
     * @return the op; emits the {@link FileStat}
     */
    public OneShotPublisher<FileStat> statx(int dirfd, String path, int flags, int mask) {
        return op(FileCalls.statx(dirfd, path, flags, mask, allocator));
    }

    /**
     * {@code fallocate(2)}.
     *
     * @param fd     the file
     * @param mode   {@code FileFlags.FALLOC_FL_*}
     * @param offset from here
     * @param length this many bytes
     * @return the op; emits 0
     */
    public OneShotPublisher<Integer> fallocate(int fd, int mode, long offset, long length) {
        return op(FileCalls.fallocate(fd, mode, offset, length));
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
     * @return the op; emits the bytes moved
     */
    public OneShotPublisher<Integer> splice(int fdIn, long offsetIn, int fdOut, long offsetOut, int length,
                                            int flags) {
        return op(FileCalls.splice(fdIn, offsetIn, fdOut, offsetOut, length, flags));
    }

    /**
     * Scatter read at {@code offset} into the writable space of {@code targets}; their writer indices do not move.
     *
     * @param fd      the file
     * @param offset  the position, or -1
     * @param targets at least one buffer
     * @return the op; emits the total bytes read
     */
    public OneShotPublisher<Integer> readv(int fd, long offset, UringBuffer... targets) {
        return op(FileCalls.readv(fd, offset, allocator, targets));
    }

    /**
     * Gather write at {@code offset} of the readable bytes of {@code sources}.
     *
     * @param fd      the file
     * @param offset  the position, or -1
     * @param sources at least one buffer
     * @return the op; emits the bytes written
     */
    public OneShotPublisher<Integer> writev(int fd, long offset, UringBuffer... sources) {
        return op(FileCalls.writev(fd, offset, allocator, sources));
    }

    /**
     * {@code READ_FIXED} into {@code target} inside registered buffer {@code bufIndex}, on the ring they are
     * registered on (one of these rings).
     *
     * @param fd       the file
     * @param buffers  the registered buffers
     * @param bufIndex which
     * @param target   inside it
     * @param offset   the position, or -1
     * @return the op; emits the bytes read
     */
    public OneShotPublisher<Integer> readFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment target,
                                               long offset) {
        return onRingOf(buffers.loop(), FileCalls.readFixed(fd, buffers, bufIndex, target, offset));
    }

    /**
     * {@code WRITE_FIXED} from {@code source} inside registered buffer {@code bufIndex}; see {@link #readFixed}.
     *
     * @param fd       the file
     * @param buffers  the registered buffers
     * @param bufIndex which
     * @param source   inside it
     * @param offset   the position, or -1
     * @return the op; emits the bytes written
     */
    public OneShotPublisher<Integer> writeFixed(int fd, RegisteredBuffers buffers, int bufIndex,
                                                MemorySegment source, long offset) {
        return onRingOf(buffers.loop(), FileCalls.writeFixed(fd, buffers, bufIndex, source, offset));
    }

    // ------------------------------------------------------------------------------------------- sockets

    /**
     * {@code socket(2)}, always {@code SOCK_CLOEXEC}.
     *
     * @param domain   {@code Sockets.AF_*}
     * @param type     {@code Sockets.SOCK_*}
     * @param protocol usually 0
     * @return the op; emits the fd
     */
    public OneShotPublisher<Integer> socket(int domain, int type, int protocol) {
        return op(NetCalls.socket(domain, type, protocol));
    }

    /** @param fd a socket @param address IPv4, IPv6 or a Unix domain path @return a connect; emits 0 */
    public OneShotPublisher<Integer> connect(int fd, SocketAddress address) {
        return op(NetCalls.connect(fd, address, allocator));
    }

    /** @param fd a socket @param address where @return a bind ({@code IORING_OP_BIND}); emits 0 */
    public OneShotPublisher<Integer> bind(int fd, SocketAddress address) {
        return op(NetCalls.bind(fd, address, allocator));
    }

    /** @param fd a bound socket @param backlog its backlog @return a listen ({@code IORING_OP_LISTEN}); emits 0 */
    public OneShotPublisher<Integer> listen(int fd, int backlog) {
        return op(NetCalls.listen(fd, backlog));
    }

    /**
     * Accepts one connection; closing the listening fd does not end a pending accept: cancel it.
     *
     * @param listenFd the listening socket
     * @return the op; emits the connection (its fd owned by the subscriber) with the peer's address
     */
    public OneShotPublisher<NetCalls.Accepted> accept(int listenFd) {
        return op(NetCalls.accept(listenFd, allocator));
    }

    /**
     * Sends every readable byte of {@code data}, continuing short sends. Keep at most one send in flight per socket.
     *
     * @param fd   the socket
     * @param data the bytes
     * @return the op; emits the total, the buffer's readable bytes
     */
    public OneShotPublisher<Integer> send(int fd, UringBuffer data) {
        return op(NetCalls.send(fd, data));
    }

    /**
     * One {@code send(2)}: emits its count, which on a stream socket may be short (the {@code send} ops continue until
     * every byte is out). Keep at most one send in flight per socket.
     *
     * @param fd   the socket
     * @param data the bytes
     * @return the op
     */
    public OneShotPublisher<Integer> sendOnce(int fd, UringBuffer data) {
        return op(NetCalls.sendOnce(fd, data));
    }

    /** @param fd the socket @param data the bytes (copied) @return a send of all of them; emits the total */
    public OneShotPublisher<Integer> send(int fd, byte[] data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.send(fd, copy));
    }

    /** @param fd the socket @param data the bytes (copied) @return a send; emits the bytes sent */
    public OneShotPublisher<Integer> send(int fd, ByteBuffer data) {
        checkWrite(fd, -1, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.send(fd, copy));
    }

    /**
     * Receives up to {@code length} bytes into a new buffer; an empty one means the peer shut down.
     *
     * @param fd     the socket
     * @param length at most this many bytes
     * @return the op; the subscriber owns the buffer
     */
    public OneShotPublisher<UringBuffer> recv(int fd, int length) {
        return op(NetCalls.recv(fd, length, allocator, UringBuffer::release));
    }

    /**
     * {@code sendmsg(2)} of the readable bytes of {@code parts}, in order, as one message.
     *
     * @param fd    the socket
     * @param to    the destination, or null on a connected socket
     * @param parts at least one buffer
     * @return the op; emits the bytes sent
     */
    public OneShotPublisher<Integer> sendmsg(int fd, SocketAddress to, UringBuffer... parts) {
        return op(NetCalls.sendmsg(fd, to, allocator, parts));
    }

    /** @param fd the socket @param to the destination or null @param data the bytes (copied) @return a sendmsg */
    public OneShotPublisher<Integer> sendmsg(int fd, SocketAddress to, byte[] data) {
        checkSendTo(fd, to, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.sendmsg(fd, to, allocator, copy));
    }

    /** @param fd the socket @param to the destination or null @param data the bytes (copied) @return a sendmsg */
    public OneShotPublisher<Integer> sendmsg(int fd, SocketAddress to, ByteBuffer data) {
        checkSendTo(fd, to, data);
        return onCopy(() -> allocator.copyOf(data), copy -> NetCalls.sendmsg(fd, to, allocator, copy));
    }

    /**
     * {@code recvmsg(2)} of up to {@code length} bytes (a longer datagram is truncated).
     *
     * @param fd     the socket
     * @param length at most this many bytes
     * @return the op; emits the data (owned by the subscriber) with the sender's address
     */
    public OneShotPublisher<NetCalls.Received> recvmsg(int fd, int length) {
        return op(NetCalls.recvmsg(fd, length, allocator, UringBuffer::release));
    }

    /** @param fd the socket @param how {@code Sockets.SHUT_*} @return a shutdown; emits 0 */
    public OneShotPublisher<Integer> shutdown(int fd, int how) {
        return op(NetCalls.shutdown(fd, how));
    }

    /**
     * Multishot {@code ACCEPT}: every connection for as long as it is subscribed and there is demand. An accepted
     * socket nobody receives is closed by the library. Completes when the listener is shut down.
     *
     * @param listenFd the listening socket
     * @return the stream
     */
    public MultishotPublisher<NetCalls.Accepted> acceptMultishot(int listenFd) {
        return multishot(MultishotCalls.accept(listenFd));
    }

    /**
     * Multishot {@code RECV} through a provided-buffer ring, on the ring it is registered on: each item is a buffer
     * borrowed from {@code buffers} (release it to give it back; {@code retain()} copies). Completes at EOF.
     *
     * @param fd      the socket
     * @param buffers the provided-buffer ring
     * @return the stream
     */
    public MultishotPublisher<UringBuffer> recvMultishot(int fd, ProvidedBufferRing buffers) {
        Objects.requireNonNull(buffers, "buffers");
        return new MultishotPublisher<>(rings.pinnedTo(buffers.loop()),
                MultishotCalls.recv(fd, buffers, allocator, UringBuffer::release), discard);
    }

    // ------------------------------------------------------------------------------------------- control

    /** @return {@code IORING_OP_NOP}; emits 0 */
    public OneShotPublisher<Integer> nop() {
        return op(ControlCalls.nop());
    }

    /** @param fd the fd @param events {@code Poll.POLL*} @return a one-shot {@code POLL_ADD}; emits the mask */
    public OneShotPublisher<Integer> poll(int fd, int events) {
        return op(ControlCalls.poll(fd, events));
    }

    /**
     * Multishot {@code POLL_ADD}: the ready masks of {@code fd} for as long as it is subscribed (wake-ups merged).
     *
     * @param fd     the fd
     * @param events {@code Poll.POLL*}
     * @return the stream; never completes by itself
     */
    public MultishotPublisher<Integer> pollMultishot(int fd, int events) {
        PollCall call = PollCall.of(fd, events); // immutable: serves every subscription
        return multishot(() -> call);
    }

    /** @param delay how long @return a kernel timer ({@code IORING_OP_TIMEOUT}); emits 0 when it expires */
    public OneShotPublisher<Integer> timer(Duration delay) {
        return op(ControlCalls.timer(delay));
    }

    /** @param fd the fd @return a cancel of every pending op on it on the ring this op runs on; emits the count */
    public OneShotPublisher<Integer> cancelFd(int fd) {
        return op(ControlCalls.cancelFd(fd));
    }

    /** @param to a mailbox on another ring @param value what to post @return a {@code MSG_RING}; emits 0 */
    public OneShotPublisher<Integer> message(RingMailbox.Address to, int value) {
        return op(ControlCalls.message(to, value));
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /** Ends every ring (returns at once); the allocator is closed once they have ended. */
    public void dispose() {
        rings.dispose();
    }

    /** @return true once every ring has been asked to end */
    public boolean isDisposed() {
        return rings.isDisposed();
    }

    /**
     * @param timeout how long at most
     * @return true if every ring ended within {@code timeout}
     * @throws InterruptedException if interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return rings.awaitTermination(Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public String toString() {
        return "UringOps(" + rings + ", " + options + ")";
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** A call that holds no memory serves every subscription: no allocation per subscription besides it. */
    private <T> OneShotPublisher<T> shared(OpCall<T> call) {
        return op(() -> call);
    }

    /**
     * An op over an owned copy of heap bytes, made at each subscription's first request; the op's call retains the
     * copy for itself, so this reference is dropped at once.
     */
    private <T> OneShotPublisher<T> onCopy(Supplier<UringBuffer> copy,
                                           Function<UringBuffer, Supplier<OpCall<T>>> op) {
        return op(() -> {
            UringBuffer owned = copy.get();
            try {
                return op.apply(owned).get();
            } finally {
                owned.release();
            }
        });
    }

    /** An op that only {@code loop} (the ring holding registered buffers) can run. */
    private OneShotPublisher<Integer> onRingOf(UringLoop loop, Supplier<OpCall<Integer>> calls) {
        LoopPlacement pinned = rings.pinnedTo(loop);
        return new OneShotPublisher<>(pinned, calls, options, discard);
    }

    /** The checks the write/send factories make at assembly, for heap data that is copied only at request. */
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

    /** The retry shape of a raw read or write on caller memory. */
    private static Call<Integer> retrying(OpSpec plain, FdKind kind, int readiness) {
        Objects.requireNonNull(kind, "kind");
        Call.Builder<Integer> b = Call.builder(plain);
        return (kind == FdKind.REGULAR_FILE ? b.regularFile() : b.pollable(readiness, Call.Nowait.RW_FLAGS)).build();
    }
}
