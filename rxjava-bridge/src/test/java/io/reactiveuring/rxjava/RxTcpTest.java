package io.reactiveuring.rxjava;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.tcp.TcpTransport;
import io.reactiveuring.rxjava.tcp.ConnectionHandlerException;
import io.reactiveuring.rxjava.tcp.RxConnection;
import io.reactiveuring.rxjava.tcp.RxDisposableServer;
import io.reactiveuring.rxjava.tcp.RxTcpClient;
import io.reactiveuring.rxjava.tcp.RxTcpServer;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.functions.Consumer;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TCP in RxJava's shape: an echo end to end over loopback (several connections, byte-exact, a JDK socket as one
 * peer), inbound demand, a disposed receive cancelled in the kernel with every buffer back, handler errors sent to
 * {@code RxJavaPlugins.onError}, bind and connect errors, the graceful drain. Each test has its own server and client
 * loops over a leak-tracking allocator; afterwards nothing is in flight, no buffer leaked and no fd is left open.
 */
class RxTcpTest {
    static {
        // NIO keeps one fd of its own once first used: open it before any fd baseline is taken.
        try {
            java.nio.channels.SocketChannel.open().close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final Duration WAIT = Duration.ofSeconds(20);
    static final long WAIT_S = WAIT.toSeconds();

    final LeakDetector leaks = new LeakDetector();
    BufferAllocator allocator;
    UringGroup serverLoops;
    UringGroup clientLoops;
    TcpTransport serverTransport;
    TcpTransport clientTransport;
    UringLoop serverLoop;
    long fdsBefore;

    @BeforeEach
    void startTransports() {
        RxTestBase.requireUring();
        fdsBefore = openSocketAndRingFds();
        allocator = BufferAllocator.pooled(leaks);
        serverLoops = new UringGroup(1, TcpTransport.loopOptions().withThreadName("rx-server"));
        clientLoops = new UringGroup(1, TcpTransport.loopOptions().withThreadName("rx-client"));
        serverTransport = TcpTransport.over(serverLoops, allocator, TcpTransport.Buffers.defaults());
        clientTransport = TcpTransport.over(clientLoops, allocator, TcpTransport.Buffers.defaults());
        serverLoop = serverLoops.loops().getFirst();
    }

    @AfterEach
    void checkEverythingReleased() throws Exception {
        serverLoops.close();
        clientLoops.close();
        for (UringGroup g : List.of(serverLoops, clientLoops)) {
            for (UringLoop l : g.loops()) {
                assertEquals(0, l.inFlight(), "ops in flight on " + l);
                assertEquals(0, l.staleCompletions(), "stale completions on " + l);
            }
        }
        leaks.assertNoLeaks();
        allocator.close();
        assertEquals(fdsBefore, openSocketAndRingFds(), "socket and ring fds before vs after the test");
    }

    RxTcpServer server() {
        return RxTcpServer.create().runOn(serverTransport);
    }

    RxTcpClient client(RxDisposableServer to) {
        return RxTcpClient.create().runOn(clientTransport).remoteAddress(to.address());
    }

    static <T> T value(Single<T> single) {
        TestObserver<T> o = single.test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertNoErrors().assertComplete();
        return o.values().getFirst();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static List<byte[]> chunks(byte[] data, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < data.length; i += size) {
            out.add(Arrays.copyOfRange(data, i, Math.min(data.length, i + size)));
        }
        return out;
    }

    static Single<byte[]> all(Flowable<byte[]> received) {
        return received.collect(ByteArrayOutputStream::new, ByteArrayOutputStream::writeBytes)
                .map(ByteArrayOutputStream::toByteArray);
    }

    /** Non-internal ops in flight on the server's loop. */
    List<UringLoop.InFlightOp> serverOps() throws Exception {
        return serverLoop.inFlightSnapshot().get(WAIT_S, TimeUnit.SECONDS).stream().filter(op -> !op.internal())
                .toList();
    }

    void awaitServerOps(int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<UringLoop.InFlightOp> ops;
        while ((ops = serverOps()).size() != count) {
            assertTrue(System.nanoTime() - deadline < 0, "expected " + count + " ops in flight: " + ops);
        }
    }

    /** Submits, on the server's loop, every SQE prepared there so far. */
    void enterServerRing() throws Exception {
        CompletableFuture<Void> entered = new CompletableFuture<>();
        serverLoop.execute(() -> {
            serverLoop.submitPending();
            entered.complete(null);
        });
        entered.get(WAIT_S, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------------------------------- echo

    @Test
    void echoOverSeveralConnectionsIsByteExact() throws Exception {
        RxDisposableServer server = RxTcpServer.create().loops(2)
                .handle(c -> c.send(c.receiveRetained()))
                .bindNow(WAIT);
        try {
            RxTcpClient client = RxTcpClient.create().runOn(clientTransport).remoteAddress(server.address());
            List<byte[]> payloads = new ArrayList<>();
            List<TestObserver<byte[]>> echoes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] payload = random(300_000 + i * 4_099, i);
                payloads.add(payload);
                RxConnection c = client.connectNow(WAIT);
                echoes.add(all(c.receiveBytes()).test());
                c.sendByteArray(Flowable.fromIterable(chunks(payload, 16 * 1024)))
                        .andThen(Completable.fromAction(c::shutdownOutput))
                        .test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
            }
            for (int i = 0; i < 4; i++) {
                byte[] echoed = echoes.get(i).awaitDone(WAIT_S, TimeUnit.SECONDS).assertNoErrors().assertComplete()
                        .values().getFirst();
                assertArrayEquals(payloads.get(i), echoed, "connection " + i + " echoed byte-exact");
            }

            // an independent peer: a blocking JDK socket
            byte[] payload = random(100_000, 99);
            try (Socket s = new Socket()) {
                s.connect(server.address(), 5_000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(payload);
                s.shutdownOutput();
                assertArrayEquals(payload, s.getInputStream().readAllBytes());
            }
        } finally {
            server.disposeNow(Duration.ofSeconds(2));
        }
        server.onDispose().test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
        assertTrue(server.isDisposed());
    }

    // ------------------------------------------------------------------------------------------- demand, dispose

    @Test
    void theInboundDeliversOnlyWhatWasRequested() throws Exception {
        CompletableFuture<TestSubscriber<byte[]>> received = new CompletableFuture<>();
        RxDisposableServer server = server().handle(c -> {
            received.complete(c.receiveBytes().test(0));
            return Completable.never();
        }).bindNow(WAIT);
        RxConnection c = client(server).connectNow(WAIT);
        byte[] payload = random(50_000, 5);
        c.sendByteArray(Flowable.just(payload)).test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
        TestSubscriber<byte[]> in = received.get(WAIT_S, TimeUnit.SECONDS);
        awaitServerOps(1); // only the accept: no demand, no receive in flight
        in.assertEmpty();
        in.request(1);
        assertTrue(in.awaitCount(1).values().size() == 1);
        awaitServerOps(1);
        assertEquals(1, in.values().size(), "request(1) delivered exactly one");
        in.request(Long.MAX_VALUE);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (total(in) < payload.length) {
            assertTrue(System.nanoTime() - deadline < 0, "received " + total(in) + " of " + payload.length);
            in.await(10, TimeUnit.MILLISECONDS);
        }
        in.values().forEach(got::writeBytes);
        assertArrayEquals(payload, got.toByteArray());
        c.dispose();
        in.awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
        server.disposeNow(Duration.ofSeconds(2));
    }

    static long total(TestSubscriber<byte[]> s) {
        return s.values().stream().mapToLong(b -> b.length).sum();
    }

    @Test
    void disposingAReceiveMidFlightCancelsItInTheKernelAndEveryBufferComesBack() throws Exception {
        CompletableFuture<RxConnection> serverSide = new CompletableFuture<>();
        RxDisposableServer server = server().doOnConnection(serverSide::complete).bindNow(WAIT);
        RxConnection c = client(server).connectNow(WAIT);
        RxConnection s = serverSide.get(WAIT_S, TimeUnit.SECONDS);
        long buffersBefore = allocator.liveBuffers();
        awaitServerOps(1); // the accept

        TestSubscriber<byte[]> in = s.receiveBytes().test(); // unbounded: a receive is armed
        awaitServerOps(2);
        enterServerRing(); // the receive's SQE reached the kernel (a cancel before that would only void the SQE)
        long cancelsBefore = serverLoop.cancelsIssued();
        in.cancel();
        awaitServerOps(1);
        assertTrue(serverLoop.cancelsIssued() > cancelsBefore, "the receive was cancelled in the kernel");
        assertEquals(buffersBefore, allocator.liveBuffers(), "buffers back to their baseline");

        c.sendString(Flowable.just("after the dispose")).test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
        awaitServerOps(1); // nothing re-armed: nobody asked
        in.assertEmpty().assertNotComplete();
        assertTrue(s.disposeNow(WAIT));
        c.receiveBytes().test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertNoValues(); // the client sees the end
        c.onDispose().test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
        assertEquals(buffersBefore, allocator.liveBuffers());
        server.disposeNow(Duration.ofSeconds(2));
    }

    // ------------------------------------------------------------------------------------------- errors

    @Test
    void aFailingHandlerClosesOnlyItsConnectionAndItsErrorGoesToRxJavaPlugins() throws Exception {
        Consumer<? super Throwable> previous = RxJavaPlugins.getErrorHandler();
        List<Throwable> undeliverable = new CopyOnWriteArrayList<>();
        RxJavaPlugins.setErrorHandler(undeliverable::add);
        try {
            IllegalStateException boom = new IllegalStateException("a failing handler (expected by this test)");
            RxDisposableServer server = server().handle(c -> c.receiveBytes().take(1).flatMapCompletable(b ->
                    b[0] == 'x' ? Completable.error(boom) : c.sendByteArray(Flowable.just(b)))).bindNow(WAIT);
            RxConnection failing = client(server).connectNow(WAIT);
            RxConnection fine = client(server).connectNow(WAIT);
            TestSubscriber<byte[]> fineIn = fine.receiveBytes().test();
            TestSubscriber<byte[]> failingIn = failing.receiveBytes().test(); // to see the server's close
            failing.sendString(Flowable.just("x")).test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
            failingIn.awaitDone(WAIT_S, TimeUnit.SECONDS).assertNoValues();
            failing.onDispose().test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
            fine.sendString(Flowable.just("ok")).test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
            fineIn.awaitDone(WAIT_S, TimeUnit.SECONDS).assertNoErrors().assertComplete();
            assertEquals("ok", new String(fineIn.values().getFirst()), "the other connection went on");

            assertEquals(1, undeliverable.size(), "one error: " + undeliverable);
            Throwable reported = undeliverable.getFirst();
            assertInstanceOf(UndeliverableException.class, reported);
            assertInstanceOf(ConnectionHandlerException.class, reported.getCause());
            assertSame(boom, reported.getCause().getCause());
            server.disposeNow(Duration.ofSeconds(2));
        } finally {
            RxJavaPlugins.setErrorHandler(previous);
        }
        assertSame(previous, RxJavaPlugins.getErrorHandler(), "the handler was restored");
    }

    @Test
    void bindingAPortInUseAndConnectingToNobodyAreTypedErrors() throws Exception {
        RxDisposableServer server = server().bindNow(WAIT);
        server().bindAddress(server.address()).options(o -> o.withReuseAddress(false)).bind().test()
                .awaitDone(WAIT_S, TimeUnit.SECONDS)
                .assertError(e -> e instanceof BindException && UringError.errnoOf(e) == Errno.EADDRINUSE);
        InetSocketAddress gone = (InetSocketAddress) server.address();
        server.disposeNow(Duration.ofSeconds(2));
        RxTcpClient.create().runOn(clientTransport).remoteAddress(gone).connect().test()
                .awaitDone(WAIT_S, TimeUnit.SECONDS)
                .assertError(e -> e instanceof ConnectException && UringError.errnoOf(e) == Errno.ECONNREFUSED);
        assertThrows(IllegalStateException.class, () -> RxTcpClient.create().connect().blockingGet(),
                "no port set");
    }

    @Test
    void disposeNowDrainsThenClosesWhatIsLeftAndRefusesNewConnections() throws Exception {
        RxDisposableServer server = server().handle(c -> Completable.never()).bindNow(WAIT);
        RxConnection c = client(server).connectNow(WAIT);
        TestSubscriber<byte[]> in = c.receiveBytes().test();
        assertEquals(1, awaitActive(server, 1));
        long start = System.nanoTime();
        server.disposeNow(Duration.ofMillis(300));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos(), "the open connection had its time");
        server.onDispose().test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
        c.onDispose().test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertComplete();
        in.awaitDone(WAIT_S, TimeUnit.SECONDS);
        in.assertNoValues();
        client(server).connect().test().awaitDone(WAIT_S, TimeUnit.SECONDS).assertError(ConnectException.class);
    }

    static int awaitActive(RxDisposableServer server, int n) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.activeConnections() != n && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        return server.activeConnections();
    }

    /** Open fds of kinds the library makes: sockets, pipes, anonymous inodes (rings, eventfds). */
    static long openSocketAndRingFds() {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.map(fd -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "";
                }
            }).filter(t -> t.startsWith("pipe:") || t.startsWith("socket:") || t.startsWith("anon_inode:")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
