package io.reactiveuring.core.reactive;

import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.binding.IovecLayout;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.net.MessageHeaders;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.ops.SocketOps;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The socket half of the op catalogue as per-subscription {@link OpCall} suppliers. Reads and accepts are
 * read-direction pollable ops (USER mode uses {@code MSG_DONTWAIT} / {@code IORING_ACCEPT_DONTWAIT} and waits on
 * readiness after {@code -EAGAIN}), sends are write-direction ones.
 *
 * <p>Ownership: a received {@link UringBuffer} belongs to the subscriber; one that arrives after cancel goes to
 * {@code discard}. A send retains its buffer per subscription and releases that reference after the final CQE.
 * Accepted and created sockets belong to the subscriber; one that arrives after cancel is closed. Stateless; safe
 * from any thread.
 */
public final class NetCalls {
    private NetCalls() {
    }

    /**
     * An accepted connection and the peer's address ({@link MultishotCalls#accept} asks the new socket for it: null if
     * the peer was already gone or has no Java name).
     *
     * @param fd the accepted socket's fd, owned by the receiver
     * @param peer the peer's address, or null
     */
    public record Accepted(int fd, SocketAddress peer) {
    }

    /**
     * A received datagram or message: its bytes and the sender's address (null for connected sockets).
     *
     * @param data the bytes received, owned by the receiver (release it)
     * @param sender the sender's address, or null
     */
    public record Received(UringBuffer data, SocketAddress sender) {
    }

    /** {@code socket(2)} through the ring, always {@code SOCK_CLOEXEC}; emits the fd. */
    public static Supplier<OpCall<Integer>> socket(int domain, int type, int protocol) {
        OpSpec spec = SocketOps.socket(domain, type, protocol);
        return () -> Call.builder(spec).closingLateFd().build();
    }

    /** Connects {@code fd} to {@code address}; emits 0. */
    public static Supplier<OpCall<Integer>> connect(int fd, SocketAddress address, BufferAllocator allocator) {
        OpSpec.checkFd(fd);
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(allocator, "allocator");
        SocketAddresses.encodedSize(address); // rejects unsupported address types at assembly
        return () -> CallMemory.withMemory(allocator, memory ->
                Call.builder(SocketOps.connect(fd, SocketAddresses.allocate(address, memory)))
                        .describedAs("CONNECT " + SocketAddresses.describe(address) + " fd=" + fd));
    }

    /** Binds {@code fd} to {@code address} ({@code IORING_OP_BIND}); emits 0. */
    public static Supplier<OpCall<Integer>> bind(int fd, SocketAddress address, BufferAllocator allocator) {
        OpSpec.checkFd(fd);
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(allocator, "allocator");
        SocketAddresses.encodedSize(address);
        return () -> CallMemory.withMemory(allocator, memory -> {
            java.lang.foreign.MemorySegment sockaddr = SocketAddresses.allocate(address, memory);
            return Call.builder(SocketOps.bind(fd, sockaddr))
                    .describedAs("BIND " + SocketAddresses.describe(address) + " fd=" + fd)
                    .fallback(() -> LibSocket.bind(fd, sockaddr)); // before Linux 6.11
        });
    }

    /** Marks a bound {@code fd} as listening with {@code backlog} ({@code IORING_OP_LISTEN}); emits 0. */
    public static Supplier<OpCall<Integer>> listen(int fd, int backlog) {
        OpSpec spec = SocketOps.listen(fd, backlog);
        // holds no memory: one call serves every subscription
        Call<Integer> call = Call.builder(spec).fallback(() -> LibSocket.listen(fd, backlog)).build();
        return () -> call;
    }

    /** Accepts one connection on {@code listenFd}; emits it with the peer's address. */
    public static Supplier<OpCall<Accepted>> accept(int listenFd, BufferAllocator allocator) {
        OpSpec.checkFd(listenFd);
        Objects.requireNonNull(allocator, "allocator");
        return () -> CallMemory.withMemory(allocator, memory -> {
            MemorySegment peer = memory.allocate(SocketAddresses.PEER_BUFFER_SIZE, 8);
            OpSpec spec = SocketOps.accept(listenFd, peer, 0);
            return Call.builder(spec, (fd, flags) -> new Accepted(fd, SocketAddresses.decodePeerBuffer(peer)))
                    .closingLateFd()
                    .pollable(Poll.READABLE, Call.Nowait.ACCEPT);
        });
    }

    /** Sends every readable byte of {@code data}, continuing short sends; emits the total. */
    public static Supplier<OpCall<Integer>> send(int fd, UringBuffer data) {
        OpSpec.checkFd(fd);
        Objects.requireNonNull(data, "data");
        return () -> new TransferAll(TransferAll.Kind.SOCKET, fd, -1, data);
    }

    /** One {@code send(2)} of the readable bytes of {@code data}; emits its count (on a stream socket maybe short). */
    public static Supplier<OpCall<Integer>> sendOnce(int fd, UringBuffer data) {
        OpSpec.checkFd(fd);
        Objects.requireNonNull(data, "data");
        return () -> {
            UringBuffer held = data.retain(); // this subscription's reference (a copy for a borrowed buffer)
            MemorySegment bytes = held.readableSegment();
            return Call.builder(SocketOps.send(fd, bytes, 0))
                    .onRelease(held::release)
                    .pollable(Poll.WRITABLE, Call.Nowait.MSG_FLAGS)
                    .build();
        };
    }

    /** Receives up to {@code length} bytes into a new buffer; an empty buffer means the peer shut down (EOF). */
    public static Supplier<OpCall<UringBuffer>> recv(int fd, int length, BufferAllocator allocator,
                                                     Consumer<? super UringBuffer> discard) {
        checkReceive(fd, length, allocator);
        return () -> {
            CallMemory.ResultBuffer result = new CallMemory.ResultBuffer(allocator.allocate(length), discard);
            MemorySegment target = result.buffer.writableSegment();
            return Call.builder(SocketOps.recv(fd, target, 0), (res, flags) -> result.take(res))
                    .onDiscard(result::discard)
                    .onRelease(result::releaseIfKept)
                    .pollable(Poll.READABLE, Call.Nowait.MSG_FLAGS)
                    .build();
        };
    }

    /** {@code sendmsg(2)}: the readable bytes of {@code parts} as one message to {@code to} (null if connected). */
    public static Supplier<OpCall<Integer>> sendmsg(int fd, SocketAddress to, BufferAllocator allocator,
                                                    UringBuffer... parts) {
        OpSpec.checkFd(fd);
        Objects.requireNonNull(allocator, "allocator");
        UringBuffer[] bufs = parts.clone();
        IovecLayout.checkCount(bufs.length);
        for (UringBuffer b : bufs) {
            Objects.requireNonNull(b, "part");
        }
        if (to != null) {
            SocketAddresses.encodedSize(to); // rejects unsupported address types at assembly, as connect does
        }
        return () -> CallMemory.withMemory(allocator, memory -> {
            MemorySegment[] segments = new MemorySegment[bufs.length];
            for (int i = 0; i < bufs.length; i++) {
                segments[i] = memory.hold(bufs[i].retain()).readableSegment();
            }
            MemorySegment name = to == null ? null : SocketAddresses.allocate(to, memory);
            MemorySegment msghdr = MessageHeaders.allocate(memory, name, segments);
            return Call.builder(SocketOps.sendmsg(fd, msghdr, 0))
                    .pollable(Poll.WRITABLE, Call.Nowait.MSG_FLAGS);
        });
    }

    /** {@code recvmsg(2)} of up to {@code length} bytes; emits the data with the sender's address. */
    public static Supplier<OpCall<Received>> recvmsg(int fd, int length, BufferAllocator allocator,
                                                     Consumer<? super UringBuffer> discard) {
        checkReceive(fd, length, allocator);
        return () -> {
            CallMemory.ResultBuffer result = new CallMemory.ResultBuffer(allocator.allocate(length), discard);
            try {
                return CallMemory.withMemory(allocator, memory -> {
                    MemorySegment name = memory.allocate(SocketAddresses.PEER_BUFFER_SIZE, 8);
                    MemorySegment msghdr = MessageHeaders.allocate(memory, name, result.buffer.writableSegment());
                    return Call.builder(SocketOps.recvmsg(fd, msghdr, 0), (res, flags) -> {
                                int nameLength = MessageHeaders.nameLength(msghdr);
                                SocketAddress sender = nameLength > 0 ? SocketAddresses.decode(name, nameLength) : null;
                                return new Received(result.take(res), sender);
                            })
                            .onDiscard(result::discard)
                            .onRelease(result::releaseIfKept)
                            .pollable(Poll.READABLE, Call.Nowait.MSG_FLAGS);
                });
            } catch (RuntimeException | Error e) {
                result.releaseIfKept();
                throw e;
            }
        };
    }

    /** {@code shutdown(2)} ({@code Sockets.SHUT_RD/WR/RDWR}); emits 0. */
    public static Supplier<OpCall<Integer>> shutdown(int fd, int how) {
        OpSpec spec = SocketOps.shutdown(fd, how);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }



    private static void checkReceive(int fd, int length, BufferAllocator allocator) {
        OpSpec.checkFd(fd);
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        Objects.requireNonNull(allocator, "allocator");
    }
}
