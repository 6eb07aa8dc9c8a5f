package io.reactiveuring.http.server;

import io.reactiveuring.core.buffer.UringBuffer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections under load and misbehaving clients: pipelining, large uploads with flow control, 100-continue,
 * unread bodies, a thousand clients at once, slowloris, a client that vanishes mid-response, graceful shutdown.
 */
class HttpServerConnectionTest extends HttpServerTestBase {

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Hashes the body as it arrives (lent buffers are read during onNext) and answers "length hash". */
    static Mono<Void> digest(HttpServerRequest req, HttpServerResponse res, AtomicLong maxLive,
                             io.reactiveuring.core.buffer.BufferAllocator allocator) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            return Mono.error(e);
        }
        AtomicLong length = new AtomicLong();
        long baseline = allocator.liveBuffers();
        return res.sendString(req.receive()
                .doOnNext(b -> {
                    md.update(b.readableSegment().asByteBuffer());
                    length.addAndGet(b.readableBytes());
                    maxLive.accumulateAndGet(allocator.liveBuffers() - baseline, Math::max);
                })
                .then(Mono.fromSupplier(() -> length.get() + " " + HexFormat.of().formatHex(md.digest()))));
    }

    @Test
    void hundredPipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        DisposableHttpServer s = bind(server().route(r -> r
                .get("/n/{i}", (req, res) -> Integer.parseInt(req.param("i")) % 3 == 0
                        ? res.sendString(Mono.just("n" + req.param("i")).delayElement(Duration.ofMillis(1)))
                        : res.sendString(Mono.just("n" + req.param("i"))))
                .post("/n/{i}", (req, res) -> res.sendString(req.receive().aggregateAsString()
                        .map(b -> "p" + req.param("i") + ":" + b)))));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            if (i % 10 == 5) {
                all.append("POST /n/").append(i).append(" HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            } else {
                all.append("GET /n/").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
            }
        }
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send(all.toString());
            for (int i = 0; i < 100; i++) {
                RawClient.Response r = c.read();
                assertEquals(i % 10 == 5 ? "p" + i + ":abc" : "n" + i, r.text(), "response " + i);
                assertNull(r.header("Connection"));
            }
            assertEquals("n100", c.get("/n/100").text(), "the connection is still open");
        }
    }

    @Test
    void chunkedUploadOf16MiBIsByteExactAndFlowControlled() throws Exception {
        AtomicLong maxLive = new AtomicLong();
        DisposableHttpServer s = bind(server()
                .decoderOptions(io.reactiveuring.http.codec.HttpDecoderOptions.defaults()
                        .withMaxBodySize(32 * 1024 * 1024))
                .handle((req, res) -> digest(req, res, maxLive, allocator)));
        byte[] body = pattern(16 * 1024 * 1024, 7);
        ByteArrayOutputStream wire = new ByteArrayOutputStream(body.length + 100_000);
        wire.writeBytes("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        SplittableRandom r = new SplittableRandom(3);
        for (int at = 0; at < body.length; ) {
            int n = Math.min(body.length - at, 1 + r.nextInt(100_000));
            wire.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            wire.write(body, at, n);
            wire.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            at += n;
        }
        wire.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (RawClient c = new RawClient(RawClient.address(s), 30_000)) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    c.send(wire.toByteArray());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            RawClient.Response resp = c.read();
            writing.get(30, TimeUnit.SECONDS);
            assertEquals(body.length + " " + sha256(body), resp.text());
        }
    }

    @Test
    void bodyWithoutDemandStopsTheConnectionReadingUntilSubscribed() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        reactor.core.publisher.Sinks.Empty<Void> release = reactor.core.publisher.Sinks.empty();
        DisposableHttpServer s = bind(server()
                .decoderOptions(io.reactiveuring.http.codec.HttpDecoderOptions.defaults()
                        .withMaxBodySize(64 * 1024 * 1024))
                .handle((req, res) -> {
                    entered.countDown();
                    return res.sendString(release.asMono().then(req.receive()
                            .map(UringBuffer::readableBytes)
                            .reduce(0L, Long::sum)
                            .map(String::valueOf)));
                }));
        byte[] body = pattern(32 * 1024 * 1024, 9);
        try (RawClient c = new RawClient(RawClient.address(s), 30_000)) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    c.send(("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    c.send(body);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            // Nobody reads the body: the server stops reading, the socket buffers fill and the client's write blocks.
            assertThrows(java.util.concurrent.TimeoutException.class, () -> writing.get(1, TimeUnit.SECONDS),
                    "32 MiB could not all be written while nobody read the body");
            release.tryEmitEmpty();
            assertEquals(String.valueOf(body.length), c.read().text());
            writing.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void expectContinueIsAnsweredWhenTheHandlerReadsTheBody() throws Exception {
        DisposableHttpServer s = bind(server().route(r -> r
                .post("/read", (req, res) -> res.sendString(req.receive().aggregateAsString()))
                .post("/refuse", (req, res) -> res.status(413).sendString(Mono.just("too big")))));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response interim = c.read();
            assertEquals(100, interim.status());
            c.send("hello");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("hello", r.text());
            c.send("POST /refuse HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response refused = c.read();
            assertEquals(413, refused.status(), "a final status without 100 Continue");
            assertEquals("close", refused.header("Connection"), "the body was never asked for");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void unreadBodyIsDrainedUpToTheLimitElseTheConnectionCloses() throws Exception {
        DisposableHttpServer s = bind(server().handle((req, res) -> res.sendString(Mono.just("ignored"))));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(1000));
            RawClient.Response r = c.read();
            assertNull(r.header("Connection"), "a small body is drained");
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals("ignored", c.read().text());
            assertEquals("ignored", c.get("/").text(), "the connection went on after the drained bodies");
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n");
            RawClient.Response big = c.read();
            assertEquals("close", big.header("Connection"), "a body over the drain limit closes");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void thousandConcurrentClients() throws Exception {
        requireFdLimit(2100);
        DisposableHttpServer s = bind(server().route(r -> r
                .get("/c/{i}", (req, res) -> res.sendString(Mono.just("client " + req.param("i"))))));
        SocketAddress address = RawClient.address(s);
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(new RawClient(address, 20_000));
            }
            for (int i = 0; i < 1000; i++) {
                clients.get(i).send("GET /c/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            for (int i = 0; i < 1000; i++) {
                assertEquals("client " + i, clients.get(i).read().text());
            }
            assertEquals(1000, s.activeConnections());
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void slowlorisIsClosedByTheHeaderTimeout() throws Exception {
        DisposableHttpServer s = bind(server().readTimeout(Duration.ofMillis(400)).idleTimeout(Duration.ofSeconds(30))
                .handle((req, res) -> res.sendString(Mono.just("ok"))));
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            assertEquals("ok", c.get("/").text(), "a prompt client is served");
            byte[] slow = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(
                    StandardCharsets.US_ASCII);
            AtomicLong next = new AtomicLong();
            drip.scheduleAtFixedRate(() -> {
                int i = (int) next.getAndIncrement();
                if (i < slow.length) {
                    try {
                        c.send(new byte[] {slow[i]});
                    } catch (IOException closed) {
                        next.set(slow.length);
                    }
                }
            }, 0, 40, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            RawClient.Response r = c.read();
            assertEquals(408, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 300 && ms < 5000, "closed after " + ms + " ms of a dripping head");
        } finally {
            drip.shutdownNow();
            drip.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientThatVanishesMidResponseCancelsTheStream() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        DisposableHttpServer s = bind(server().handle((req, res) -> res.sendByteArray(
                Flux.generate(sink -> sink.next(new byte[16 * 1024])).map(o -> (byte[]) o)
                        .doOnCancel(cancelled::countDown))
                .doFinally(sig -> closed.countDown())));
        RawClient c = new RawClient(RawClient.address(s));
        c.send("GET /endless HTTP/1.1\r\nHost: a\r\n\r\n");
        c.socket.getInputStream().readNBytes(100_000);
        c.socket.setSoLinger(true, 0); // vanish: a reset, not an orderly close
        c.close();
        assertTrue(cancelled.await(20, TimeUnit.SECONDS), "the body publisher was cancelled");
        assertTrue(closed.await(20, TimeUnit.SECONDS), "the handler's publisher ended");
        try (RawClient other = new RawClient(RawClient.address(s))) {
            other.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, other.read(true).status(), "the server goes on");
        }
    }

    @Test
    void gracefulShutdownFinishesRequestsInFlight() throws Exception {
        CountDownLatch entered = new CountDownLatch(5);
        DisposableHttpServer s = bind(server().route(r -> r
                .get("/slow", (req, res) -> {
                    entered.countDown();
                    return res.sendString(Mono.just("finished").delayElement(Duration.ofMillis(300)));
                })
                .get("/fast", (req, res) -> res.sendString(Mono.just("fast")))));
        SocketAddress address = RawClient.address(s);
        RawClient idle = new RawClient(address);
        assertEquals("fast", idle.get("/fast").text());
        List<RawClient> busy = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RawClient c = new RawClient(address);
            c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            busy.add(c);
        }
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> disposing = CompletableFuture.runAsync(() -> s.disposeNow(Duration.ofSeconds(10)));
        assertTrue(idle.closedByServer(), "an idle keep-alive connection is closed at once");
        for (RawClient c : busy) {
            RawClient.Response r = c.read();
            assertEquals("finished", r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
            c.close();
        }
        disposing.get(20, TimeUnit.SECONDS);
        idle.close();
        assertTrue(s.isDisposed());
        AtomicBoolean refused = new AtomicBoolean();
        try (RawClient late = new RawClient(address, 2000)) {
            refused.set(late.closedByServer());
        } catch (IOException e) {
            refused.set(true);
        }
        assertTrue(refused.get(), "no new connections after the shutdown");
        assertFalse(s.activeConnections() > 0);
    }

    @Test
    void bodyBytesAreExactForContentLengthUploads() throws Exception {
        DisposableHttpServer s = bind(server().handle((req, res) -> res.send(req.receive().aggregate())));
        byte[] body = pattern(700_000, 5);
        try (RawClient c = new RawClient(RawClient.address(s), 30_000)) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    c.send(("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    c.send(body);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(body, c.read().body());
            writing.get(30, TimeUnit.SECONDS);
        }
    }
}
