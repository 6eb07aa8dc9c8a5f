package io.reactiveuring.benchmarks.http;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.http.codec.HttpDecodeException;
import io.reactiveuring.http.codec.HttpDecoderListener;
import io.reactiveuring.http.codec.HttpDecoderOptions;
import io.reactiveuring.http.codec.HttpFields;
import io.reactiveuring.http.codec.HttpRequestDecoder;
import io.reactiveuring.http.codec.HttpRequestHead;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Decoding one request from a pooled off-heap receive buffer, as a server's receive callback does: the wrk
 * plaintext request and a 12-header browser request, with SWAR and with byte-loop scanning (of line ends, field
 * values and the request target; names are matched a word at a time either way). Run with {@code -prof gc} for
 * B/request ({@code gc.alloc.rate.norm}); {@code cpuNs / calls} is the CPU time per request. The listener keeps the
 * last head in a field, as a server would, so that the head cannot be optimised away.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HttpDecodeBenchmark {
    /** What wrk sends for {@code wrk http://localhost:8080/plaintext}. */
    static final String WRK = "GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\n\r\n";

    /** A browser navigation with 12 fields, as Chrome sends it. */
    static final String BROWSER = "GET /app/dashboard?tab=overview HTTP/1.1\r\n"
            + "Host: www.example.org\r\n"
            + "Connection: keep-alive\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
            + "sec-ch-ua-mobile: ?0\r\n"
            + "sec-ch-ua-platform: \"Linux\"\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Referer: https://www.example.org/app/login\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r\n"
            + "\r\n";

    @Param({"wrk", "browser"})
    public String request;

    @Param({"true", "false"})
    public boolean swar;

    private BufferAllocator allocator;
    private UringBuffer receive;
    private MemorySegment input;
    private HttpRequestDecoder decoder;
    private final KeepingListener listener = new KeepingListener();

    /** Keeps the last head (it escapes, as in a server) and counts what it saw. */
    static final class KeepingListener implements HttpDecoderListener {
        HttpRequestHead last;
        long seen;

        @Override
        public void onRequest(HttpRequestHead head) {
            last = head;
            seen += head.size();
        }

        @Override
        public void onBody(MemorySegment bytes) {
            seen += bytes.byteSize();
        }

        @Override
        public void onRequestEnd(HttpFields trailers) {
            seen++;
        }

        @Override
        public void onError(HttpDecodeException error) {
            throw error;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        allocator = BufferAllocator.pooled();
        byte[] bytes = (request.equals("wrk") ? WRK : BROWSER).getBytes(StandardCharsets.ISO_8859_1);
        receive = allocator.copyOf(bytes);
        input = receive.readableSegment();
        decoder = new HttpRequestDecoder(HttpDecoderOptions.defaults().withSwarScanning(swar), listener);
        decoder.feed(input);
        if (listener.last == null || !listener.last.keepAlive()) {
            throw new IllegalStateException("the benchmark request did not decode");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        receive.release();
        allocator.close();
    }

    /**
     * One request per call: head, fields, end.
     *
     * @param cpu CPU time and call counters
     * @return what the listener saw, so the work is not dead
     */
    @Benchmark
    public long decode(CpuCounters cpu) {
        cpu.count();
        decoder.feed(input);
        return listener.seen;
    }
}
