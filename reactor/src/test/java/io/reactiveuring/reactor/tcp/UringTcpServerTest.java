package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.reactor.CapturedLog;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.tcp.ConnectionTimeoutException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.NonBlocking;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Reactor shape: echo, the inbound helpers, chained sends, files, hooks, limits, errors and disposal. */
class UringTcpServerTest extends ReactorTcpTestBase {

    private static UringTcpServer echo(UringTcpServer s) {
        return s.handle((in, out) -> out.send(in.receive().retain()));
    }

    @Test
    void echoOfAMegabyteIsByteExactAndTheHandlerEndClosesTheConnection() throws Exception {
        DisposableUringServer server = echo(server()).bindNow();
        UringConnection c = client(server).connectNow();
        byte[] data = pattern(1 << 20, 1);
        Mono<byte[]> back = c.inbound().receive().aggregate().map(b -> {
            byte[] a = b.toByteArray();
            b.release();
            return a;
        });
        CompletableFuture<byte[]> result = back.toFuture();
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < data.length; off += 10_000) {
            chunks.add(java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 10_000)));
        }
        c.outbound().sendByteArray(Flux.fromIterable(chunks)).then().block(WAIT);
        c.connection().shutdownOutput(); // the server's inbound ends, its echo completes, it closes
        assertArrayEquals(data, result.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        c.onDispose().block(WAIT);
        server.disposeNow(WAIT);
    }

    @Test
    void stringsLinesAndChainedSends() throws Exception {
        DisposableUringServer server = server()
                .handle((in, out) -> out.sendString(Flux.just("one\ntw", "o\r\nthr", "ee"))
                        .sendString(Mono.just("\nfour"))
                        .sendByteArray(Mono.just("\nfive".getBytes(StandardCharsets.UTF_8))))
                .bindNow();
        UringConnection c = client(server).connectNow();
        List<String> lines = c.inbound().receive().asLines().collectList().block(WAIT);
        assertEquals(List.of("one", "two", "three", "four", "five"), lines);
        server.disposeNow(WAIT);
    }

    @Test
    void signalsArriveOnNonBlockingLoopThreads() throws Exception {
        CompletableFuture<Thread> handlerThread = new CompletableFuture<>();
        DisposableUringServer server = server().handle((in, out) -> {
            handlerThread.complete(Thread.currentThread());
            return out.sendString(Mono.just("hi"));
        }).bindNow();
        UringConnection c = client(server).connectNow();
        assertEquals("hi", c.inbound().receive().aggregateAsString().block(WAIT));
        assertInstanceOf(NonBlocking.class, handlerThread.get());
        server.disposeNow(WAIT);
    }

    @Test
    void sendFileSendsTheWholeFile() throws Exception {
        Path file = Files.createTempFile("uring-reactor", ".bin");
        try {
            byte[] content = pattern(3 << 20, 4);
            Files.write(file, content);
            DisposableUringServer server = server()
                    .handle((in, out) -> out.sendString(Mono.just("<")).sendFile(file).sendString(Mono.just(">")))
                    .bindNow();
            UringConnection c = client(server).connectNow();
            byte[] got = c.inbound().receive().aggregate().map(b -> {
                byte[] a = b.toByteArray();
                b.release();
                return a;
            }).block(WAIT);
            assertNotNull(got);
            assertEquals(content.length + 2, got.length);
            assertEquals('<', got[0]);
            assertEquals('>', got[got.length - 1]);
            assertArrayEquals(content, java.util.Arrays.copyOfRange(got, 1, got.length - 1));
            server.disposeNow(WAIT);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void hooksRunOnBindConnectionAndUnbind() throws Exception {
        CompletableFuture<DisposableUringServer> bound = new CompletableFuture<>();
        CompletableFuture<DisposableUringServer> unbound = new CompletableFuture<>();
        CompletableFuture<UringConnection> connection = new CompletableFuture<>();
        DisposableUringServer server = echo(server())
                .doOnBound(bound::complete)
                .doOnUnbound(unbound::complete)
                .doOnConnection(connection::complete)
                .bindNow();
        assertEquals(server, bound.get());
        UringConnection c = client(server).connectNow();
        assertEquals(c.address(), connection.get(WAIT.toSeconds(), TimeUnit.SECONDS).remoteAddress());
        c.disposeNow(WAIT);
        server.disposeNow(WAIT);
        assertEquals(server, unbound.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(server.isDisposed());
    }

    @Test
    void bindingABusyPortFailsWithEaddrinuseNamingTheAddress() throws Exception {
        DisposableUringServer server = echo(server()).option(UringTcpOption.SO_REUSEADDR, false).bindNow();
        Exception e = assertThrows(Exception.class, () -> echo(server()).option(UringTcpOption.SO_REUSEADDR, false)
                .host("127.0.0.1").port(server.port()).bindNow());
        Throwable cause = e instanceof java.net.BindException ? e : e.getCause();
        assertInstanceOf(java.net.BindException.class, cause, e.toString());
        assertEquals(Errno.EADDRINUSE, UringError.errnoOf(cause));
        assertTrue(cause.getMessage().contains("127.0.0.1:" + server.port()), cause.getMessage());
        server.disposeNow(WAIT);
    }

    @Test
    void aFailingHandlerClosesOnlyItsConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("the second connection's handler fails");
        try (CapturedLog log = CapturedLog.of("io.reactiveuring.reactor.tcp")) {
            DisposableUringServer server = server().handle((in, out) -> {
                if (connections.incrementAndGet() == 2) {
                    return Mono.error(failure);
                }
                return out.send(in.receive().retain());
            }).bindNow();
            UringConnection good = client(server).connectNow();
            UringConnection bad = client(server).connectNow();
            assertEquals("", bad.inbound().receive().aggregateAsString().block(WAIT)); // closed by the server
            CompletableFuture<String> echoed = good.inbound().receive().asString().next().toFuture();
            good.outbound().sendString(Mono.just("still here")).then().block(WAIT);
            assertEquals("still here", echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertSame(failure, log.await(Level.SEVERE, "connection handler failed", WAIT).getThrown(),
                    "the handler's error was logged");
            good.disposeNow(WAIT);
            server.disposeNow(WAIT);
        }
    }

    @Test
    void aPeerResetFailsThatInboundWithATypedError() throws Exception {
        CompletableFuture<Throwable> inboundError = new CompletableFuture<>();
        DisposableUringServer server = server().handle((in, out) -> in.receive()
                .doOnError(inboundError::complete).then()).bindNow();
        try (SocketChannel ch = SocketChannel.open(server.address())) {
            ch.write(ByteBuffer.wrap("data".getBytes()));
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
        Throwable e = inboundError.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(java.net.SocketException.class, e);
        assertEquals(Errno.ECONNRESET, UringError.errnoOf(e));
        server.disposeNow(WAIT);
    }

    @Test
    void connectionLimitAndIdleTimeoutOptions() throws Exception {
        DisposableUringServer server = echo(server())
                .option(UringTcpOption.MAX_CONNECTIONS, 1)
                .option(UringTcpOption.IDLE_TIMEOUT, Duration.ofMillis(400))
                .bindNow();
        UringConnection first = client(server).connectNow();
        CompletableFuture<String> firstReceived = first.inbound().receive().aggregateAsString().toFuture();
        first.outbound().sendString(Mono.just("x")).then().block(WAIT);
        UringConnection second = client(server).connectNow();
        assertEquals("", second.inbound().receive().aggregateAsString().block(WAIT)); // accepted and closed
        assertEquals(1, server.rejectedConnections());
        long start = System.nanoTime();
        assertEquals("x", firstReceived.get(WAIT.toSeconds(), TimeUnit.SECONDS)); // the idle timeout ended it
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(), "closed by the timeout");
        first.onDispose().block(WAIT);
        server.disposeNow(WAIT);
    }

    @Test
    void gracefulDisposeLetsTheExchangeFinishAndRefusesNewConnections() throws Exception {
        CountDownLatch requestSeen = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        DisposableUringServer server = server().handle((in, out) -> out.sendString(in.receive().asString()
                .take(1)
                .doOnNext(s -> requestSeen.countDown())
                .concatMap(s -> Mono.fromFuture(release).thenReturn(s.toUpperCase())))).bindNow();
        UringConnection c = client(server).connectNow();
        CompletableFuture<String> reply = c.inbound().receive().aggregateAsString().toFuture();
        c.outbound().sendString(Mono.just("request")).then().block(WAIT);
        assertTrue(requestSeen.await(WAIT.toSeconds(), TimeUnit.SECONDS));

        CompletableFuture<Void> disposing = CompletableFuture.runAsync(() -> server.disposeNow(Duration.ofSeconds(10)));
        server.server().stopAccepting().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Exception refused = assertThrows(Exception.class, () -> client(server).connectNow());
        assertInstanceOf(java.net.ConnectException.class, refused instanceof java.net.ConnectException ? refused
                : refused.getCause(), refused.toString());
        assertFalse(disposing.isDone(), "the exchange is in flight");

        release.complete(null); // the handler answers; its end closes the connection
        assertEquals("REQUEST", reply.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        disposing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, server.activeConnections());
    }

    @Test
    void ringDisposalWithAThousandOpenConnectionsFailsEveryInboundWithTheCancellation() throws Exception {
        int n = 1000;
        requireFdLimit(2L * n);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(n);
        CountDownLatch failed = new CountDownLatch(n);
        DisposableUringServer server = server().handle((in, out) -> in.receive()
                .doOnSubscribe(s -> subscribed.countDown())
                .doOnError(e -> {
                    errors.add(e);
                    failed.countDown();
                })
                .then()).bindNow();
        List<UringConnection> clients = Flux.range(0, n)
                .flatMap(i -> client(server).connect(), 64)
                .collectList().block(WAIT);
        assertEquals(n, clients.size());
        assertTrue(subscribed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        clients.forEach(c -> c.inbound().receive().subscribe()); // so that each client notices the server's close

        serverLoops.close(); // the rings end under a thousand waiting inbounds

        assertTrue(failed.await(WAIT.toSeconds(), TimeUnit.SECONDS), failed.getCount() + " inbounds not failed");
        assertEquals(n, errors.size());
        errors.forEach(e -> assertInstanceOf(UringCancelledException.class, e));
        for (UringConnection c : clients) {
            c.onDispose().block(WAIT); // every server fd was closed: each client saw its end
        }
    }

    @Test
    void ipv6AndUnixDomainServers() throws Exception {
        DisposableUringServer v6 = echo(server()).host("::1").bindNow();
        assertEquals(InetAddress.getByName("::1"), ((InetSocketAddress) v6.address()).getAddress());
        assertEquals("ping6", exchange(client(v6).connectNow(), "ping6"));
        v6.disposeNow(WAIT);

        Path dir = Files.createTempDirectory("uring-reactor-unix");
        Path path = dir.resolve("s.sock");
        try {
            DisposableUringServer unix = echo(server()).path(path).bindNow();
            assertEquals(path, unix.path());
            assertEquals("ping-unix", exchange(UringTcpClient.create().runOn(clientTransport).path(path)
                    .connectNow(), "ping-unix"));
            unix.disposeNow(WAIT);
            assertFalse(Files.exists(path));
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    @Test
    void aServerWithItsOwnLoopsEndsThemWhenDisposed() throws Exception {
        DisposableUringServer server = UringTcpServer.create().loops(1)
                .handle((in, out) -> out.send(in.receive().retain())).bindNow();
        assertEquals("own", exchange(client(server).connectNow(), "own"));
        server.disposeNow(WAIT);
        server.onDispose().block(WAIT);
    }

    @Test
    void connectTimeoutIsTyped() {
        // a non-routable address (TEST-NET-1) with a short connect timeout
        Exception e = assertThrows(Exception.class, () -> UringTcpClient.create().runOn(clientTransport)
                .remoteAddress(new InetSocketAddress("192.0.2.1", 9))
                .option(UringTcpOption.CONNECT_TIMEOUT, Duration.ofMillis(200))
                .connectNow(WAIT));
        Throwable cause = e instanceof ConnectionTimeoutException ? e : e.getCause();
        if (!(cause instanceof ConnectionTimeoutException) && cause instanceof java.net.SocketException refused) {
            // no route at all on this machine: the kernel said so before the timeout
            assertTrue(UringError.errnoOf(refused) != 0);
            return;
        }
        assertInstanceOf(ConnectionTimeoutException.class, cause, e.toString());
    }

    private static String exchange(UringConnection c, String text) {
        CompletableFuture<String> back = c.inbound().receive().asString().next().toFuture();
        c.outbound().sendString(Mono.just(text)).then().block(WAIT);
        try {
            return back.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            c.disposeNow(WAIT);
        }
    }
}
