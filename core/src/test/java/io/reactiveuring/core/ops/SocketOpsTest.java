package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.net.MessageHeaders;
import io.reactiveuring.core.net.SocketAddresses;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

import static io.reactiveuring.core.linux.Sockets.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/** Every socket op against the kernel: TCP over 127.0.0.1 and ::1, AF_UNIX paths and socketpairs, UDP. */
class SocketOpsTest extends LoopTestBase {

    @Test
    void tcpOverIpv4SocketConnectAcceptSendRecvRoundTripIsByteExact() throws Exception {
        roundTripOverTcp(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void tcpOverIpv6LoopbackRoundTripIsByteExactAndPeerAddressDecodes() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        int probe = LibSocket.socket(AF_INET6, SOCK_STREAM, 0);
        Assumptions.assumeTrue(probe >= 0, "no IPv6 sockets here: " + Errno.name(-probe));
        io.reactiveuring.core.binding.LibC.close(probe);
        int listener;
        try {
            listener = listenTcp(v6);
        } catch (AssertionError e) {
            Assumptions.abort("::1 not bindable here: " + e.getMessage());
            return;
        }
        roundTrip(listener, SocketAddresses.localAddress(listener));
    }

    private void roundTripOverTcp(InetAddress host) throws Exception {
        int listener = listenTcp(host);
        roundTrip(listener, SocketAddresses.localAddress(listener));
    }

    /** SOCKET + CONNECT + ACCEPT (with the peer's address) + SEND/RECV both ways. */
    private void roundTrip(int listener, SocketAddress serverAddress) throws Exception {
        FdRecorder socketOp = new FdRecorder(SocketOps.socket(SocketAddresses.family(serverAddress), SOCK_STREAM, 0));
        loop.submit(socketOp);
        int client = track(socketOp.awaitFinal().res());
        assertEquals(FD_CLOEXEC, LibSocket.fcntl(client, F_GETFD, 0) & FD_CLOEXEC, "SOCKET op fd is CLOEXEC");

        MemorySegment peer = SocketAddresses.allocatePeerBuffer(arena);
        FdRecorder accept = new FdRecorder(SocketOps.accept(listener, peer, 0));
        loop.submit(accept);
        Cqe connected = run(SocketOps.connect(client, SocketAddresses.allocate(serverAddress, arena)));
        assertEquals(0, connected.res(), () -> "connect: " + Errno.name(connected.res()));
        int server = track(accept.awaitFinal().res());
        assertEquals(FD_CLOEXEC, LibSocket.fcntl(server, F_GETFD, 0) & FD_CLOEXEC, "accepted fd is CLOEXEC");

        SocketAddress clientLocal = SocketAddresses.localAddress(client);
        assertEquals(clientLocal, SocketAddresses.decodePeerBuffer(peer), "accept's peer address");
        assertEquals(serverAddress, SocketAddresses.peerAddress(client));
        if (serverAddress instanceof InetSocketAddress inet) {
            assertEquals(inet.getAddress() instanceof Inet6Address,
                    ((InetSocketAddress) clientLocal).getAddress() instanceof Inet6Address);
        }

        assertTransfers(client, server, pattern(100_000, 1));
        assertTransfers(server, client, pattern(7, 2));
    }

    @Test
    void unixStreamPathConnectAcceptRoundTripDecodesBothAddresses(@TempDir Path dir) throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        int listener = listen(path);
        assertEquals(path, SocketAddresses.localAddress(listener));

        FdRecorder socketOp = new FdRecorder(SocketOps.socket(AF_UNIX, SOCK_STREAM, 0));
        loop.submit(socketOp);
        int client = track(socketOp.awaitFinal().res());
        MemorySegment peer = SocketAddresses.allocatePeerBuffer(arena);
        FdRecorder accept = new FdRecorder(SocketOps.accept(listener, peer, 0));
        loop.submit(accept);
        assertEquals(0, run(SocketOps.connect(client, SocketAddresses.allocate(path, arena))).res());
        int server = track(accept.awaitFinal().res());

        assertEquals(UnixDomainSocketAddress.of(""), SocketAddresses.decodePeerBuffer(peer), "unbound client");
        assertEquals(path, SocketAddresses.peerAddress(client));
        assertTransfers(client, server, pattern(65_536, 3));
        assertTransfers(server, client, pattern(1, 4));
    }

    @Test
    void unixStreamSocketpairRoundTripIsByteExact() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        assertTransfers(pair[0], pair[1], pattern(200_000, 5));
        assertTransfers(pair[1], pair[0], pattern(3, 6));
    }

    @Test
    void unixSeqpacketKeepsMessageBoundaries() throws Exception {
        int[] pair = socketpair(SOCK_SEQPACKET);
        byte[] first = pattern(3, 7);
        byte[] second = pattern(5, 8);
        assertEquals(3, run(SocketOps.send(pair[0], nativeBytes(first), 0)).res());
        assertEquals(5, run(SocketOps.send(pair[0], nativeBytes(second), 0)).res());

        MemorySegment buf = arena.allocate(64);
        assertEquals(3, run(SocketOps.recv(pair[1], buf, 0)).res(), "one message per recv");
        assertArrayEquals(first, buf.asSlice(0, 3).toArray(JAVA_BYTE));
        assertEquals(5, run(SocketOps.recv(pair[1], buf, 0)).res());
        assertArrayEquals(second, buf.asSlice(0, 5).toArray(JAVA_BYTE));
    }

    @Test
    void sendmsgGathersAndRecvmsgScattersByteExactOverSeqpacket() throws Exception {
        int[] pair = socketpair(SOCK_SEQPACKET);
        byte[] message = pattern(23, 9);
        MemorySegment whole = nativeBytes(message);
        MemorySegment out = MessageHeaders.allocate(arena, null,
                whole.asSlice(0, 5), whole.asSlice(5, 7), whole.asSlice(12, 11));
        assertEquals(23, run(SocketOps.sendmsg(pair[0], out, 0)).res());

        MemorySegment a = arena.allocate(10);
        MemorySegment b = arena.allocate(20);
        MemorySegment in = MessageHeaders.allocate(arena, null, a, b);
        assertEquals(23, run(SocketOps.recvmsg(pair[1], in, 0)).res());
        assertArrayEquals(java.util.Arrays.copyOfRange(message, 0, 10), a.toArray(JAVA_BYTE));
        assertArrayEquals(java.util.Arrays.copyOfRange(message, 10, 23), b.asSlice(0, 13).toArray(JAVA_BYTE));
        assertEquals(0, MessageHeaders.flags(in) & MSG_TRUNC);
    }

    @Test
    void udpSendmsgToAddressAndRecvmsgReportsTheSource() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        int receiver = track(LibSocket.socket(AF_INET, SOCK_DGRAM, 0));
        int sender = track(LibSocket.socket(AF_INET, SOCK_DGRAM, 0));
        try (Arena tmp = Arena.ofConfined()) {
            assertEquals(0, LibSocket.bind(receiver, SocketAddresses.allocate(new InetSocketAddress(lo, 0), tmp)));
            assertEquals(0, LibSocket.bind(sender, SocketAddresses.allocate(new InetSocketAddress(lo, 0), tmp)));
        }
        byte[] datagram = pattern(300, 10);
        MemorySegment to = SocketAddresses.allocate(SocketAddresses.localAddress(receiver), arena);
        assertEquals(300, run(SocketOps.sendmsg(sender, MessageHeaders.allocate(arena, to, nativeBytes(datagram)), 0))
                .res());

        MemorySegment from = arena.allocate(SocketAddresses.PEER_BUFFER_SIZE);
        MemorySegment small = arena.allocate(100);
        MemorySegment rest = arena.allocate(100);
        MemorySegment in = MessageHeaders.allocate(arena, from, small, rest);
        assertEquals(200, run(SocketOps.recvmsg(receiver, in, 0)).res(), "a datagram fills both iovecs");
        assertEquals(MSG_TRUNC, MessageHeaders.flags(in) & MSG_TRUNC, "the last 100 bytes were cut off");
        assertArrayEquals(java.util.Arrays.copyOfRange(datagram, 0, 100), small.toArray(JAVA_BYTE));
        assertArrayEquals(java.util.Arrays.copyOfRange(datagram, 100, 200), rest.toArray(JAVA_BYTE));
        assertEquals(SocketAddresses.localAddress(sender), SocketAddresses.decode(from, MessageHeaders.nameLength(in)));
    }

    @Test
    void shutdownWriteMakesThePeerReadEof() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        assertTransfers(pair[0], pair[1], pattern(10, 11));
        assertEquals(0, run(SocketOps.shutdown(pair[0], SHUT_WR)).res());
        assertEquals(0, run(SocketOps.recv(pair[1], arena.allocate(16), 0)).res(), "EOF after the peer's SHUT_WR");
        // the other direction still works
        assertTransfers(pair[1], pair[0], pattern(10, 12));
    }

    @Test
    void sendToAClosedPeerIsEpipeNotASignal() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        closeNow(pair[1]);
        assertEquals(-Errno.EPIPE, run(SocketOps.send(pair[0], nativeBytes(pattern(10, 13)), 0)).res());
    }

    @Test
    void connectToAPortNobodyListensOnIsEconnrefused() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        SocketAddress unused = SocketAddresses.localAddress(listener);
        closeNow(listener); // the port is now closed
        int client = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
        Cqe refused = run(SocketOps.connect(client, SocketAddresses.allocate(unused, arena)));
        assertEquals(-Errno.ECONNREFUSED, refused.res());
    }

    @Test
    void socketOptionsAndNonBlockingModeRoundTrip() {
        int fd = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
        assertEquals(0, LibSocket.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1));
        assertEquals(1, LibSocket.getsockopt(fd, IPPROTO_TCP, TCP_NODELAY));
        assertEquals(0, LibSocket.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1));
        assertEquals(1, LibSocket.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR));
        assertEquals(0, LibSocket.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 65536));
        assertTrue(LibSocket.getsockopt(fd, SOL_SOCKET, SO_RCVBUF) >= 65536, "the kernel doubles SO_RCVBUF");
        assertEquals(0, LibSocket.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 65536));
        assertTrue(LibSocket.getsockopt(fd, SOL_SOCKET, SO_SNDBUF) >= 65536);
        assertEquals(FD_CLOEXEC, LibSocket.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC, "socket() is CLOEXEC");

        assertEquals(0, LibSocket.fcntl(fd, F_GETFL, 0) & O_NONBLOCK);
        assertEquals(0, LibSocket.setNonBlocking(fd, true));
        assertEquals(O_NONBLOCK, LibSocket.fcntl(fd, F_GETFL, 0) & O_NONBLOCK);
        assertEquals(0, LibSocket.setNonBlocking(fd, false));
        assertEquals(0, LibSocket.fcntl(fd, F_GETFL, 0) & O_NONBLOCK);

        assertEquals(-Errno.EBADF, LibSocket.setsockopt(99_999, SOL_SOCKET, SO_REUSEADDR, 1));
        assertEquals(-Errno.ENOTSOCK, LibSocket.getsockopt(pipe()[0], SOL_SOCKET, SO_REUSEADDR));
    }

    @Test
    void socketpairEndsAreCloexec() {
        for (int fd : socketpair(SOCK_STREAM)) {
            assertEquals(FD_CLOEXEC, LibSocket.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC);
        }
    }
}
