package io.reactiveuring.http.codec;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The message rules of RFC 9112 / RFC 9110, one test (or one parameter set) per rule: what is rejected, with which
 * status and the close flag, and what is accepted. Every input is also decoded one byte at a time and must give the
 * same result.
 */
class RequestRulesTest {
    static final HttpDecoderOptions OPTIONS = HttpDecoderOptions.defaults();

    /** Decodes {@code request}; asserts it is refused with {@code status} and a close, whole and byte by byte. */
    static HttpDecodeException rejected(HttpDecoderOptions options, String request, int status) {
        byte[] b = SampleRequests.bytes(request);
        RecordingListener whole = Feeding.decodeWhole(options, b);
        assertNotNull(whole.error, () -> "accepted: " + whole.events);
        assertEquals(status, whole.error.status(), whole.error::getMessage);
        assertTrue(whole.error.closeConnection(), "every decoder error closes");
        assertEquals(whole.events, Feeding.decodeBytewise(options, b).events, "one byte at a time");
        return whole.error;
    }

    static HttpDecodeException rejected(String request, int status) {
        return rejected(OPTIONS, request, status);
    }

    /** Decodes {@code request}; asserts it is one accepted, complete request, whole and byte by byte. */
    static HttpRequestHead accepted(HttpDecoderOptions options, String request) {
        byte[] b = SampleRequests.bytes(request);
        RecordingListener whole = Feeding.decodeWhole(options, b);
        assertNull(whole.error, () -> "refused: " + whole.error);
        assertEquals(1, whole.completed(), () -> "incomplete: " + whole.events);
        assertEquals(whole.events, Feeding.decodeBytewise(options, b).events, "one byte at a time");
        return whole.heads.getFirst();
    }

    static HttpRequestHead accepted(String request) {
        return accepted(OPTIONS, request);
    }

    static String get(String fields) {
        return "GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n";
    }

    static String post(String fields, String body) {
        return "POST / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n" + body;
    }

    @Nested
    class Framing {
        @Test
        void contentLengthAndTransferEncodingTogetherIs400() {
            rejected(post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), 400);
            rejected(post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "5\r\nhello\r\n0\r\n\r\n"), 400);
        }

        @Test
        void identicalRepeatedContentLengthsAreOneValueByDefault() {
            assertEquals(5, accepted(post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")).contentLength());
            assertEquals(5, accepted(post("Content-Length: 5, 5\r\n", "hello")).contentLength());
        }

        @Test
        void identicalRepeatedContentLengthsAre400WhenNotAccepted() {
            HttpDecoderOptions strict = OPTIONS.withAcceptIdenticalContentLengths(false);
            rejected(strict, post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), 400);
            rejected(strict, post("Content-Length: 5,5\r\n", "hello"), 400);
            assertEquals(5, accepted(strict, post("Content-Length: 5\r\n", "hello")).contentLength());
        }

        @Test
        void conflictingContentLengthsAre400() {
            rejected(post("Content-Length: 5, 6\r\n", "hello!"), 400);
            rejected(post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "abc", "-1", "+5", "5 5", "0x10", "5;", "5,", ",5", "1.0", "99999999999999999999"})
        void invalidContentLengthIs400(String value) {
            rejected(post("Content-Length: " + value + "\r\n", "hello"), 400);
        }

        @Test
        void contentLengthWithLeadingZerosAndZero() {
            assertEquals(5, accepted(post("Content-Length: 005\r\n", "hello")).contentLength());
            assertFalse(accepted(post("Content-Length: 0\r\n", "")).hasBody());
        }

        @ParameterizedTest
        @ValueSource(strings = {"gzip", "chunked, gzip", "identity", "chunked;q=1", "chunked, chunked"})
        void transferEncodingNotEndingInOneChunkedIs400(String value) {
            rejected(post("Transfer-Encoding: " + value + "\r\n", "0\r\n\r\n"), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"gzip, chunked", "x-unknown, chunked", "deflate,chunked"})
        void unsupportedCodingBeforeChunkedIs501(String value) {
            rejected(post("Transfer-Encoding: " + value + "\r\n", "0\r\n\r\n"), 501);
        }

        @Test
        void codingsAddUpAcrossFieldLines() {
            rejected(post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 501);
            rejected(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "0\r\n\r\n"), 400);
        }

        @Test
        void invalidOrEmptyTransferEncodingIs400() {
            rejected(post("Transfer-Encoding: \"chunked\"\r\n", "0\r\n\r\n"), 400);
            rejected(post("Transfer-Encoding:\r\n", "0\r\n\r\n"), 400);
            rejected(post("Transfer-Encoding: ,\r\n", "0\r\n\r\n"), 400);
        }

        @Test
        void chunkedIsCaseInsensitiveAndEmptyElementsAreIgnored() {
            assertTrue(accepted(post("Transfer-Encoding: , ChUnKeD\r\n", "0\r\n\r\n")).isChunked());
        }

        @Test
        void chunkedOnHttp10Is400() {
            rejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        }

        @Test
        void chunkDataNotFollowedByCrlfIs400() {
            rejected(post("Transfer-Encoding: chunked\r\n", "5\r\nhelloX\r\n0\r\n\r\n"), 400);
            rejected(post("Transfer-Encoding: chunked\r\n", "5\r\nhello\n0\r\n\r\n"), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\r\n", "x\r\n", "5x\r\n", "-5\r\n", "5 x\r\n", ";ext\r\n", "5;\u0001\r\n", "5\n"})
        void invalidChunkSizeLineIs400(String line) {
            rejected(post("Transfer-Encoding: chunked\r\n", line + "hello\r\n0\r\n\r\n"), 400);
        }

        @Test
        void chunkExtensionsAreIgnored() {
            RecordingListener l = Feeding.decodeWhole(OPTIONS, SampleRequests.bytes(post(
                    "Transfer-Encoding: chunked\r\n", "5 ;a=b;c=\"d\te\"\r\nhello\r\n0;end\r\n\r\n")));
            assertNull(l.error);
            assertEquals("hello", new String(l.bodies.getFirst()));
        }
    }

    @Nested
    class FieldSyntax {
        @Test
        void obsFoldIs400() {
            rejected(get("X-A: one\r\n  two\r\n"), 400);
            rejected(get("X-A: one\r\n\ttwo\r\n"), 400);
        }

        @Test
        void whitespaceBeforeTheFirstFieldIs400() {
            rejected("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400);
        }

        @Test
        void whitespaceBetweenNameAndColonIs400() {
            HttpDecodeException e = rejected("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);
            assertEquals("whitespace between field name and colon", e.reason());
            rejected("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"X(Y", "X/Y", "X@Y", "X\"Y", "X\u00c4Y", "X\u0000Y", "X\rY", "X{Y"})
        void nonTcharInNameIs400(String name) {
            rejected(get(name + ": v\r\n"), 400);
        }

        @Test
        void emptyNameOrNoColonIs400() {
            rejected(get(": v\r\n"), 400);
            rejected(get("NoColon\r\n"), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"a\u0000b", "a\rb", "a\u0001b", "a\u001bb", "a\u007fb", "\u0000", "a\r"})
        void controlCharacterInValueIs400(String value) {
            rejected(get("X-V: " + value + "\r\n"), 400);
        }

        @Test
        void htabAndObsTextAreValidInValues() {
            HttpRequestHead h = accepted(get("X-V: a\tb \u00e9\u00ff\r\n"));
            assertEquals("a\tb \u00e9\u00ff", h.get("x-v"));
        }

        @Test
        void emptyValueIsValid() {
            assertEquals("", accepted(get("X-Empty:\r\nX-Blank:   \r\n")).get("x-blank"));
        }

        @Test
        void bareLfLineEndIs400() {
            rejected("GET / HTTP/1.1\nHost: a\r\n\r\n", 400);
            rejected("GET / HTTP/1.1\r\nHost: a\n\r\n", 400);
            rejected("GET / HTTP/1.1\r\nHost: a\r\n\n", 400);
        }
    }

    @Nested
    class Host {
        @Test
        void missingHostOnHttp11Is400() {
            assertEquals("missing Host field", rejected("GET / HTTP/1.1\r\n\r\n", 400).reason());
            rejected("GET http://a/ HTTP/1.1\r\n\r\n", 400);
        }

        @Test
        void duplicateHostIs400() {
            rejected("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400);
            rejected("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"a b", "a/b", "user@a", "[::1", "[]", "a:99999", "a:8x", ":80", "a:80:80", "%zz",
                "a,b:123456", "\u00e9"})
        void invalidHostIs400(String host) {
            rejected("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"example.com", "localhost:8080", "[::1]:8080", "[2001:db8::7]", "192.0.2.1:80",
                "xn--bcher-kva.example", "a%41b", "host:", ""})
        void validHostIsAccepted(String host) {
            HttpRequestHead h = accepted("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertEquals(host, h.authority());
        }

        @Test
        void hostIsOptionalOnHttp10() {
            HttpRequestHead h = accepted("GET / HTTP/1.0\r\n\r\n");
            assertNull(h.authority());
        }
    }

    @Nested
    class RequestLine {
        @ParameterizedTest
        @ValueSource(strings = {"G(ET / HTTP/1.1", " GET / HTTP/1.1", "GET\t/ HTTP/1.1", "G\u00c9T / HTTP/1.1",
                "GET", "GET  / HTTP/1.1", "GET /"})
        void invalidMethodOrShapeIs400(String line) {
            rejected(line + "\r\nHost: a\r\n\r\n", 400);
        }

        @Test
        void extensionMethodsAreTokensAndCaseSensitive() {
            HttpRequestHead h = accepted("get / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("get", h.method().name());
            assertFalse(h.method() == HttpMethod.GET);
            assertEquals("PROPFIND", accepted("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n").method().name());
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/1", "HTTP/1.1x", "http/1.1", "HTTP/11.1", "HTTP/1.10", "HTTP 1.1", "HTTP/a.b",
                "HTTPS/1.1", "HTTP/1.1 "})
        void malformedVersionIs400(String version) {
            rejected("GET / " + version + "\r\nHost: a\r\n\r\n", 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.9"})
        void wellFormedOtherMajorVersionIs505(String version) {
            rejected("GET / " + version + "\r\nHost: a\r\n\r\n", 505);
        }

        @Test
        void higherMinorVersionIsDecodedAsHttp11() {
            HttpRequestHead h = accepted("GET / HTTP/1.2\r\nHost: a\r\n\r\n");
            assertSame(HttpVersion.HTTP_1_1, h.version());
            assertEquals(2, h.minorVersion());
            rejected("GET / HTTP/1.9\r\n\r\n", 400); // and it needs Host like 1.1
        }

        @Test
        void invalidCharacterInTargetIs400() {
            rejected("GET /a\u0000b HTTP/1.1\r\nHost: a\r\n\r\n", 400);
            rejected("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
            rejected("GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        }

        @Test
        void leadingEmptyLinesAreSkipped() {
            assertEquals("/x", accepted("\r\n\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n").target());
            StringBuilder eight = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                eight.append("\r\n");
            }
            accepted(eight + "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            rejected(eight + "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
            rejected("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        }
    }

    @Nested
    class TargetForms {
        @Test
        void originFormWithAnyMethodButConnect() {
            assertSame(RequestTargetForm.ORIGIN, accepted("DELETE /r/1 HTTP/1.1\r\nHost: a\r\n\r\n").targetForm());
            assertSame(RequestTargetForm.ORIGIN, accepted("OPTIONS /r HTTP/1.1\r\nHost: a\r\n\r\n").targetForm());
            rejected("CONNECT /r HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        }

        @Test
        void absoluteFormWithAnyMethodButConnect() {
            HttpRequestHead h = accepted(
                    "POST https://b.example:8443?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
            assertSame(RequestTargetForm.ABSOLUTE, h.targetForm());
            assertEquals("b.example:8443", h.authority());
            assertEquals("/", h.path());
            assertEquals("x=1", h.query());
            assertSame(RequestTargetForm.ABSOLUTE, accepted("OPTIONS http://b/ HTTP/1.1\r\nHost: b\r\n\r\n")
                    .targetForm());
            rejected("CONNECT http://b:80/ HTTP/1.1\r\nHost: b\r\n\r\n", 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"http://", "http:///x", "http://user@b/", "http://b c/", "http:b/x", "1http://b/",
                "http//b/", "ht!tp://b/"})
        void invalidAbsoluteFormIs400(String target) {
            rejected("GET " + target + " HTTP/1.1\r\nHost: b\r\n\r\n", 400);
        }

        @Test
        void authorityFormOnlyWithConnect() {
            HttpRequestHead h = accepted("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
            assertSame(RequestTargetForm.AUTHORITY, h.targetForm());
            assertEquals("[::1]:443", h.authority());
            assertEquals("authority-form target is only allowed with CONNECT",
                    rejected("GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400).reason());
            rejected("CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400); // port required
            rejected("CONNECT * HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        }

        @Test
        void asteriskFormOnlyWithOptions() {
            assertSame(RequestTargetForm.ASTERISK, accepted("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").targetForm());
            assertEquals("asterisk-form target is only allowed with OPTIONS",
                    rejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400).reason());
            rejected("OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        }

        @Test
        void otherTargetsAre400() {
            rejected("GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400);
            rejected("GET ?x HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        }
    }

    @Nested
    class Expectations {
        @Test
        void continueIsExposedCaseInsensitively() {
            assertTrue(accepted(post("Expect: 100-continue\r\nContent-Length: 1\r\n", "x")).expectsContinue());
            assertTrue(accepted(post("Expect: 100-Continue\r\nContent-Length: 1\r\n", "x")).expectsContinue());
            assertFalse(accepted(post("Content-Length: 1\r\n", "x")).expectsContinue());
        }

        @Test
        void continueIsIgnoredOnHttp10() {
            assertFalse(accepted("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
                    .expectsContinue());
        }

        @Test
        void unknownExpectationIs417() {
            rejected(post("Expect: 200-ok\r\nContent-Length: 1\r\n", "x"), 417);
            rejected(post("Expect: 100-continue, foo\r\nContent-Length: 1\r\n", "x"), 417);
            rejected(get("Expect: 100-continue=1\r\n"), 417);
        }

        @Test
        void continueResponseBytes() {
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(HttpResponseEncoder.continueResponseBytes()));
        }
    }

    @Nested
    class Persistence {
        @Test
        void http11KeepsAliveUnlessClose() {
            assertTrue(accepted(get("")).keepAlive());
            assertFalse(accepted(get("Connection: close\r\n")).keepAlive());
            assertFalse(accepted(get("Connection: Upgrade, CLOSE\r\n")).keepAlive());
            assertFalse(accepted(get("Connection: keep-alive\r\nConnection: close\r\n")).keepAlive());
            assertTrue(accepted(get("Connection: keep-alive, closed\r\n")).keepAlive());
        }

        @Test
        void http10KeepsAliveOnlyWithKeepAlive() {
            assertFalse(accepted("GET / HTTP/1.0\r\n\r\n").keepAlive());
            assertTrue(accepted("GET / HTTP/1.0\r\nConnection: KEEP-ALIVE\r\n\r\n").keepAlive());
            assertTrue(accepted("GET / HTTP/1.0\r\nConnection: foo ,  keep-alive \r\n\r\n").keepAlive());
            assertFalse(accepted("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keepAlive());
        }

        @Test
        void connectionTokensAreListed() {
            HttpRequestHead h = accepted(get("Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"));
            assertTrue(h.connectionHasToken("upgrade"));
            assertFalse(h.connectionHasToken("close"));
        }

        @Test
        void headIsRecognised() {
            assertTrue(accepted("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").isHeadRequest());
            assertFalse(accepted(get("")).isHeadRequest());
            assertTrue(rejected("HEAD / HTTP/1.1\r\n\r\n", 400).forHeadRequest());
        }
    }
}
