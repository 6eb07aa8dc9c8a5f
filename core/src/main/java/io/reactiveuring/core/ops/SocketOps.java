package io.reactiveuring.core.ops;

import io.reactiveuring.core.binding.MsghdrLayout;
import io.reactiveuring.core.binding.SockaddrLayout;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.net.SocketAddresses;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static io.reactiveuring.core.linux.IoUring.*;

/**
 * The socket half of the op catalogue: factories that describe SOCKET, CONNECT, ACCEPT (one-shot and multishot),
 * SEND, RECV (one-shot, with buffer selection, and multishot over a {@link ProvidedBufferRing}), SENDMSG, RECVMSG
 * and SHUTDOWN as {@link OpSpec}s, for {@link io.reactiveuring.core.engine.UringOperation}s submitted to a
 * {@link io.reactiveuring.core.engine.UringLoop}. Invalid arguments fail here with standard exceptions and never
 * reach the kernel.
 *
 * <p>Results: SOCKET and ACCEPT complete with a new fd (use a {@link FdResultOperation} so a late fd after cancel
 * is closed); SEND/RECV/SENDMSG/RECVMSG with a byte count (0 from a recv: the peer shut down its side); CONNECT and
 * SHUTDOWN with 0; all with {@code -errno} on failure.
 *
 * <p>Policies: every fd these ops create is {@code SOCK_CLOEXEC}; sends always carry {@code MSG_NOSIGNAL} (a write
 * to a closed peer is {@code -EPIPE}, never a process-killing {@code SIGPIPE}).
 *
 * <p>Ownership: memory a spec points to (buffers, sockaddrs, msghdrs, peer buffers) must stay valid until the op's
 * final completion: attach it to the operation as an {@code OwnedResource}. Stateless; safe from any thread.
 */
public final class SocketOps {
    private SocketOps() {
    }

    /** {@code IORING_OP_SOCKET}: a new socket ({@code SOCK_CLOEXEC} added to {@code type}); completes with its fd. */
    public static OpSpec socket(int domain, int type, int protocol) {
        if (domain < 0 || type < 0 || protocol < 0) {
            throw new IllegalArgumentException("domain, type and protocol must not be negative: " + domain + ", "
                    + type + ", " + protocol);
        }
        return OpSpec.builder(IORING_OP_SOCKET)
                .fd(domain)
                .off(type | Sockets.SOCK_CLOEXEC)
                .len(protocol).build();
    }

    /**
     * {@code IORING_OP_CONNECT} of {@code fd} to the sockaddr in {@code sockaddr} (its size is the address length;
     * see {@link SocketAddresses#allocate}). Completes with 0.
     */
    public static OpSpec connect(int fd, MemorySegment sockaddr) {
        return addressed(IORING_OP_CONNECT, fd, sockaddr);
    }

    /**
     * {@code IORING_OP_BIND} (Linux 6.11) of {@code fd} to the sockaddr in {@code sockaddr}; completes with 0. Where
     * the kernel lacks the op, bind with the plain syscall instead.
     */
    public static OpSpec bind(int fd, MemorySegment sockaddr) {
        return addressed(IORING_OP_BIND, fd, sockaddr);
    }

    /**
     * {@code IORING_OP_LISTEN} (Linux 6.11) on a bound socket with a {@code backlog} (capped by the kernel at
     * {@code net.core.somaxconn}); completes with 0.
     */
    public static OpSpec listen(int fd, int backlog) {
        OpSpec.checkFd(fd);
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must not be negative: " + backlog);
        }
        return OpSpec.builder(IORING_OP_LISTEN).fd(fd).len(backlog).build();
    }

    /** An op on {@code fd} with a sockaddr: {@code addr} points to it, {@code off} is its length. */
    private static OpSpec addressed(byte opcode, int fd, MemorySegment sockaddr) {
        OpSpec.checkFd(fd);
        OpSpec.checkNative(sockaddr);
        if (sockaddr.byteSize() < SockaddrLayout.SA_FAMILY_SIZE
                || sockaddr.byteSize() > SockaddrLayout.SOCKADDR_STORAGE_SIZE) {
            throw new IllegalArgumentException("a sockaddr has 2.." + SockaddrLayout.SOCKADDR_STORAGE_SIZE
                    + " bytes, got " + sockaddr.byteSize());
        }
        return OpSpec.builder(opcode)
                .fd(fd)
                .addr(sockaddr.address())
                .off(sockaddr.byteSize()).build();
    }

    /** One-shot {@code IORING_OP_ACCEPT} without the peer's address; completes with the accepted fd. */
    public static OpSpec accept(int listenFd) {
        return accept(listenFd, null, 0);
    }

    /**
     * One-shot {@code IORING_OP_ACCEPT}. {@code peerBuffer} (null for none) receives the peer's address
     * ({@link SocketAddresses#allocatePeerBuffer}; its length field is reset here and must be reset again with
     * {@link SocketAddresses#resetPeerBuffer} before a resubmission). {@code socketFlags} may add
     * {@code SOCK_NONBLOCK}; {@code SOCK_CLOEXEC} is always set.
     */
    public static OpSpec accept(int listenFd, MemorySegment peerBuffer, int socketFlags) {
        OpSpec.Builder s = acceptSpec(listenFd, socketFlags);
        if (peerBuffer != null) {
            SocketAddresses.resetPeerBuffer(peerBuffer);
            s.addr(peerBuffer.address()).off(peerBuffer.address() + SocketAddresses.PEER_LENGTH_OFFSET);
        }
        return s.build();
    }

    /**
     * Multishot {@code IORING_OP_ACCEPT} ({@code IORING_ACCEPT_MULTISHOT}): one CQE per accepted connection, each
     * with {@code IORING_CQE_F_MORE} while it stays armed; the final one (an error, or {@code -ECANCELED} after a
     * cancel) lacks it. No peer address: every CQE would overwrite the same buffer; ask the accepted socket
     * ({@link SocketAddresses#peerAddress}).
     */
    public static OpSpec acceptMultishot(int listenFd, int socketFlags) {
        return acceptSpec(listenFd, socketFlags).ioprio(IORING_ACCEPT_MULTISHOT).build();
    }

    private static OpSpec.Builder acceptSpec(int listenFd, int socketFlags) {
        OpSpec.checkFd(listenFd);
        if ((socketFlags & ~(Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC)) != 0) {
            throw new IllegalArgumentException("accept takes only SOCK_NONBLOCK and SOCK_CLOEXEC: 0x"
                    + Integer.toHexString(socketFlags));
        }
        return OpSpec.builder(IORING_OP_ACCEPT)
                .fd(listenFd)
                .opFlags(socketFlags | Sockets.SOCK_CLOEXEC);
    }

    /** {@code IORING_OP_SEND} of all of {@code buffer} with {@code msgFlags} (plus {@code MSG_NOSIGNAL}). */
    public static OpSpec send(int fd, MemorySegment buffer, int msgFlags) {
        return transfer(IORING_OP_SEND, fd, buffer, msgFlags | Sockets.MSG_NOSIGNAL);
    }

    /**
     * {@code IORING_OP_RECV} into {@code buffer} with {@code msgFlags} ({@code MSG_DONTWAIT}: {@code -EAGAIN}
     * instead of waiting on an empty socket; {@code MSG_WAITALL}, {@code MSG_PEEK}, ...).
     */
    public static OpSpec recv(int fd, MemorySegment buffer, int msgFlags) {
        return transfer(IORING_OP_RECV, fd, buffer, msgFlags);
    }

    private static OpSpec transfer(byte opcode, int fd, MemorySegment buffer, int msgFlags) {
        OpSpec.checkFd(fd);
        OpSpec.checkNative(buffer);
        return OpSpec.builder(opcode)
                .fd(fd)
                .addr(buffer.address())
                .len(OpSpec.checkLength(buffer.byteSize()))
                .opFlags(msgFlags).build();
    }

    /**
     * One-shot {@code IORING_OP_RECV} into a buffer the kernel picks from {@code buffers}
     * ({@code IOSQE_BUFFER_SELECT}): the CQE has {@code IORING_CQE_F_BUFFER} and the buffer id, or ends with
     * {@code -ENOBUFS} when the ring is empty. The operation must hold a {@link ProvidedBufferRing#lease()}.
     */
    public static OpSpec recvSelect(int fd, ProvidedBufferRing buffers, int msgFlags) {
        return bufferSelect(fd, buffers, msgFlags).build();
    }

    /**
     * Multishot {@code IORING_OP_RECV} ({@code IORING_RECV_MULTISHOT}) over a provided-buffer ring: one CQE per
     * received chunk, each naming its buffer id, with {@code IORING_CQE_F_MORE} while armed. It ends (final CQE,
     * no {@code F_MORE}) with {@code -ENOBUFS} when the ring ran dry (recycle buffers, then submit again: the
     * unread data is still in the socket), 0 at EOF, or {@code -ECANCELED}. The operation must hold a
     * {@link ProvidedBufferRing#lease()} until its final completion.
     */
    public static OpSpec recvMultishot(int fd, ProvidedBufferRing buffers, int msgFlags) {
        if ((msgFlags & Sockets.MSG_WAITALL) != 0) {
            throw new IllegalArgumentException("MSG_WAITALL cannot be combined with a multishot recv");
        }
        return bufferSelect(fd, buffers, msgFlags).ioprio(IORING_RECV_MULTISHOT).build();
    }

    private static OpSpec.Builder bufferSelect(int fd, ProvidedBufferRing buffers, int msgFlags) {
        OpSpec.checkFd(fd);
        Objects.requireNonNull(buffers, "buffers");
        if (buffers.isClosed()) {
            throw new IllegalStateException("provided-buffer ring " + buffers.groupId() + " is closed");
        }
        return OpSpec.builder(IORING_OP_RECV)
                .fd(fd)
                .len(0) // 0: each selected buffer's own length
                .opFlags(msgFlags)
                .sqeFlags(IOSQE_BUFFER_SELECT)
                .bufIndex(buffers.groupId());
    }

    /** {@code IORING_OP_SENDMSG} of a msghdr built with {@link io.reactiveuring.core.net.MessageHeaders}. */
    public static OpSpec sendmsg(int fd, MemorySegment msghdr, int msgFlags) {
        return message(IORING_OP_SENDMSG, fd, msghdr, msgFlags | Sockets.MSG_NOSIGNAL);
    }

    /**
     * {@code IORING_OP_RECVMSG} into a msghdr built with {@link io.reactiveuring.core.net.MessageHeaders}; the
     * kernel also updates its {@code msg_namelen} and {@code msg_flags}.
     */
    public static OpSpec recvmsg(int fd, MemorySegment msghdr, int msgFlags) {
        return message(IORING_OP_RECVMSG, fd, msghdr, msgFlags);
    }

    private static OpSpec message(byte opcode, int fd, MemorySegment msghdr, int msgFlags) {
        OpSpec.checkFd(fd);
        OpSpec.checkNative(msghdr);
        if (msghdr.byteSize() < MsghdrLayout.SIZE) {
            throw new IllegalArgumentException("a msghdr has " + MsghdrLayout.SIZE + " bytes, got "
                    + msghdr.byteSize());
        }
        return OpSpec.builder(opcode)
                .fd(fd)
                .addr(msghdr.address())
                .len(1) // one msghdr, as liburing's prep helpers pass
                .opFlags(msgFlags)
                .build();
    }

    /** {@code IORING_OP_SHUTDOWN} with {@code SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}; completes with 0. */
    public static OpSpec shutdown(int fd, int how) {
        OpSpec.checkFd(fd);
        if (how != Sockets.SHUT_RD && how != Sockets.SHUT_WR && how != Sockets.SHUT_RDWR) {
            throw new IllegalArgumentException("how must be SHUT_RD, SHUT_WR or SHUT_RDWR: " + how);
        }
        return OpSpec.builder(IORING_OP_SHUTDOWN)
                .fd(fd)
                .len(how).build();
    }
}
