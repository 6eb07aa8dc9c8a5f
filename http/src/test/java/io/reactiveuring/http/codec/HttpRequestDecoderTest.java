package io.reactiveuring.http.codec;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder's behaviour as a server drives it: pipelining, pausing, zero-copy bodies, errors, reentrancy. */
class HttpRequestDecoderTest {
    static final HttpDecoderOptions OPTIONS = HttpDecoderOptions.defaults();
    static final byte[] WRK = SampleRequests.bytes(SampleRequests.WRK);

    private static byte[] times(byte[] request, int n) {
        byte[] all = new byte[request.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(request, 0, all, i * request.length, request.length);
        }
        return all;
    }

    @Test
    void pipelinedRequestsInOneBufferAreAllDecodedInOrder() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sb.append("GET /r").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        RecordingListener l = Feeding.decodeWhole(OPTIONS, SampleRequests.bytes(sb.toString()));
        assertEquals(16, l.completed());
        for (int i = 0; i < 16; i++) {
            assertEquals("/r" + i, l.heads.get(i).target());
        }
    }

    @Test
    void pauseStopsAfterTheCurrentRequestAndResumeDecodesTheHeldRest() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        l.onRequestDo(h -> d.pause());
        byte[] pair = SampleRequests.bytes(SampleRequests.PIPELINED_PAIR);
        Feeding.feedPiece(d, pair, 0, pair.length);
        assertEquals(1, l.completed(), "only the first request before the pause");
        assertTrue(d.isPaused());
        assertTrue(d.inRequest());
        int firstLength = SampleRequests.PIPELINED_PAIR.indexOf("GET");
        assertEquals(pair.length - firstLength, d.bufferedBytes(), "the rest is held (copied)");

        Feeding.feedPiece(d, WRK, 0, WRK.length); // arrives while paused: held too
        assertEquals(1, l.completed());
        d.resume();
        assertEquals(2, l.completed(), "the held request, then paused again by the listener");
        assertTrue(d.isPaused());
        d.resume();
        assertEquals(3, l.completed());
        assertTrue(d.isPaused(), "the pause asked for by the last request applies at its end too");
        assertEquals("/plaintext", l.heads.get(2).target());
        assertEquals(0, d.bufferedBytes());
        d.resume();
        assertFalse(d.isPaused());
        assertFalse(d.inRequest());
    }

    @Test
    void pauseWithoutARequestInProgressAppliesAtOnce() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        d.pause();
        assertTrue(d.isPaused());
        Feeding.feedPiece(d, WRK, 0, WRK.length);
        assertEquals(0, l.heads.size());
        d.resume();
        assertEquals(1, l.completed());
    }

    @Test
    void pauseDuringAPartialHeadAppliesAtTheEndOfThatRequest() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        byte[] two = times(WRK, 2);
        Feeding.feedPiece(d, two, 0, 10);
        d.pause();
        assertFalse(d.isPaused());
        Feeding.feedPiece(d, two, 10, two.length);
        assertEquals(1, l.completed());
        assertTrue(d.isPaused());
        assertEquals(WRK.length, d.bufferedBytes());
        d.resume();
        assertEquals(2, l.completed());
    }

    @Test
    void resumeBeforeThePauseAppliesCancelsIt() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        l.onRequestDo(h -> {
            d.pause();
            d.resume();
        });
        byte[] three = times(WRK, 3);
        Feeding.feedPiece(d, three, 0, three.length);
        assertEquals(3, l.completed());
        assertFalse(d.isPaused());
    }

    @Test
    void heldBodyBytesComeFromDecoderStorage() {
        List<Boolean> nativeBodies = new ArrayList<>();
        HttpRequestDecoder[] decoder = new HttpRequestDecoder[1];
        RecordingListener l = new RecordingListener() {
            @Override
            public void onBody(MemorySegment bytes) {
                nativeBodies.add(bytes.isNative());
                super.onBody(bytes);
            }
        }.onRequestDo(h -> decoder[0].pause());
        decoder[0] = new HttpRequestDecoder(OPTIONS, l);
        byte[] posts = times(SampleRequests.bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"), 2);
        Feeding.feedPiece(decoder[0], posts, 0, posts.length);
        assertEquals(1, l.completed());
        decoder[0].resume();
        assertEquals(2, l.completed());
        assertEquals(List.of(true, false), nativeBodies, "fed memory first, then the decoder's held copy");
        assertEquals("abc", new String(l.bodies.get(1), StandardCharsets.ISO_8859_1));
    }

    @Test
    void bodyIsDeliveredAsSlicesOfTheFedMemory() {
        byte[] post = SampleRequests.bytes(SampleRequests.POST_JSON);
        List<long[]> slices = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fed = arena.allocate(post.length);
            MemorySegment.copy(post, 0, fed, ValueLayout.JAVA_BYTE, 0, post.length);
            HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, new RecordingListener() {
                @Override
                public void onBody(MemorySegment bytes) {
                    slices.add(new long[]{bytes.address() - fed.address(), bytes.byteSize()});
                    super.onBody(bytes);
                }
            });
            d.feed(fed);
        }
        int bodyStart = SampleRequests.POST_JSON.indexOf("{");
        assertEquals(1, slices.size());
        assertEquals(bodyStart, slices.getFirst()[0], "the body is the fed memory itself, not a copy");
        assertEquals(46, slices.getFirst()[1]);
    }

    @Test
    void uringBufferFeedConsumesItAndABodySliceCanBeRetainedWithoutCopying() {
        LeakDetector leaks = new LeakDetector();
        try (BufferAllocator allocator = BufferAllocator.pooled(leaks)) {
            List<UringBuffer> kept = new ArrayList<>();
            UringBuffer[] current = new UringBuffer[1];
            HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, new RecordingListener() {
                @Override
                public void onBody(MemorySegment bytes) {
                    UringBuffer b = current[0];
                    kept.add(b.slice((int) (bytes.address() - b.segment().address()), (int) bytes.byteSize()).retain());
                }
            });
            byte[] post = SampleRequests.bytes(SampleRequests.POST_JSON);
            for (int from = 0; from < post.length; from += 40) {
                UringBuffer receive = allocator.copyOf(java.util.Arrays.copyOfRange(post, from,
                        Math.min(post.length, from + 40)));
                current[0] = receive;
                d.feed(receive);
                assertEquals(0, receive.readableBytes(), "all consumed");
                receive.release();
            }
            StringBuilder body = new StringBuilder();
            for (UringBuffer b : kept) {
                body.append(new String(b.toByteArray(), StandardCharsets.ISO_8859_1));
                b.release();
            }
            assertEquals("{\"item\":\"book\",\"quantity\":2,\"note\":\"gift\\r\\n\"}", body.toString());
        }
        leaks.assertNoLeaks();
    }

    @Test
    void afterAnErrorInputIsIgnoredAndStorageDropped() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        byte[] bad = SampleRequests.bytes("GET / HTTP/1.1\r\nHost : a\r\n\r\n");
        Feeding.feedPiece(d, bad, 0, bad.length);
        assertEquals(400, l.error.status());
        assertTrue(d.isFailed());
        assertFalse(d.inRequest());
        Feeding.feedPiece(d, WRK, 0, WRK.length);
        assertEquals(1, l.events.size(), "nothing after the error");
        assertEquals(0, d.retainedBytes());
        d.pause();
        d.resume();
        assertFalse(d.isPaused());
    }

    @Test
    void errorAfterAHeadComesAfterIt() {
        RecordingListener l = Feeding.decodeWhole(OPTIONS, SampleRequests.bytes(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n"));
        assertEquals(2, l.events.size());
        assertTrue(l.events.get(0).startsWith("REQUEST POST"));
        assertEquals(400, l.error.status());
    }

    @Test
    void feedFromACallbackIsRefused() {
        HttpRequestDecoder[] d = new HttpRequestDecoder[1];
        RecordingListener l = new RecordingListener()
                .onRequestDo(h -> d[0].feed(MemorySegment.ofArray(WRK)));
        d[0] = new HttpRequestDecoder(OPTIONS, l);
        assertThrows(IllegalStateException.class, () -> d[0].feed(MemorySegment.ofArray(WRK)));
        assertTrue(d[0].isFailed(), "a listener that threw leaves the decoder failed");
        assertNull(l.error, "the listener's own exception is not reported as a decode error");
    }

    @Test
    void listenerExceptionPropagates() {
        RecordingListener l = new RecordingListener().onEndDo(() -> {
            throw new ArithmeticException("handler bug");
        });
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        assertThrows(ArithmeticException.class, () -> d.feed(MemorySegment.ofArray(WRK)));
        assertTrue(d.isFailed());
        d.feed(MemorySegment.ofArray(WRK));
        assertEquals(1, l.heads.size());
    }

    @Test
    void inRequestTellsATruncatedRequestFromAnIdleConnection() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        assertFalse(d.inRequest());
        byte[] post = SampleRequests.bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab");
        Feeding.feedPiece(d, post, 0, 5);
        assertTrue(d.inRequest(), "in the head");
        Feeding.feedPiece(d, post, 5, post.length);
        assertTrue(d.inRequest(), "in the body");
        Feeding.feedPiece(d, SampleRequests.bytes("cd"), 0, 2);
        assertFalse(d.inRequest());
        assertEquals(1, l.completed());
    }

    @Test
    void trimDropsTheStorageOfAnIdleDecoderOnly() {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, l);
        byte[] two = times(SampleRequests.bytes(SampleRequests.BROWSER), 2);
        Feeding.feedPiece(d, two, 0, 100);
        assertFalse(d.trim(), "a partial request is kept");
        Feeding.feedPiece(d, two, 100, two.length / 2);
        assertTrue(d.trim());
        assertEquals(0, d.retainedBytes());
        Feeding.feedPiece(d, two, two.length / 2, two.length);
        assertEquals(2, l.completed());
        assertEquals(l.events.get(0), l.events.get(2), "the same request decodes the same after trim");
        assertTrue(d.retainedBytes() > 0);
    }

    @Test
    void headsOutliveTheFedMemoryAndLaterRequests() {
        RecordingListener l = Feeding.decodeBytewise(OPTIONS, times(SampleRequests.bytes(SampleRequests.BROWSER), 3));
        assertEquals(3, l.heads.size());
        for (HttpRequestHead h : l.heads) {
            assertEquals("www.example.org", h.get(HttpHeader.HOST));
            assertEquals("abc-123", h.get("X-Custom-Trace"));
        }
    }

    /**
     * Allocation per request: the head object, a copy of the head's bytes and the field offsets, nothing per byte
     * or per field. Measured with the thread's allocation counter over many requests after warm-up.
     */
    @Test
    void allocatesOnlyTheHeadPerRequest() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] browser = SampleRequests.bytes(SampleRequests.BROWSER);
        int headBytes = browser.length - 2;
        int fields = 18;
        long[] count = new long[1];
        HttpDecoderListener quiet = new HttpDecoderListener() {
            @Override
            public void onRequest(HttpRequestHead head) {
                count[0] += head.size();
            }

            @Override
            public void onBody(MemorySegment bytes) {
            }

            @Override
            public void onRequestEnd(HttpFields trailers) {
                count[0]++;
            }

            @Override
            public void onError(HttpDecodeException error) {
                throw new AssertionError(error);
            }
        };
        HttpRequestDecoder d = new HttpRequestDecoder(OPTIONS, quiet);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(browser.length);
            MemorySegment.copy(browser, 0, in, ValueLayout.JAVA_BYTE, 0, browser.length);
            for (int i = 0; i < 20_000; i++) {
                d.feed(in);
            }
            int n = 20_000;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                d.feed(in);
            }
            long perRequest = (threads.getCurrentThreadAllocatedBytes() - before) / n;
            // head object (< 100 B) + byte[] of the head (16 + length) + int[] of 5 ints per field (16 + 20 per field)
            long expectedAtMost = 100 + (16 + headBytes + 7) + (16 + 20L * fields) + 16;
            assertTrue(perRequest <= expectedAtMost, "allocated " + perRequest + " B per request, at most "
                    + expectedAtMost + " expected");
        }
        assertEquals(40_000L * (fields + 1), count[0]);
    }
}
