package io.reactiveuring.rxjava;

import io.reactiveuring.core.SocketPair;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.reactive.NetCalls;
import io.reactivex.rxjava3.observers.TestObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The socket half of the catalogue as RxJava types: TCP loopback with the socket made, bound, listened on, connected,
 * accepted, written, read, shut down and closed through the ring; AF_UNIX pairs; UDP datagrams; errnos.
 */
class RxNetOpsTest extends RxTestBase {

    /** Receives on {@code fd} until {@code length} bytes came (a stream may split or merge sends). */
    String recvExactly(int fd, int length) {
        StringBuilder got = new StringBuilder();
        while (got.length() < length) {
            UringBuffer b = rx.recv(fd, 64).blockingGet();
            assertTrue(b.readableBytes() > 0, "unexpected end of stream after " + got);
            got.append(consume(b));
        }
        return got.toString();
    }

    @ParameterizedTest
    @EnumSource(value = PollRetry.class, names = {"KERNEL", "USER"})
    void tcpLoopbackEntirelyThroughTheRingIsByteExact(PollRetry mode) throws Exception {
        RxUring r = rx.withPollRetry(mode);
        int listen = track(r.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0).blockingGet());
        assertEquals(Sockets.FD_CLOEXEC, LibSocket.fcntl(listen, Sockets.F_GETFD, 0), "CLOEXEC");
        assertEquals(0, LibSocket.setsockopt(listen, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1));
        r.bind(listen, loopbackAnyPort()).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        r.listen(listen, 16).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        InetSocketAddress bound = localAddress(listen);
        assertNotEquals(0, bound.getPort(), "bound to an ephemeral port");

        TestObserver<NetCalls.Accepted> accepted = r.accept(listen).test();
        int client = track(r.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0).blockingGet());
        r.connect(client, bound).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        NetCalls.Accepted a = accepted.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete().values().getFirst();
        int server = track(a.fd());
        assertEquals(localAddress(client), a.peer());
        assertEquals(Sockets.FD_CLOEXEC, LibSocket.fcntl(server, Sockets.F_GETFD, 0));

        r.send(client, ascii("hello ")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(6);
        r.send(client, ByteBuffer.wrap(ascii("over "))).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult(5);
        UringBuffer owned = allocator.copyOf(ascii("tcp"));
        r.send(client, owned).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(3);
        assertEquals(1, owned.refCnt(), "the send released its own reference");
        owned.release();
        assertEquals("hello over tcp", recvExactly(server, 14));

        r.shutdown(client, Sockets.SHUT_WR).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        r.recv(server, 64).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult(""); // the peer's shutdown is an empty buffer
        r.close(client).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        forget(client);
        r.close(server).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        forget(server);
    }

    @Test
    void unixPairCarriesBytesBothWaysAndConnectedMessagesHaveNoSender() {
        SocketPair pair = unixPair();
        rx.send(pair.first(), ascii("ping")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(4);
        rx.recv(pair.second(), 64).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult("ping");
        rx.send(pair.second(), ascii("pong")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(4);
        rx.recv(pair.first(), 64).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult("pong");

        UringBuffer head = allocator.copyOf(ascii("two "));
        UringBuffer tail = allocator.copyOf(ascii("parts"));
        rx.sendmsg(pair.first(), null, head, tail).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(9);
        head.release();
        tail.release();
        NetCalls.Received m = rx.recvmsg(pair.second(), 64).blockingGet();
        assertNull(m.sender(), "a connected unnamed socket has no sender address");
        assertEquals("two parts", consume(m.data()));
    }

    @Test
    void udpSendmsgAndRecvmsgCarryTheDatagramAndItsSender() {
        int a = udpSocket();
        int b = udpSocket();
        InetSocketAddress bAddress = localAddress(b);
        UringBuffer p1 = allocator.copyOf(ascii("data"));
        UringBuffer p2 = allocator.copyOf(ascii("gram"));
        rx.sendmsg(a, bAddress, p1, p2).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(8);
        p1.release();
        p2.release();
        rx.sendmsg(a, bAddress, ascii("heap")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(4);
        rx.sendmsg(a, bAddress, ByteBuffer.wrap(ascii("truncated datagram"))).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(18);
        for (String expected : List.of("datagram", "heap")) {
            NetCalls.Received m = rx.recvmsg(b, 64).blockingGet();
            assertEquals(localAddress(a), m.sender());
            assertEquals(expected, consume(m.data()));
        }
        NetCalls.Received cut = rx.recvmsg(b, 9).blockingGet();
        assertEquals("truncated", consume(cut.data()), "a longer datagram is cut");
    }

    @Test
    void connectToAPortNobodyListensOnIsECONNREFUSED() {
        int bound = udpSocket(); // holds an ephemeral port that no TCP socket listens on
        int client = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0));
        rx.connect(client, localAddress(bound)).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> e instanceof UringError u && u.errno() == Errno.ECONNREFUSED
                        && u.errnoName().equals("ECONNREFUSED"));
    }

    @Test
    void sendAndReceiveOnAClosedFdAreEBADF() {
        SocketPair pair = unixPair();
        int closed = pair.first();
        rx.close(closed).blockingAwait();
        forget(closed);
        rx.send(closed, ascii("x")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> UringError.errnoOf(e) == Errno.EBADF);
        rx.recv(closed, 8).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> UringError.errnoOf(e) == Errno.EBADF);
        rx.recvmsg(closed, 8).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> UringError.errnoOf(e) == Errno.EBADF);
        assertEquals(0, allocator.liveBuffers(), "failed receives released their buffers");
    }

    @Test
    void badArgumentsFailAtTheCallAndNeverReachTheKernel() throws Exception {
        SocketAddress unsupported = new SocketAddress() {
        };
        InetSocketAddress somewhere = new InetSocketAddress("127.0.0.1", 9);
        UringBuffer buf = allocator.allocate(8);
        barrier();
        long submitted = loop.submittedOperations();
        assertThrows(IllegalArgumentException.class, () -> rx.send(-1, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> rx.send(-1, buf));
        assertThrows(NullPointerException.class, () -> rx.send(0, (ByteBuffer) null));
        assertThrows(IllegalArgumentException.class, () -> rx.recv(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> rx.recv(0, -1));
        assertThrows(IllegalArgumentException.class, () -> rx.recvmsg(0, -1));
        assertThrows(IllegalArgumentException.class, () -> rx.accept(-1));
        assertThrows(IllegalArgumentException.class, () -> rx.acceptMultishot(-1));
        assertThrows(IllegalArgumentException.class, () -> rx.connect(-1, somewhere));
        assertThrows(NullPointerException.class, () -> rx.connect(0, null));
        assertThrows(IllegalArgumentException.class, () -> rx.connect(0, unsupported));
        assertThrows(IllegalArgumentException.class, () -> rx.bind(0, unsupported));
        assertThrows(IllegalArgumentException.class, () -> rx.listen(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> rx.sendmsg(0, unsupported, buf));
        assertThrows(IllegalArgumentException.class, () -> rx.sendmsg(0, unsupported, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> rx.sendmsg(-1, somewhere, ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> rx.shutdown(-1, Sockets.SHUT_RDWR));
        assertThrows(NullPointerException.class, () -> rx.recvMultishot(0, null));
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
        buf.release();
    }
}
