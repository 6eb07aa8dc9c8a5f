package io.reactiveuring.http.server;

import io.reactiveuring.http.codec.HttpDecoderOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every RFC 9112/9110 rule and limit of the decoder, through the real server over a socket: the status answered,
 * {@code Connection: close}, and the server closing the connection; the targets' forms; the keep-alive rules.
 */
class HttpServerRulesTest extends HttpServerTestBase {

    static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    static Stream<Arguments> badRequests() {
        StringBuilder manyFields = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 101; i++) {
            manyFields.append("X-F").append(i).append(": v\r\n");
        }
        return Stream.of(
                Arguments.of("content-length and transfer-encoding", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                Arguments.of("conflicting content-lengths", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"),
                Arguments.of("content-length list", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n"),
                Arguments.of("invalid content-length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
                Arguments.of("non-numeric content-length", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n"),
                Arguments.of("transfer-encoding not ending in chunked", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
                Arguments.of("unknown coding", 501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo, chunked\r\n\r\n"),
                Arguments.of("chunked on HTTP/1.0", 400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
                Arguments.of("obs-fold", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"),
                Arguments.of("whitespace before the colon", 400, "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
                Arguments.of("NUL in a value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n"),
                Arguments.of("bare CR in a value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n"),
                Arguments.of("invalid name character", 400, "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n"),
                Arguments.of("missing Host on HTTP/1.1", 400, "GET / HTTP/1.1\r\n\r\n"),
                Arguments.of("duplicate Host", 400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                Arguments.of("invalid Host", 400, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
                Arguments.of("invalid method", 400, "G(T / HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("malformed version", 400, "GET / HTTP/1.x\r\nHost: a\r\n\r\n"),
                Arguments.of("unsupported major version", 505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n"),
                Arguments.of("request line over 8 KiB", 414, "GET /" + repeat('a', 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("header section over 16 KiB", 431,
                        "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + repeat('b', 17_000) + "\r\n\r\n"),
                Arguments.of("over 100 fields", 431, manyFields + "\r\n"),
                Arguments.of("body over the maximum", 413, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n"),
                Arguments.of("chunked body over the maximum", 413,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1E8480\r\n"),
                Arguments.of("chunk-size overflow", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n"),
                Arguments.of("invalid chunk size", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n"),
                Arguments.of("bare LF line ends", 400, "GET / HTTP/1.1\nHost: a\n\n"));
    }

    DisposableHttpServer echo() {
        return bind(server()
                .decoderOptions(HttpDecoderOptions.defaults().withMaxBodySize(1_000_000))
                .handle((req, res) -> res.sendString(req.receive().aggregateAsString().defaultIfEmpty("")
                        .map(body -> req.method() + " " + req.path() + " " + req.head().targetForm() + " " + body))));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badRequests")
    void badRequestIsAnsweredWithItsStatusAndClosed(String rule, int status, String request) throws Exception {
        DisposableHttpServer s = echo();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send(request);
            RawClient.Response r = c.read();
            assertEquals(status, r.status(), rule);
            assertEquals("close", r.header("Connection"), rule);
            assertTrue(r.header("Content-Length") != null, "error responses are self-delimiting");
            assertTrue(c.closedByServer(), "closed after " + rule);
        }
    }

    @Test
    void headRequestErrorHasNoBody() throws Exception {
        DisposableHttpServer s = echo();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("HEAD / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
            RawClient.Response r = c.read(true);
            assertEquals(400, r.status());
            assertTrue(c.closedByServer(), "nothing but the close follows the head");
        }
    }

    @Test
    void theFourTargetForms() throws Exception {
        DisposableHttpServer s = echo();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("GET http://example.com/abs/path?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertEquals("GET /abs/path ABSOLUTE ", c.read().text());
            c.send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("OPTIONS * ASTERISK ", c.read().text());
            c.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
            assertEquals("CONNECT  AUTHORITY ", c.read().text());
            c.send("GET /o HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("GET /o ORIGIN ", c.read().text());
        }
    }

    @Test
    void http11KeepsAliveUntilConnectionClose() throws Exception {
        DisposableHttpServer s = echo();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            for (int i = 0; i < 3; i++) {
                RawClient.Response r = c.get("/k" + i);
                assertNull(r.header("Connection"));
                assertEquals("GET /k" + i + " ORIGIN ", r.text());
            }
            c.send("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            RawClient.Response last = c.read();
            assertEquals("close", last.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAsked() throws Exception {
        DisposableHttpServer s = echo();
        try (RawClient c = new RawClient(RawClient.address(s))) {
            c.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals("keep-alive", r.header("Connection"));
            c.send("GET /b HTTP/1.0\r\n\r\n");
            RawClient.Response closing = c.read();
            assertEquals("close", closing.header("Connection"));
            assertEquals("GET /b ORIGIN ", closing.text());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void maxKeepAliveRequestsClosesTheLastOne() throws Exception {
        DisposableHttpServer s = bind(server().maxKeepAliveRequests(3)
                .handle((req, res) -> res.sendString(Mono.just("ok"))));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            assertNull(c.get("/1").header("Connection"));
            assertNull(c.get("/2").header("Connection"));
            assertEquals("close", c.get("/3").header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void connectionLimitRefusesTheExtraConnection() throws Exception {
        DisposableHttpServer s = bind(server().maxConnections(2)
                .handle((req, res) -> res.sendString(Mono.just("ok"))));
        try (RawClient a = new RawClient(RawClient.address(s)); RawClient b = new RawClient(RawClient.address(s))) {
            assertEquals("ok", a.get("/").text());
            assertEquals("ok", b.get("/").text());
            try (RawClient extra = new RawClient(RawClient.address(s))) {
                assertTrue(extra.closedByServer(), "the third connection is closed at once");
            }
            assertEquals("ok", a.get("/").text());
        }
    }

    @Test
    void idleTimeoutClosesAnIdleConnection() throws Exception {
        DisposableHttpServer s = bind(server().idleTimeout(java.time.Duration.ofMillis(300))
                .handle((req, res) -> res.sendString(Mono.just("ok"))));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            assertEquals("ok", c.get("/").text());
            long start = System.nanoTime();
            assertTrue(c.closedByServer());
            assertFalse(System.nanoTime() - start > 9_000_000_000L, "closed by the idle timeout");
        }
    }
}
