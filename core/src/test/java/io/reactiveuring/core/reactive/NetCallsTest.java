package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

class NetCallsTest {
    static {
        // NIO keeps one fd of its own once first used (for async close); open it before any fd baseline is taken.
        try {
            java.nio.channels.SocketChannel.open().close();
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    UringLoop loop;
    LeakDetector leaks;
    BufferAllocator allocator;
    long fdsBefore;
    final List<Integer> fds = new ArrayList<>();

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        fdsBefore = UringTestSupport.openFds();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("net-calls-test"));
        leaks = new LeakDetector();
        allocator = BufferAllocator.pooled(leaks);
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            fds.forEach(LibC::close);
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.staleCompletions());
            leaks.assertNoLeaks();
            allocator.close();
            assertEquals(fdsBefore, UringTestSupport.openFds(), "fd leaked");
        }
    }

    <T> TestSubscriber<T> subscribe(Supplier<? extends OpCall<T>> call, OpOptions options) {
        TestSubscriber<T> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, call, options).subscribe(s);
        return s;
    }

    <T> T value(Supplier<? extends OpCall<T>> call) throws Exception {
        TestSubscriber<T> s = subscribe(call, OpOptions.DEFAULT);
        assertTrue(s.await());
        assertNull(s.error);
        return s.values.get(0);
    }

    int listener() throws Exception {
        int fd = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0));
        assertEquals(0, LibSocket.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = SocketAddresses.allocate(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    a);
            assertEquals(0, LibSocket.bind(fd, addr));
        }
        assertEquals(0, LibSocket.listen(fd, 128));
        return fd;
    }

    int track(int fd) {
        assertTrue(fd >= 0, "fd: " + fd);
        fds.add(fd);
        return fd;
    }

    @ParameterizedTest
    @EnumSource(value = PollRetry.class, names = {"KERNEL", "USER"})
    void tcpConnectAcceptSendRecvRoundTripByteExact(PollRetry mode) throws Exception {
        int listen = listener();
        InetSocketAddress bound = (InetSocketAddress) SocketAddresses.localAddress(listen);
        TestSubscriber<NetCalls.Accepted> accepted = subscribe(NetCalls.accept(listen, allocator),
                OpOptions.DEFAULT.withPollRetry(mode));
        int client = track(value(NetCalls.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0)));
        assertEquals(0, value(NetCalls.connect(client, bound, allocator)));
        assertTrue(accepted.await());
        assertNull(accepted.error);
        int server = track(accepted.values.get(0).fd());
        assertEquals(SocketAddresses.localAddress(client), accepted.values.get(0).peer());

        TestSubscriber<UringBuffer> received = subscribe(NetCalls.recv(server, 64, allocator, null),
                OpOptions.DEFAULT.withPollRetry(mode));
        UringBuffer hello = allocator.copyOf("hello over tcp".getBytes(StandardCharsets.US_ASCII));
        assertEquals(14, value(NetCalls.send(client, hello)));
        hello.release();
        assertTrue(received.await());
        UringBuffer got = received.values.get(0);
        assertEquals("hello over tcp", new String(got.toByteArray(), StandardCharsets.US_ASCII));
        got.release();

        assertEquals(0, value(NetCalls.shutdown(client, Sockets.SHUT_WR)));
        UringBuffer eof = value(NetCalls.recv(server, 64, allocator, null));
        assertEquals(0, eof.readableBytes(), "EOF is an empty buffer");
        eof.release();
        if (mode == PollRetry.USER) {
            assertTrue(loop.stats().pollArmedCount() >= 1, "USER mode waited through readiness polls");
        }
    }

    @Test
    void userModeRecvOnAnEmptySocketpairArmsAPollThenCompletes() throws Exception {
        int[] pair = socketpair();
        long armed = loop.stats().pollArmedCount();
        long resubmitted = loop.stats().pollResubmittedCount();
        TestSubscriber<UringBuffer> r = subscribe(NetCalls.recv(pair[0], 16, allocator, null),
                OpOptions.DEFAULT.withPollRetry(PollRetry.USER));
        value(ControlCalls.nop());
        assertEquals(armed + 1, loop.stats().pollArmedCount());
        assertEquals(0, r.terminals.get());
        UringBuffer data = allocator.copyOf(new byte[] {1, 2, 3});
        assertEquals(3, value(NetCalls.send(pair[1], data)));
        data.release();
        assertTrue(r.await());
        UringBuffer got = r.values.get(0);
        assertArrayEquals(new byte[] {1, 2, 3}, got.toByteArray());
        got.release();
        assertEquals(resubmitted + 1, loop.stats().pollResubmittedCount());
    }

    @Test
    void acceptThatArrivesAfterCancelIsClosedByTheLibrary() throws Exception {
        int listen = listener();
        InetSocketAddress bound = (InetSocketAddress) SocketAddresses.localAddress(listen);
        TestSubscriber<NetCalls.Accepted> accepted = subscribe(NetCalls.accept(listen, allocator), OpOptions.DEFAULT);
        value(ControlCalls.nop());
        long fdsWithAcceptPending = UringTestSupport.openFds();
        java.util.concurrent.CompletableFuture<java.nio.channels.SocketChannel> client =
                new java.util.concurrent.CompletableFuture<>();
        // On the loop thread: connect (the accept's completion is now pending in the kernel), then submit a NOP
        // whose completion cancels the subscriber. The next enter posts the NOP's CQE first and the accept's
        // after it, so both are reaped in one batch: the accept's fd arrives after cancel, and must be closed.
        loop.execute(() -> {
            try {
                client.complete(java.nio.channels.SocketChannel.open(bound));
            } catch (java.io.IOException e) {
                client.completeExceptionally(e);
            }
            loop.submit(new io.reactiveuring.core.engine.UringOperation(io.reactiveuring.core.engine.OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    accepted.subscription.cancel();
                }
            });
        });
        try (java.nio.channels.SocketChannel c = client.get(10, java.util.concurrent.TimeUnit.SECONDS);
             java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            value(ControlCalls.nop());
            assertEquals(0, accepted.terminals.get(), "nothing signalled after cancel");
            c.configureBlocking(false);
            c.register(selector, java.nio.channels.SelectionKey.OP_READ);
            assertEquals(1, selector.select(10_000), "the client's socket became readable");
            assertEquals(-1, c.read(java.nio.ByteBuffer.allocate(1)),
                    "the late accepted socket was closed by the library: the client sees EOF");
        }
        value(ControlCalls.nop());
        assertEquals(fdsWithAcceptPending, UringTestSupport.openFds(), "no fd left behind");
    }

    @Test
    void timerEmitsZeroWhenItExpires() throws Exception {
        assertEquals(0, value(ControlCalls.timer(Duration.ofMillis(5))));
    }

    @Test
    void datagramSendmsgRecvmsgCarriesTheSenderAddress() throws Exception {
        int a = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM, 0));
        int b = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM, 0));
        try (Arena arena = Arena.ofConfined()) {
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            assertEquals(0, LibSocket.bind(a, SocketAddresses.allocate(any, arena)));
            assertEquals(0, LibSocket.bind(b, SocketAddresses.allocate(any, arena)));
        }
        InetSocketAddress bAddr = (InetSocketAddress) SocketAddresses.localAddress(b);
        TestSubscriber<NetCalls.Received> got = subscribe(NetCalls.recvmsg(b, 64, allocator, null),
                OpOptions.DEFAULT.withPollRetry(PollRetry.USER));
        UringBuffer p1 = allocator.copyOf("data".getBytes(StandardCharsets.US_ASCII));
        UringBuffer p2 = allocator.copyOf("gram".getBytes(StandardCharsets.US_ASCII));
        assertEquals(8, value(NetCalls.sendmsg(a, bAddr, allocator, p1, p2)));
        p1.release();
        p2.release();
        assertTrue(got.await());
        NetCalls.Received r = got.values.get(0);
        assertEquals("datagram", new String(r.data().toByteArray(), StandardCharsets.US_ASCII));
        assertEquals(SocketAddresses.localAddress(a), r.sender());
        r.data().release();
    }

    int[] socketpair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            assertEquals(0, LibSocket.socketpair(Sockets.AF_UNIX, Sockets.SOCK_STREAM, 0, sv));
            return new int[] {track(sv.get(JAVA_INT, 0)), track(sv.get(JAVA_INT, 4))};
        }
    }
}
