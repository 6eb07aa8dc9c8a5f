package io.reactiveuring.http.server;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.http.codec.HttpDecoderOptions;
import io.reactiveuring.http.codec.HttpFuzzCorpus;
import io.reactiveuring.http.codec.HttpRequestDecoder;
import io.reactiveuring.http.codec.RecordingListener;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The codec's seeded fuzz corpus (10,000 mutated and garbage requests) fired at the real server over sockets, eight
 * clients at a time: every input ends in a close (the client half-closes after sending), whatever the server wrote
 * is a sequence of HTTP/1.1 responses, an input the decoder refuses in its first request is answered with the
 * decoder's status, and the server still answers afterwards. No fd or buffer outlives the test (the base checks).
 */
class HttpServerFuzzTest extends HttpServerTestBase {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    @Test
    void tenThousandFuzzedRequestsEndInAResponseOrAClose() throws Exception {
        DisposableHttpServer s = bind(server().readTimeout(java.time.Duration.ofSeconds(5))
                .handle((req, res) -> res.sendString(req.receive().map(UringBuffer::readableBytes)
                        .reduce(0, Integer::sum).map(n -> req.method() + " " + n))));
        SocketAddress address = RawClient.address(s);
        List<HttpFuzzCorpus.Input> inputs = HttpFuzzCorpus.generate(20261202L, 10_000);
        AtomicInteger errorsAnswered = new AtomicInteger();
        AtomicInteger okAnswered = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t;
                results.add(pool.submit(() -> {
                    for (int i = first; i < inputs.size(); i += 8) {
                        fire(address, inputs.get(i), errorsAnswered, okAnswered);
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertTrue(errorsAnswered.get() > 1000, "inputs answered with an error status: " + errorsAnswered.get());
        assertTrue(okAnswered.get() > 100, "inputs answered with a success: " + okAnswered.get());
        try (RawClient c = new RawClient(address)) {
            assertEquals("GET 0", c.get("/after").text(), "the server still answers");
        }
    }

    private static void fire(SocketAddress address, HttpFuzzCorpus.Input input, AtomicInteger errors,
                             AtomicInteger ok) throws IOException {
        int expectedError = firstRequestError(input.bytes());
        byte[] answer;
        try (RawClient c = new RawClient(address, 10_000)) {
            try {
                c.send(input.bytes());
                c.socket.shutdownOutput();
            } catch (IOException closedEarly) {
                // the server may close before all was sent (an early error)
            }
            try {
                answer = c.readToEnd();
            } catch (SocketTimeoutException hang) {
                fail("no close within 10 s for " + input);
                return;
            } catch (IOException reset) {
                answer = new byte[0];
            }
        }
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        if (!text.isEmpty() && !text.startsWith("HTTP/1.1 ")) {
            fail("not a response for " + input + ": " + text.substring(0, Math.min(80, text.length())));
        }
        Matcher m = STATUS_LINE.matcher(text);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
            if (last >= 400) {
                errors.incrementAndGet();
            } else if (last >= 200) {
                ok.incrementAndGet();
            }
        }
        if (expectedError > 0 && !text.isEmpty()) {
            assertEquals(expectedError, last, "status for " + input + ": " + text);
        }
    }

    /** The decoder's error status if the first request of {@code bytes} is refused, else 0. */
    private static int firstRequestError(byte[] bytes) {
        RecordingListener l = new RecordingListener();
        HttpRequestDecoder d = new HttpRequestDecoder(HttpDecoderOptions.defaults(), l);
        d.feed(MemorySegment.ofArray(bytes));
        return l.error != null && l.heads.isEmpty() ? l.error.status() : 0;
    }
}
