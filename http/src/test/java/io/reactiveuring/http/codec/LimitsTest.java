package io.reactiveuring.http.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.reactiveuring.http.codec.RequestRulesTest.accepted;
import static io.reactiveuring.http.codec.RequestRulesTest.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each limit of {@link HttpDecoderOptions}: the largest accepted input, one byte more refused with its status. */
class LimitsTest {
    static final HttpDecoderOptions OPTIONS = HttpDecoderOptions.defaults();

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    /** A request line of exactly {@code length} bytes (CRLF excluded). */
    private static String requestLine(int length) {
        String prefix = "GET /";
        String suffix = " HTTP/1.1";
        return prefix + repeat('a', length - prefix.length() - suffix.length()) + suffix;
    }

    @Test
    void requestLineOver8KiBIs414() {
        accepted(requestLine(8192) + "\r\nHost: a\r\n\r\n");
        rejected(requestLine(8193) + "\r\nHost: a\r\n\r\n", 414);
    }

    @Test
    void tooLongRequestLineIsRefusedBeforeItsEnd() {
        // a client that never ends its line is stopped at the limit: nothing beyond it is stored
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        byte[] chunk = ("GET /" + repeat('a', 1000)).getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 9 && l.error == null; i++) {
            Feeding.feedPiece(d, chunk, 0, chunk.length);
            Feeding.checkBound(d);
        }
        assertNotNull(l.error);
        assertEquals(414, l.error.status());
        assertTrue(d.isFailed());
        assertEquals(0, d.retainedBytes());
    }

    /** A header section of exactly {@code size} bytes in {@code fields} lines (CRLFs included). */
    private static String headerSection(int size, int fields) {
        StringBuilder sb = new StringBuilder("Host: a\r\n");
        int per = (size - sb.length()) / (fields - 1);
        for (int i = 1; i < fields; i++) {
            int len = i == fields - 1 ? size - sb.length() : per;
            String name = "X-F" + i + ": ";
            sb.append(name).append(repeat('v', len - name.length() - 2)).append("\r\n");
        }
        assertEquals(size, sb.length());
        return sb.toString();
    }

    @Test
    void headerSectionOver16KiBIs431() {
        accepted("GET / HTTP/1.1\r\n" + headerSection(16 * 1024, 10) + "\r\n");
        rejected("GET / HTTP/1.1\r\n" + headerSection(16 * 1024 + 1, 10) + "\r\n", 431);
        // one huge field line, longer than the whole section may be
        rejected("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + repeat('x', 20_000) + "\r\n\r\n", 431);
    }

    @Test
    void moreThan100FieldsIs431() {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 1; i < 100; i++) {
            sb.append("X-").append(i).append(": v\r\n");
        }
        assertEquals(100, accepted(sb + "\r\n").size());
        HttpDecodeException e = rejected(sb + "X-100: v\r\n\r\n", 431);
        assertEquals("more than 100 header fields", e.reason());
    }

    @Test
    void contentLengthOverTheBodyLimitIs413() {
        HttpDecoderOptions small = OPTIONS.withMaxBodySize(10);
        accepted(small, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789");
        rejected(small, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n0123456789a", 413);
        rejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", 413);
    }

    @Test
    void chunksAddingUpOverTheBodyLimitAre413() {
        HttpDecoderOptions small = OPTIONS.withMaxBodySize(10);
        String head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        accepted(small, head + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n");
        rejected(small, head + "5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n", 413);
        rejected(head + "7fffffffffffffff\r\n", 413);
    }

    @Test
    void chunkSizeOverflowIs400() {
        String head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertEquals("chunk size has more than 16 hex digits", rejected(head + "00000000000000001\r\nx\r\n0\r\n\r\n",
                400).reason());
        assertEquals("chunk size overflows", rejected(head + "8000000000000000\r\n", 400).reason());
        assertEquals("chunk size overflows", rejected(head + "ffffffffffffffff\r\n", 400).reason());
        RecordingListener l = Feeding.decodeWhole(OPTIONS,
                SampleRequests.bytes(head + "0000000000000001\r\nx\r\n0\r\n\r\n"));
        assertNull(l.error);
    }

    @Test
    void chunkLineOverItsLimitIs400() {
        String head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        String ext = ";" + repeat('e', 1024 - 2);
        accepted(head + "1" + ext + "\r\nx\r\n0\r\n\r\n");
        rejected(head + "1" + ext + "e\r\nx\r\n0\r\n\r\n", 400);
    }

    @Test
    void trailersOverTheirLimitsAre431() {
        String head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n";
        String big = "X-T: " + repeat('t', 8 * 1024 - 7) + "\r\n";
        assertEquals(8 * 1024, big.length());
        accepted(head + big + "\r\n");
        rejected(head + "X-T: t" + big + "\r\n", 431);
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            many.append("T").append(i).append(": v\r\n");
        }
        assertEquals("more than 100 trailer fields", rejected(head + many + "\r\n", 431).reason());
    }

    @Test
    void heldInputOverItsLimitWhilePausedIs503() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS.withMaxHeldBytes(100), l);
        l.onRequestDo(h -> d.pause());
        byte[] wrk = SampleRequests.bytes(SampleRequests.WRK);
        Feeding.feedPiece(d, wrk, 0, wrk.length);
        assertTrue(d.isPaused());
        Feeding.feedPiece(d, wrk, 0, wrk.length);
        Feeding.feedPiece(d, wrk, 0, wrk.length);
        assertNull(l.error);
        assertEquals(2L * wrk.length, d.bufferedBytes());
        Feeding.feedPiece(d, wrk, 0, wrk.length); // 4 x 47 > 100
        assertEquals(503, l.error.status());
        assertTrue(l.error.closeConnection());
        assertTrue(d.isFailed());
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> OPTIONS.withMaxHeaderCount(0));
        assertThrows(IllegalArgumentException.class, () -> OPTIONS.withMaxBodySize(-1));
        assertThrows(IllegalArgumentException.class, () -> OPTIONS.withMaxRequestLineLength(Integer.MAX_VALUE));
        assertEquals(0, OPTIONS.withMaxBodySize(0).maxBodySize());
    }

    @Test
    void retainedStorageStaysWithinTheLimitAndShrinksAfterALargeHead() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        byte[] big = SampleRequests.bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + repeat('x', 16_000) + "\r\n\r\n");
        Feeding.feedPiece(d, big, 0, big.length);
        assertNull(l.error);
        assertEquals(1, l.completed());
        assertTrue(d.retainedBytes() <= 4096, () -> "kept " + d.retainedBytes());
        assertTrue(OPTIONS.retainedBytesLimit() >= 24 * 1024 + 256 * 1024);
    }
}
