package io.reactiveuring.http.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each real request decodes to: line, fields, framing, body, trailers. */
class SampleRequestsTest {

    private static RecordingListener decode(String text) {
        RecordingListener l = Feeding.decodeWhole(HttpDecoderOptions.defaults(), SampleRequests.bytes(text));
        assertNull(l.error, () -> "error: " + l.events);
        return l;
    }

    private static String body(RecordingListener l, int i) {
        return new String(l.bodies.get(i), StandardCharsets.ISO_8859_1);
    }

    @Test
    void curl() {
        RecordingListener l = decode(SampleRequests.CURL);
        HttpRequestHead h = l.heads.getFirst();
        assertSame(HttpMethod.GET, h.method());
        assertEquals("/index.html?lang=en", h.target());
        assertEquals("/index.html", h.path());
        assertEquals("lang=en", h.query());
        assertSame(HttpVersion.HTTP_1_1, h.version());
        assertSame(RequestTargetForm.ORIGIN, h.targetForm());
        assertEquals("example.com", h.authority());
        assertEquals(3, h.size());
        assertEquals("curl/8.5.0", h.get(HttpHeader.USER_AGENT));
        assertEquals("*/*", h.get("accept"));
        assertTrue(h.keepAlive());
        assertFalse(h.hasBody());
        assertEquals(0, h.contentLength());
        assertEquals(1, l.completed());
        assertEquals(0, l.bodies.getFirst().length);
        assertSame(HttpFields.EMPTY, l.trailers.getFirst());
    }

    @Test
    void browserRequestWithEighteenFields() {
        HttpRequestHead h = decode(SampleRequests.BROWSER).heads.getFirst();
        assertEquals(18, h.size());
        // well-known names come back as the interned canonical spelling, whatever case was received
        assertSame(HttpHeader.SEC_CH_UA.canonicalName(), h.name(3));
        assertSame(HttpHeader.SEC_CH_UA, h.header(3));
        assertEquals("\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"", h.value(3));
        assertSame(HttpHeader.COOKIE, h.header(16));
        // an unknown name is returned as received, its value trimmed of the HTAB before and the SP after
        assertEquals("X-Custom-Trace", h.name(17));
        assertEquals(null, h.header(17));
        assertEquals("abc-123", h.value(17));
        assertEquals(17, h.indexOf("x-custom-trace", 0));
        assertEquals("gzip, deflate, br, zstd", h.get(HttpHeader.ACCEPT_ENCODING));
        assertEquals("/app/dashboard", h.path());
        assertEquals("tab=overview&sort=desc", h.query());
        assertTrue(h.keepAlive());
        assertTrue(h.connectionHasToken("Keep-Alive"));
    }

    @Test
    void wellKnownNamesAreFoundByStringIgnoringCase() {
        for (HttpHeader h : HttpHeader.values()) {
            assertSame(h, HttpHeader.of(h.canonicalName()));
            assertSame(h, HttpHeader.of(h.canonicalName().toLowerCase(java.util.Locale.ROOT)));
            assertSame(h, HttpHeader.of(h.canonicalName().toUpperCase(java.util.Locale.ROOT)));
            byte[] b = ("X" + h.canonicalName().toUpperCase(java.util.Locale.ROOT) + ":")
                    .getBytes(StandardCharsets.US_ASCII);
            assertSame(h, HttpHeader.lookup(b, 1, b.length - 1), "from received bytes");
        }
        assertNull(HttpHeader.of("Content-Lengths"));
        assertNull(HttpHeader.of("Content_Length"));
        assertNull(HttpHeader.of("Hos"));
        assertNull(HttpHeader.of(""));
        assertNull(HttpHeader.of("Ho st"));
        assertNull(HttpHeader.of("\u0048ost\u0000"));
    }

    @Test
    void wrk() {
        HttpRequestHead h = decode(SampleRequests.WRK).heads.getFirst();
        assertTrue(h.targetEquals("/plaintext"));
        assertFalse(h.targetEquals("/plaintexT"));
        assertEquals("localhost:8080", h.get(HttpHeader.HOST));
        assertEquals(1, h.size());
    }

    @Test
    void postWithContentLengthAndAnExtraCrlfAfterTheBody() {
        RecordingListener l = decode(SampleRequests.POST_JSON);
        HttpRequestHead h = l.heads.getFirst();
        assertSame(HttpMethod.POST, h.method());
        assertEquals(46, h.contentLength());
        assertTrue(h.hasBody());
        assertEquals("{\"item\":\"book\",\"quantity\":2,\"note\":\"gift\\r\\n\"}", body(l, 0));
        // the CRLF after the body is an empty line before a next request (RFC 9112 §2.2), not an error
        assertEquals(2, l.events.size());
    }

    @Test
    void chunkedUploadWithExtensionsAndTrailers() {
        RecordingListener l = decode(SampleRequests.CHUNKED_UPLOAD);
        HttpRequestHead h = l.heads.getFirst();
        assertTrue(h.isChunked());
        assertEquals(-1, h.contentLength());
        assertEquals("files.example.com:8443", h.authority());
        assertEquals("id,name,amount\r\n1,alpha,10\r\n2,beta,200\r\n3,gamma\n", body(l, 0));
        HttpFields trailers = l.trailers.getFirst();
        assertEquals(2, trailers.size());
        assertEquals("9f86d081", trailers.get("x-checksum"));
        assertEquals("3", trailers.get("X-Rows"));
    }

    @Test
    void pipelinedPairInOrder() {
        RecordingListener l = decode(SampleRequests.PIPELINED_PAIR);
        assertEquals(2, l.completed());
        assertEquals("/form", l.heads.get(0).target());
        assertEquals("a=1&b=2&c=3", body(l, 0));
        assertEquals("/after-form", l.heads.get(1).target());
        assertFalse(l.heads.get(1).keepAlive());
        assertTrue(l.heads.get(0).keepAlive());
    }

    @Test
    void http10KeepAlive() {
        HttpRequestHead h = decode(SampleRequests.HTTP_1_0).heads.getFirst();
        assertSame(HttpVersion.HTTP_1_0, h.version());
        assertEquals(0, h.minorVersion());
        assertTrue(h.keepAlive(), "Connection: Keep-Alive, case-insensitive");
    }

    @Test
    void absoluteForm() {
        HttpRequestHead h = decode(SampleRequests.ABSOLUTE_FORM).heads.getFirst();
        assertSame(RequestTargetForm.ABSOLUTE, h.targetForm());
        assertEquals("proxy.example.net:3128", h.authority());
        assertEquals("/resource/item", h.path());
        assertEquals("id=42", h.query());
        assertEquals("http://proxy.example.net:3128/resource/item?id=42", h.target());
    }

    @Test
    void expectContinue() {
        RecordingListener l = decode(SampleRequests.EXPECT_CONTINUE);
        assertTrue(l.heads.getFirst().expectsContinue());
        assertEquals("hello", body(l, 0));
    }

    @Test
    void optionsAsteriskAfterEmptyLines() {
        HttpRequestHead h = decode(SampleRequests.OPTIONS_ASTERISK_AFTER_EMPTY_LINES).heads.getFirst();
        assertSame(HttpMethod.OPTIONS, h.method());
        assertSame(RequestTargetForm.ASTERISK, h.targetForm());
        assertEquals("*", h.path());
        assertNull(h.query());
    }

    @Test
    void connectAuthorityForm() {
        HttpRequestHead h = decode(SampleRequests.CONNECT).heads.getFirst();
        assertSame(HttpMethod.CONNECT, h.method());
        assertSame(RequestTargetForm.AUTHORITY, h.targetForm());
        assertEquals("db.internal:5432", h.authority());
        assertEquals("", h.path());
    }

    @Test
    void headIsRecognised() {
        HttpRequestHead h = decode(SampleRequests.HEAD).heads.getFirst();
        assertTrue(h.isHeadRequest());
        assertEquals(List.of("bytes=0-"), h.getAll(HttpHeader.RANGE.canonicalName()));
    }
}
