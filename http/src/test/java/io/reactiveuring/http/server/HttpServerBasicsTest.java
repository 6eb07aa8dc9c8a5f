package io.reactiveuring.http.server;

import io.reactiveuring.http.codec.HttpHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request and response API over real sockets: routes, variables, bodies, files, streams, events. */
class HttpServerBasicsTest extends HttpServerTestBase {

    DisposableHttpServer routes() {
        return bind(server().route(r -> r
                .get("/hello", (req, res) -> res.header(HttpHeader.CONTENT_TYPE, "text/plain")
                        .sendString(Mono.just("Hello")))
                .get("/users/{id}/posts/{post}", (req, res) -> res.sendString(Mono.just(
                        req.param("id") + ":" + req.param("post") + ":" + req.queryParam("q"))))
                .post("/echo", (req, res) -> res.send(req.receive().aggregate()))
                .get("/later", (req, res) -> res.sendString(Mono.just("late").delayElement(Duration.ofMillis(5))))
                .get("/offloop", (req, res) -> res.sendString(Mono.fromCallable(() -> "off")
                        .subscribeOn(Schedulers.boundedElastic())))
                .get("/stream", (req, res) -> res.sendString(Flux.range(1, 5).map(i -> "part" + i + ";")))
                .get("/events", (req, res) -> res.sendEvents(Flux.just(ServerSentEvent.of("one"),
                        new ServerSentEvent("7", "tick", "two\nlines"), "three")))
                .get("/redirect", (req, res) -> res.sendRedirect("/hello"))
                .get("/fails", (req, res) -> { throw new IllegalStateException("boom"); })
                .get("/fails-later", (req, res) -> res.sendString(Mono.error(new IllegalStateException("boom"))))
                .get("/nothing", (req, res) -> { res.status(204); return Mono.empty(); })
                .get("/headers", (req, res) -> res.header("X-Agent", req.header("User-Agent"))
                        .sendString(Mono.just(req.method() + " " + req.uri() + " " + req.path() + " "
                                + req.remoteAddress().getClass().getSimpleName())))));
    }

    @Test
    void routesAnswerWithLengthAndVariables() throws Exception {
        DisposableHttpServer s = routes();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            RawClient.Response hello = c.get("/hello");
            assertEquals(200, hello.status());
            assertEquals("Hello", hello.text());
            assertEquals("5", hello.header("Content-Length"));
            assertEquals("text/plain", hello.header("Content-Type"));
            assertTrue(hello.header("Date").endsWith(" GMT"));
            assertNull(hello.header("Connection"), "keep-alive is the HTTP/1.1 default");
            assertEquals("7:x%y:a b", c.get("/users/7/posts/x%25y?q=a+b").text());
            assertEquals(404, c.get("/users/7").status());
            assertEquals(404, c.get("/nowhere").status());
            RawClient.Response redirect = c.get("/redirect");
            assertEquals(302, redirect.status());
            assertEquals("/hello", redirect.header("Location"));
            assertEquals("late", c.get("/later").text());
            assertEquals("off", c.get("/offloop").text());
            assertEquals(204, c.get("/nothing").status());
            c.send("GET /headers?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: tester\r\n\r\n");
            RawClient.Response h = c.read();
            assertEquals("tester", h.header("X-Agent"));
            assertEquals("GET /headers?x=1 /headers Inet4Address".replace("Inet4Address",
                    h.text().substring(h.text().lastIndexOf(' ') + 1)), h.text());
        }
    }

    @Test
    void fluxBodiesAreChunkedAndEventsAreAnEventStream() throws Exception {
        DisposableHttpServer s = routes();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            RawClient.Response stream = c.get("/stream");
            assertEquals("chunked", stream.header("Transfer-Encoding"));
            assertNull(stream.header("Content-Length"));
            assertEquals("part1;part2;part3;part4;part5;", stream.text());
            RawClient.Response events = c.get("/events");
            assertEquals("text/event-stream", events.header("Content-Type"));
            assertEquals("no-cache", events.header("Cache-Control"));
            assertEquals("data: one\n\nid: 7\nevent: tick\ndata: two\ndata: lines\n\ndata: three\n\n", events.text());
            assertEquals("Hello", c.get("/hello").text(), "the connection goes on after a stream");
        }
    }

    @Test
    void http10StreamIsCloseDelimited() throws Exception {
        DisposableHttpServer s = routes();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("GET /stream HTTP/1.0\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals("close", r.header("Connection"));
            assertEquals("part1;part2;part3;part4;part5;", r.text());
        }
    }

    @Test
    void handlerFailureIs500AndClose() throws Exception {
        DisposableHttpServer s = routes();
        for (String path : new String[] {"/fails", "/fails-later"}) {
            try (RawClient c = new RawClient(RawClient.address(s))) {
                RawClient.Response r = c.get(path);
                assertEquals(500, r.status());
                assertEquals("close", r.header("Connection"));
                assertTrue(c.closedByServer());
            }
        }
    }

    @Test
    void postBodyIsEchoedWithContentLengthOrChunked() throws Exception {
        DisposableHttpServer s = routes();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("hello world", r.text());
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertEquals("hello world", c.read().text());
        }
    }

    @Test
    void headGetsTheHeadersOfGetWithoutBody() throws Exception {
        DisposableHttpServer s = routes();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.read(true);
            assertEquals(200, r.status());
            assertEquals("5", r.header("Content-Length"));
            c.send("HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response streamed = c.read(true);
            assertEquals(200, streamed.status());
            assertEquals("Hello", c.get("/hello").text(), "no body bytes came after the HEAD answers");
        }
    }

    @Test
    void sendFileSplicesTheFile(@TempDir Path dir) throws Exception {
        AtomicInteger thenRan = new AtomicInteger();
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + (i >>> 9));
        }
        Path file = Files.write(dir.resolve("data.bin"), content);
        DisposableHttpServer s = bind(server().route(r -> r
                .get("/file", (req, res) -> res.sendFile(file))
                .get("/missing", (req, res) -> res.sendFile(dir.resolve("none")))
                .get("/dir", (req, res) -> res.sendFile(dir))
                .get("/then", (req, res) -> res.sendFile(file)
                        .then(Mono.fromRunnable(thenRan::incrementAndGet)))));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            RawClient.Response r = c.get("/file");
            assertEquals(200, r.status());
            assertEquals(String.valueOf(content.length), r.header("Content-Length"));
            assertArrayEquals(content, r.body());
            assertEquals(404, c.get("/missing").status());
            c.send("HEAD /file HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(String.valueOf(content.length), c.read(true).header("Content-Length"));
            assertArrayEquals(content, c.get("/file").body());
            assertEquals(404, c.get("/dir").status(), "a directory is not a file to send");
            // The size comes from a statx on the ring: pipelined requests still get their responses in order.
            c.send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\nGET /then HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(404, c.read().status());
            RawClient.Response second = c.read();
            assertEquals(200, second.status());
            assertArrayEquals(content, second.body());
            assertEquals(404, c.read().status());
            assertEquals(1, thenRan.get(), "the sendFile Mono completed after the file was queued");
        }
    }

    @Test
    void queryParametersAndAddresses() throws Exception {
        DisposableHttpServer s = bind(server().handle((req, res) -> res.sendString(Mono.just(
                req.queryParams() + " " + req.queryParam("b") + " " + req.query() + " "
                        + (req.localAddress() instanceof java.net.InetSocketAddress local ? local.getPort() : -1)))));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            assertEquals("{a=[1, 2], b=[x y], c=[]} x y a=1&b=x+y&a=2&c " + s.port(), c.get("/p?a=1&b=x+y&a=2&c").text());
            assertEquals("{} null null " + s.port(), c.get("/p").text());
        }
    }

    @Test
    void accessLogWritesOneLinePerResponseWhenOn() throws Exception {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.reactiveuring.http.server.AccessLog");
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                lines.add(new java.util.logging.SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        reactor.util.Loggers.useJdkLoggers(); // Reactor's fallback is the console: log to JUL for this test
        try {
            DisposableHttpServer quiet = bind(server().handle((req, res) -> res.sendString(Mono.just("q"))));
            try (RawClient c = new RawClient(RawClient.address(quiet))) {
                assertEquals("q", c.get("/quiet").text());
            }
            DisposableHttpServer logged = bind(server().accessLog(true)
                    .handle((req, res) -> res.status(201).sendString(Mono.just("logged"))));
            try (RawClient c = new RawClient(RawClient.address(logged))) {
                assertEquals("logged", c.get("/logged?x=1").text());
            }
            assertEquals(1, lines.size(), "one line, for the server with the log on: " + lines);
            assertTrue(lines.get(0).contains("\"GET /logged?x=1 HTTP/1.1\" 201 6 "), lines.get(0));
        } finally {
            reactor.util.Loggers.resetLoggerFactory();
            log.removeHandler(capture);
        }
    }

    @Test
    void nativeHandlerAnswersWithoutPublisher() throws Exception {
        byte[] body = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
        java.lang.foreign.MemorySegment segment = java.lang.foreign.Arena.global().allocate(body.length);
        java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.ofArray(body), 0, segment, 0, body.length);
        DisposableHttpServer s = bind(server().handleNative((req, res) -> {
            if (req.head().targetEquals("/plaintext")) {
                res.header(HttpHeader.CONTENT_TYPE, "text/plain").respond(segment);
            } else {
                res.status(404).respond(java.lang.foreign.MemorySegment.ofArray(new byte[0]));
            }
        }));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals("Hello, World!", r.text());
            assertEquals(404, c.get("/x").status());
        }
    }
}
