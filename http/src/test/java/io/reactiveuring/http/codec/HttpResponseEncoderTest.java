package io.reactiveuring.http.codec;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte-exact responses: status line, Date, framing, persistence, HEAD, chunks and error responses. */
class HttpResponseEncoderTest {
    /** RFC 9110's own example date. */
    static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochSecond(784_111_777));
    static final String DATE = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
    static final MemorySegment HELLO = MemorySegment.ofArray("Hello, World!".getBytes(StandardCharsets.US_ASCII));

    private final LeakDetector leaks = new LeakDetector();
    private final BufferAllocator allocator = BufferAllocator.pooled(leaks);
    private final HttpResponseEncoder encoder = new HttpResponseEncoder(allocator, new HttpDateCache(CLOCK), null);

    @AfterEach
    void noBufferLeft() {
        allocator.close();
        leaks.assertNoLeaks();
    }

    private static HttpRequestHead request(String text) {
        RecordingListener l = Feeding.decodeWhole(HttpDecoderOptions.defaults(), SampleRequests.bytes(text));
        return l.heads.getFirst();
    }

    private static String text(UringBuffer b) {
        try {
            return new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    static final HttpRequestHead GET_11 = request(SampleRequests.WRK);
    static final HttpRequestHead GET_10 = request("GET / HTTP/1.0\r\n\r\n");
    static final HttpRequestHead GET_10_KEEP_ALIVE = request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    static final HttpRequestHead GET_11_CLOSE = request("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    static final HttpRequestHead HEAD_11 = request(SampleRequests.HEAD);

    @Test
    void plaintextResponseIsByteExact() {
        HttpResponseHead response = new HttpResponseHead().add(HttpHeader.CONTENT_TYPE, "text/plain");
        String encoded = text(encoder.encode(GET_11, response, HELLO));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n" + DATE + "\r\n"
                + "Hello, World!", encoded);
        assertSame(BodyFraming.CONTENT_LENGTH, response.framing());
        assertTrue(response.persistent());
    }

    @Test
    void plaintextResponseWithTheSystemClockDiffersOnlyInTheDate() {
        HttpResponseEncoder system = new HttpResponseEncoder(allocator);
        String encoded = text(system.encode(GET_11, new HttpResponseHead().add(HttpHeader.CONTENT_TYPE, "text/plain"),
                HELLO));
        int at = encoded.indexOf("Date: ");
        String date = encoded.substring(at + 6, encoded.indexOf("\r\n", at));
        assertTrue(date.matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d "
                + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d GMT"), date);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n" + DATE + "\r\n"
                + "Hello, World!", encoded.replace("Date: " + date + "\r\n", DATE));
    }

    @Test
    void headGetsTheLengthButNoBody() {
        HttpResponseHead response = new HttpResponseHead().add(HttpHeader.CONTENT_TYPE, "text/plain");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n" + DATE + "\r\n",
                text(encoder.encode(HEAD_11, response, HELLO)));
        assertSame(BodyFraming.NONE, response.framing());
        assertEquals("HTTP/1.1 200 OK\r\n" + DATE + "\r\n", text(encoder.encode(HEAD_11, response.clear())));
    }

    @Test
    void http10GetsConnectionHeaders() {
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n" + DATE + "Connection: keep-alive\r\n\r\nHello, World!",
                text(encoder.encode(GET_10_KEEP_ALIVE, new HttpResponseHead(), HELLO)));
        HttpResponseHead response = new HttpResponseHead();
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n" + DATE + "Connection: close\r\n\r\nHello, World!",
                text(encoder.encode(GET_10, response, HELLO)));
        assertFalse(response.persistent());
    }

    @Test
    void closeIsSaidWhenTheRequestOrTheResponseAsksForIt() {
        HttpResponseHead response = new HttpResponseHead();
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n" + DATE + "Connection: close\r\n\r\nHello, World!",
                text(encoder.encode(GET_11_CLOSE, response, HELLO)));
        assertFalse(response.persistent());
        response.clear().closeConnection();
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n" + DATE + "Connection: close\r\n\r\nHello, World!",
                text(encoder.encode(GET_11, response, HELLO)));
        assertFalse(response.persistent());
    }

    @Test
    void unknownLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() {
        HttpResponseHead response = new HttpResponseHead().add("X-Stream", "yes");
        assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Stream: yes\r\n" + DATE + "\r\n",
                text(encoder.encode(GET_11, response)));
        assertSame(BodyFraming.CHUNKED, response.framing());
        assertTrue(response.persistent());
        assertEquals("HTTP/1.1 200 OK\r\nX-Stream: yes\r\n" + DATE + "Connection: close\r\n\r\n",
                text(encoder.encode(GET_10_KEEP_ALIVE, response)));
        assertSame(BodyFraming.CLOSE_DELIMITED, response.framing());
        assertFalse(response.persistent());
    }

    @Test
    void knownLengthHeadOnly() {
        HttpResponseHead response = new HttpResponseHead().contentLength(1_000_000_000_000L);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n" + DATE + "\r\n",
                text(encoder.encode(GET_11, response)));
    }

    @Test
    void statusesWithoutBody() {
        HttpResponseHead response = new HttpResponseHead().status(204);
        assertEquals("HTTP/1.1 204 No Content\r\n" + DATE + "\r\n", text(encoder.encode(GET_11, response, HELLO)));
        assertSame(BodyFraming.NONE, response.framing());
        assertEquals("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n" + DATE + "\r\n",
                text(encoder.encode(GET_11, response.clear().status(304).add(HttpHeader.ETAG, "\"x\""))));
    }

    @Test
    void interimResponsesLeaveTheConnectionToTheFinalOne() {
        HttpResponseHead hints = new HttpResponseHead().status(103).add(HttpHeader.LINK, "</a.css>; rel=preload");
        assertEquals("HTTP/1.1 103 \r\nLink: </a.css>; rel=preload\r\n" + DATE + "\r\n",
                text(encoder.encode(GET_11_CLOSE, hints)));
        assertSame(BodyFraming.NONE, hints.framing());
        assertFalse(hints.persistent(), "the request asked for close");
    }

    @Test
    void customStatusAndReason() {
        assertEquals("HTTP/1.1 299 Fine Indeed\r\nContent-Length: 0\r\n" + DATE + "\r\n",
                text(encoder.encode(GET_11, new HttpResponseHead().status(299, "Fine Indeed"), MemorySegment.ofArray(
                        new byte[0]))));
        assertEquals("HTTP/1.1 599 \r\nContent-Length: 0\r\n" + DATE + "\r\n",
                text(encoder.encode(GET_11, new HttpResponseHead().status(599).contentLength(0))));
        assertThrows(IllegalArgumentException.class, () -> new HttpResponseHead().status(99));
        assertThrows(IllegalArgumentException.class, () -> new HttpResponseHead().status(1000));
    }

    @Test
    void serverField() {
        HttpResponseEncoder named = new HttpResponseEncoder(allocator, new HttpDateCache(CLOCK), "reactive-uring");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n" + DATE + "Server: reactive-uring\r\n\r\nHello, World!",
                text(named.encode(GET_11, new HttpResponseHead(), HELLO)));
        assertThrows(IllegalArgumentException.class,
                () -> new HttpResponseEncoder(allocator, new HttpDateCache(CLOCK), "a\r\nb"));
    }

    @Test
    void fieldsCannotSplitTheResponse() {
        HttpResponseHead response = new HttpResponseHead();
        assertThrows(IllegalArgumentException.class, () -> response.add("X-A", "a\r\nX-Injected: 1"));
        assertThrows(IllegalArgumentException.class, () -> response.add("X-A", "a\u0000"));
        assertThrows(IllegalArgumentException.class, () -> response.add("X A", "a"));
        assertThrows(IllegalArgumentException.class, () -> response.add("X-A", "\u20ac"));
        assertThrows(IllegalArgumentException.class, () -> response.add("", "a"));
        assertThrows(IllegalArgumentException.class, () -> response.status(200, "OK\r\n"));
        assertEquals(0, response.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length", "transfer-encoding", "Connection", "Date"})
    void framingFieldsAreTheEncoders(String name) {
        assertThrows(IllegalArgumentException.class, () -> new HttpResponseHead().add(name, "1"));
    }

    @Test
    void manyFieldsAndLatin1Values() {
        HttpResponseHead response = new HttpResponseHead();
        StringBuilder expected = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n");
        for (int i = 0; i < 40; i++) {
            response.add("X-Field-" + i, "value \u00e9 " + i);
            expected.append("X-Field-").append(i).append(": value \u00e9 ").append(i).append("\r\n");
        }
        expected.append(DATE).append("\r\nHello, World!");
        assertEquals(expected.toString(), text(encoder.encode(GET_11, response, HELLO)));
    }

    @Test
    void contentLengthMustMatchTheBody() {
        assertThrows(IllegalArgumentException.class,
                () -> encoder.encode(GET_11, new HttpResponseHead().contentLength(12), HELLO));
    }

    @Test
    void chunkFraming() {
        assertEquals("d\r\nHello, World!\r\n", text(encoder.encodeChunk(HELLO)));
        assertEquals("1000\r\n", text(encoder.encodeChunkHeader(4096)));
        assertEquals("7fffffffffffffff\r\n", text(encoder.encodeChunkHeader(Long.MAX_VALUE)));
        assertEquals("1\r\n", text(encoder.encodeChunkHeader(1)));
        assertEquals("0\r\n\r\n", text(encoder.encodeLastChunk()));
        assertEquals(6, HttpResponseEncoder.chunkHeaderLength(0x1000));
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeChunk(MemorySegment.ofArray(new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> HttpResponseEncoder.chunkHeaderLength(0));

        UringBuffer out = allocator.allocate(64);
        HttpResponseEncoder.writeChunkHeader(out, 0xabc);
        out.writeBytes("x".repeat(0xabc).getBytes(), 0, 3);
        HttpResponseEncoder.writeChunkEnd(out);
        HttpResponseEncoder.writeLastChunk(out);
        assertEquals("abc\r\nxxx\r\n0\r\n\r\n", text(out));
    }

    @Test
    void chunkedBodyDecodesBack() {
        // what the encoder frames, the decoder reads back
        StringBuilder wire = new StringBuilder("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
        wire.append(text(encoder.encodeChunk(HELLO)));
        wire.append(text(encoder.encodeChunk(MemorySegment.ofArray(new byte[300]))));
        wire.append(text(encoder.encodeLastChunk()));
        RecordingListener l = Feeding.decodeWhole(HttpDecoderOptions.defaults(), SampleRequests.bytes(wire.toString()));
        assertEquals(313, l.bodies.getFirst().length);
    }

    @Test
    void continueResponse() {
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", text(encoder.encodeContinue()));
    }

    /** Every status the decoder produces gets a self-delimiting error response that closes the connection. */
    @Test
    void errorResponsesForEveryDecoderStatus() {
        Map<Integer, String> inputs = new LinkedHashMap<>();
        inputs.put(400, "GET / HTTP/1.1\r\nHost : a\r\n\r\n");
        inputs.put(413, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n");
        inputs.put(414, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n");
        inputs.put(417, "GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n");
        inputs.put(431, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(17000) + "\r\n\r\n");
        inputs.put(501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        inputs.put(505, "GET / HTTP/2.0\r\n\r\n");
        for (Map.Entry<Integer, String> in : inputs.entrySet()) {
            RecordingListener l = Feeding.decodeWhole(HttpDecoderOptions.defaults(),
                    SampleRequests.bytes(in.getValue()));
            assertEquals(in.getKey(), l.error.status());
            assertSelfDelimitingClose(text(encoder.encodeError(l.error)), in.getKey(), l.error.reason());
        }
        // 503 comes from the held-input limit; the server's own errors use the same shape
        assertSelfDelimitingClose(text(encoder.encodeError(new HttpDecodeException(503, "busy", true))), 503, "busy");
        assertSelfDelimitingClose(text(encoder.encodeError(500, "handler failed")), 500, "handler failed");
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeError(200, "fine"));
    }

    @Test
    void errorResponseIsByteExactAndHasNoBodyForHead() {
        HttpDecodeException e = new HttpDecodeException(400, "whitespace between field name and colon", true);
        assertEquals("HTTP/1.1 400 Bad Request\r\n" + DATE + "Content-Type: text/plain\r\nContent-Length: 53\r\n"
                + "Connection: close\r\n\r\nBad Request: whitespace between field name and colon\n",
                text(encoder.encodeError(e)));
        RecordingListener l = Feeding.decodeWhole(HttpDecoderOptions.defaults(),
                SampleRequests.bytes("HEAD / HTTP/1.1\r\n\r\n"));
        String head = text(encoder.encodeError(l.error));
        assertTrue(head.endsWith("Connection: close\r\n\r\n"), head);
        assertTrue(head.contains("Content-Length: 32\r\n"), head);
    }

    static void assertSelfDelimitingClose(String response, int status, String reason) {
        String statusLine = "HTTP/1.1 " + status + " " + HttpStatus.reasonPhrase(status) + "\r\n";
        assertTrue(response.startsWith(statusLine), response);
        int headEnd = response.indexOf("\r\n\r\n") + 4;
        String head = response.substring(0, headEnd);
        String body = response.substring(headEnd);
        assertTrue(head.contains("\r\nConnection: close\r\n"), head);
        assertTrue(head.contains("\r\nContent-Length: " + body.length() + "\r\n"), head);
        assertEquals(HttpStatus.reasonPhrase(status) + ": " + reason + "\n", body);
    }
}
