package io.reactiveuring.reactor;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.reactive.NetCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.test.StepVerifier;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/** The socket half of the catalogue through ReactorUring: TCP loopback, AF_UNIX pairs, UDP, errors, cancel. */
class NetCatalogueTest extends CatalogueTestBase {

    /** Receives on {@code fd} until {@code length} bytes came (a stream may split or merge sends). */
    String recvExactly(int fd, int length) {
        StringBuilder got = new StringBuilder();
        while (got.length() < length) {
            UringBuffer b = ring.recv(fd, 64).block(TIMEOUT);
            assertNotNull(b);
            assertTrue(b.readableBytes() > 0 || got.length() == length, "unexpected end of stream after " + got);
            got.append(consume(b));
        }
        return got.toString();
    }

    @ParameterizedTest
    @EnumSource(value = PollRetry.class, names = {"KERNEL", "USER"})
    void tcpSocketConnectAcceptSendRecvShutdownAndCloseByteExact(PollRetry mode) throws Exception {
        ReactorUring r = ring.withPollRetry(mode);
        int listen = tcpListener();
        InetSocketAddress bound = localAddress(listen);
        CompletableFuture<NetCalls.Accepted> accepted = r.accept(listen).toFuture();
        Integer clientFd = r.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0).block(TIMEOUT);
        assertNotNull(clientFd);
        int client = track(clientFd);
        assertEquals(Sockets.FD_CLOEXEC, LibSocket.fcntl(client, Sockets.F_GETFD, 0), "CLOEXEC");
        StepVerifier.create(r.connect(client, bound)).expectNext(0).expectComplete().verify(TIMEOUT);
        NetCalls.Accepted a = accepted.get(10, TimeUnit.SECONDS);
        int server = track(a.fd());
        assertEquals(localAddress(client), a.peer());
        assertEquals(Sockets.FD_CLOEXEC, LibSocket.fcntl(server, Sockets.F_GETFD, 0));

        StepVerifier.create(r.send(client, ascii("hello "))).expectNext(6).expectComplete().verify(TIMEOUT);
        StepVerifier.create(r.send(client, ByteBuffer.wrap(ascii("over ")))).expectNext(5).expectComplete()
                .verify(TIMEOUT);
        UringBuffer owned = allocator.copyOf(ascii("tcp"));
        StepVerifier.create(r.send(client, owned)).expectNext(3).expectComplete().verify(TIMEOUT);
        assertEquals(1, owned.refCnt(), "the send released its own reference");
        owned.release();
        assertEquals("hello over tcp", recvExactly(server, 14));

        StepVerifier.create(r.shutdown(client, Sockets.SHUT_WR)).expectNext(0).expectComplete().verify(TIMEOUT);
        StepVerifier.create(r.recv(server, 64).map(CatalogueTestBase::consume))
                .expectNext("").as("the peer's shutdown is an empty buffer")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(r.close(client)).expectNext(0).expectComplete().verify(TIMEOUT);
        forget(client);
        StepVerifier.create(r.close(server)).expectNext(0).expectComplete().verify(TIMEOUT);
        forget(server);
    }

    @Test
    void unixSocketPairCarriesBytesBothWaysAndConnectedMessagesHaveNoSender() {
        int[] pair = unixSocketPair();
        StepVerifier.create(ring.send(pair[0], ascii("ping"))).expectNext(4).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.recv(pair[1], 64).map(CatalogueTestBase::consume))
                .expectNext("ping").expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.send(pair[1], ascii("pong"))).expectNext(4).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.recv(pair[0], 64).map(CatalogueTestBase::consume))
                .expectNext("pong").expectComplete().verify(TIMEOUT);

        UringBuffer head = allocator.copyOf(ascii("two "));
        UringBuffer tail = allocator.copyOf(ascii("parts"));
        StepVerifier.create(ring.sendmsg(pair[0], null, head, tail)).expectNext(9).expectComplete().verify(TIMEOUT);
        head.release();
        tail.release();
        StepVerifier.create(ring.recvmsg(pair[1], 64))
                .assertNext(m -> {
                    assertEquals("two parts", consume(m.data()));
                    assertNull(m.sender(), "a connected unnamed socket has no sender address");
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void udpSendmsgAndRecvmsgCarryTheDatagramAndItsSender() {
        int a = udpSocket();
        int b = udpSocket();
        InetSocketAddress bAddress = localAddress(b);
        UringBuffer p1 = allocator.copyOf(ascii("data"));
        UringBuffer p2 = allocator.copyOf(ascii("gram"));
        StepVerifier.create(ring.sendmsg(a, bAddress, p1, p2)).expectNext(8).expectComplete().verify(TIMEOUT);
        p1.release();
        p2.release();
        StepVerifier.create(ring.sendmsg(a, bAddress, ascii("heap"))).expectNext(4).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.sendmsg(a, bAddress, ByteBuffer.wrap(ascii("truncated datagram"))))
                .expectNext(18).expectComplete().verify(TIMEOUT);

        for (String expected : List.of("datagram", "heap")) {
            StepVerifier.create(ring.recvmsg(b, 64))
                    .assertNext(m -> {
                        assertEquals(expected, consume(m.data()));
                        assertEquals(localAddress(a), m.sender());
                    })
                    .expectComplete()
                    .verify(TIMEOUT);
        }
        StepVerifier.create(ring.recvmsg(b, 9))
                .assertNext(m -> assertEquals("truncated", consume(m.data()), "a longer datagram is cut"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void connectToAPortNobodyListensOnIsECONNREFUSED() {
        int bound = udpSocket(); // holds an ephemeral port that no TCP socket listens on
        int client = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0));
        StepVerifier.create(ring.connect(client, localAddress(bound)))
                .expectErrorSatisfies(e -> {
                    assertInstanceOf(java.net.ConnectException.class, e, "the JDK's own type");
                    io.reactiveuring.core.UringError u = assertInstanceOf(io.reactiveuring.core.UringError.class, e);
                    assertEquals(Errno.ECONNREFUSED, u.errno());
                    assertEquals("ECONNREFUSED", u.errnoName());
                    String peer = io.reactiveuring.core.net.SocketAddresses.describe(localAddress(bound));
                    assertTrue(e.getMessage().contains("CONNECT " + peer + " fd=" + client), e.getMessage());
                })
                .verify(TIMEOUT);
    }

    @Test
    void sendAndRecvOnAClosedFdAreEBADF() {
        int[] pair = unixSocketPair();
        int closed = pair[0];
        LibC.close(closed);
        forget(closed);
        StepVerifier.create(ring.send(closed, ascii("x")))
                .expectErrorSatisfies(e -> assertEquals(Errno.EBADF,
                        assertInstanceOf(UringException.class, e).errno()))
                .verify(TIMEOUT);
        StepVerifier.create(ring.recv(closed, 8))
                .expectErrorSatisfies(e -> assertEquals(Errno.EBADF,
                        assertInstanceOf(UringException.class, e).errno()))
                .verify(TIMEOUT);
        StepVerifier.create(ring.recvmsg(closed, 8))
                .expectErrorSatisfies(e -> assertEquals(Errno.EBADF,
                        assertInstanceOf(UringException.class, e).errno()))
                .verify(TIMEOUT);
        assertEquals(0, allocator.liveBuffers(), "failed receives released their buffers");
    }

    @Test
    void cancelOfAPendingRecvReleasesItsBufferAfterTheFinalCqeAndDiscardsNothing() throws Exception {
        int[] pair = unixSocketPair();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        long cancelsBefore = loop.cancelsIssued();
        StepVerifier.create(ring.recv(pair[0], 64).doOnDiscard(Object.class, discarded::add))
                .then(() -> {
                    barrier();
                    assertEquals(1, allocator.liveBuffers(), "the kernel owns the buffer while the recv is pending");
                })
                .thenCancel()
                .verify(TIMEOUT);
        awaitBuffersReleased();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "ASYNC_CANCEL was submitted");
        assertEquals(List.of(), discarded, "nothing arrived, so nothing to discard");
    }

    @Test
    void recvCompletingAfterCancelHandsItsBufferToTheDiscardHookOnTheLoopThread() throws Exception {
        int[] pair = unixSocketPair();
        fx.writeAll(pair[1], "late data");
        CompletableFuture<UringBuffer> discarded = new CompletableFuture<>();
        CompletableFuture<Boolean> onLoopThread = new CompletableFuture<>();
        long completionsBefore = loop.completionCount();
        Mono<UringBuffer> recv = ring.recv(pair[0], 64)
                .contextWrite(ctx -> Operators.enableOnDiscard(ctx, d -> {
                    onLoopThread.complete(loop.inLoop());
                    discarded.complete((UringBuffer) d);
                }));
        requestAndCancelInOneLoopTask(recv);
        UringBuffer late = discarded.get(10, TimeUnit.SECONDS);
        assertTrue(onLoopThread.get(), "discarded on the loop thread, at the recv's final CQE");
        assertTrue(loop.completionCount() > completionsBefore);
        assertEquals("late data", consume(late), "the hook owns the buffer with the bytes received");
        assertEquals(0, allocator.liveBuffers());
    }

    @Test
    void recvCompletingAfterCancelWithoutAHookIsReleasedAndItsBytesAreGone() throws Exception {
        int[] pair = unixSocketPair();
        fx.writeAll(pair[1], "dropped");
        requestAndCancelInOneLoopTask(ring.recv(pair[0], 64));
        awaitBuffersReleased();
        fx.writeAll(pair[1], "next");
        StepVerifier.create(ring.recv(pair[0], 64).map(CatalogueTestBase::consume))
                .expectNext("next").as("the cancelled recv did consume the first bytes")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void recvCancelledBeforeItsBatchReachedTheKernelNeverRunsAndItsBytesStay() throws Exception {
        int[] pair = unixSocketPair();
        fx.writeAll(pair[1], "kept");
        List<Object> discarded = new CopyOnWriteArrayList<>();
        requestAndCancelBeforeTheBatchIsEntered(ring.recv(pair[0], 64).doOnDiscard(Object.class, discarded::add));
        awaitBuffersReleased();
        StepVerifier.create(ring.recv(pair[0], 64).map(CatalogueTestBase::consume))
                .expectNext("kept").as("the cancelled recv never ran")
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(List.of(), discarded, "nothing was received, so nothing to discard");
    }

    @Test
    void connectionAcceptedAfterCancelIsClosedByTheLibraryNotHandedToTheHook() throws Exception {
        int listen = tcpListener();
        int client = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0));
        StepVerifier.create(ring.connect(client, localAddress(listen))).expectNext(0).expectComplete()
                .verify(TIMEOUT);
        java.util.concurrent.atomic.AtomicReference<Object> discarded = new java.util.concurrent.atomic.AtomicReference<>();
        // The connection is already queued, so the accept completes at submission, after the cancel was asked.
        requestAndCancelInOneLoopTask(ring.accept(listen)
                .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::set)));
        StepVerifier.create(ring.recv(client, 16))
                .assertNext(eof -> {
                    assertEquals(0, eof.readableBytes(), "the late accepted socket was closed: EOF");
                    eof.release();
                })
                .expectComplete()
                .verify(TIMEOUT);
        assertNull(discarded.get(), "a late fd is closed by the library, never handed to a (type-filtering) hook");
    }

    @Test
    void badArgumentsFailAtTheCallAndNeverReachTheKernel() {
        SocketAddress unsupported = new SocketAddress() {
        };
        InetSocketAddress somewhere = new InetSocketAddress("127.0.0.1", 9);
        UringBuffer buf = allocator.allocate(8);
        barrier();
        long submitted = loop.submittedOperations();
        assertThrows(IllegalArgumentException.class, () -> ring.send(-1, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> ring.send(-1, buf));
        assertThrows(NullPointerException.class, () -> ring.send(0, (ByteBuffer) null));
        assertThrows(IllegalArgumentException.class, () -> ring.recv(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> ring.recv(0, -1));
        assertThrows(IllegalArgumentException.class, () -> ring.recvmsg(0, -1));
        assertThrows(IllegalArgumentException.class, () -> ring.accept(-1));
        assertThrows(IllegalArgumentException.class, () -> ring.connect(-1, somewhere));
        assertThrows(NullPointerException.class, () -> ring.connect(0, null));
        assertThrows(IllegalArgumentException.class, () -> ring.connect(0, unsupported));
        assertThrows(IllegalArgumentException.class, () -> ring.sendmsg(0, unsupported, buf));
        assertThrows(IllegalArgumentException.class, () -> ring.sendmsg(0, unsupported, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> ring.sendmsg(-1, somewhere, ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> ring.shutdown(-1, Sockets.SHUT_RDWR));
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
        buf.release();
    }
}
