package io.reactiveuring.benchmarks.http;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.http.codec.HttpDateCache;
import io.reactiveuring.http.codec.HttpDecodeException;
import io.reactiveuring.http.codec.HttpDecoderListener;
import io.reactiveuring.http.codec.HttpDecoderOptions;
import io.reactiveuring.http.codec.HttpFields;
import io.reactiveuring.http.codec.HttpHeader;
import io.reactiveuring.http.codec.HttpRequestDecoder;
import io.reactiveuring.http.codec.HttpRequestHead;
import io.reactiveuring.http.codec.HttpResponseEncoder;
import io.reactiveuring.http.codec.HttpResponseHead;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Encoding the plaintext response ({@code text/plain}, 13-byte body, Date from the shared cache) into a pooled
 * off-heap buffer and releasing it, as a server does per request. The buffer (a pool round trip of core's
 * {@code BufferAllocator}) is part of the cost; {@code -prof gc} gives B/response, {@code cpuNs / calls} the CPU
 * time per response.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HttpEncodeBenchmark {
    private BufferAllocator allocator;
    private HttpResponseEncoder encoder;
    private HttpRequestHead request;
    private final HttpResponseHead response = new HttpResponseHead().add(HttpHeader.CONTENT_TYPE, "text/plain");
    private Arena arena;
    private MemorySegment body;

    @Setup(Level.Trial)
    public void setUp() {
        allocator = BufferAllocator.pooled();
        encoder = new HttpResponseEncoder(allocator, HttpDateCache.system(), null);
        arena = Arena.ofConfined();
        byte[] hello = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
        body = arena.allocate(hello.length);
        MemorySegment.copy(MemorySegment.ofArray(hello), 0, body, 0, hello.length);
        HttpRequestHead[] head = new HttpRequestHead[1];
        new HttpRequestDecoder(HttpDecoderOptions.defaults(), new HttpDecoderListener() {
            @Override
            public void onRequest(HttpRequestHead h) {
                head[0] = h;
            }

            @Override
            public void onBody(MemorySegment bytes) {
            }

            @Override
            public void onRequestEnd(HttpFields trailers) {
            }

            @Override
            public void onError(HttpDecodeException error) {
                throw error;
            }
        }).feed(MemorySegment.ofArray(HttpDecodeBenchmark.WRK.getBytes(StandardCharsets.ISO_8859_1)));
        request = head[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        allocator.close();
    }

    /**
     * One response per call.
     *
     * @param cpu CPU time and call counters
     * @return its length, so the work is not dead
     */
    @Benchmark
    public int encodePlaintext(CpuCounters cpu) {
        cpu.count();
        UringBuffer out = encoder.encode(request, response, body);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
