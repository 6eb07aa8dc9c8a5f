package io.reactiveuring.benchmarks.http;

import io.reactiveuring.http.codec.HttpDecodeException;
import io.reactiveuring.http.codec.HttpDecoderListener;
import io.reactiveuring.http.codec.HttpDecoderOptions;
import io.reactiveuring.http.codec.HttpFields;
import io.reactiveuring.http.codec.HttpRequestDecoder;
import io.reactiveuring.http.codec.HttpRequestHead;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * SWAR against byte-loop scanning as an interleaved A/B in one JVM: short alternating slices of each variant, the
 * thread's CPU time per slice, then the minimum, first quartile and median per variant. On a machine shared with
 * other work, separate JMH runs of the two variants see different interference; alternating slices see the same,
 * so their order statistics compare fairly. Both decoders share the JIT's code; only the scans differ.
 *
 * <p>Run: {@code taskset -c 1 java -cp benchmarks/target/benchmarks.jar
 * io.reactiveuring.benchmarks.http.SwarVersusLoopRun [slices]}
 */
public final class SwarVersusLoopRun {
    private static Object sink;

    private SwarVersusLoopRun() {
    }

    /**
     * Runs the A/B for the wrk and the browser request and prints one line per variant.
     *
     * @param args optionally the number of measured slices (default 120)
     */
    public static void main(String[] args) {
        int slices = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        HttpDecoderListener listener = new HttpDecoderListener() {
            @Override
            public void onRequest(HttpRequestHead head) {
                sink = head;
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
        };
        try (Arena arena = Arena.ofConfined()) {
            for (String name : new String[]{"wrk", "browser"}) {
                byte[] bytes = (name.equals("wrk") ? HttpDecodeBenchmark.WRK : HttpDecodeBenchmark.BROWSER)
                        .getBytes(StandardCharsets.ISO_8859_1);
                MemorySegment input = arena.allocate(bytes.length);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, input, 0, bytes.length);
                HttpRequestDecoder[] decoders = {
                        new HttpRequestDecoder(HttpDecoderOptions.defaults().withSwarScanning(true), listener),
                        new HttpRequestDecoder(HttpDecoderOptions.defaults().withSwarScanning(false), listener)};
                int perSlice = name.equals("wrk") ? 200_000 : 40_000;
                for (int warm = 0; warm < 100; warm++) {
                    for (HttpRequestDecoder d : decoders) {
                        for (int i = 0; i < perSlice; i++) {
                            d.feed(input);
                        }
                    }
                }
                List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>());
                for (int s = 0; s < 2 * slices; s++) {
                    int v = s & 1;
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < perSlice; i++) {
                        decoders[v].feed(input);
                    }
                    cpu.get(v).add((threads.getCurrentThreadCpuTime() - start) / (double) perSlice);
                }
                for (int v = 0; v < 2; v++) {
                    List<Double> r = cpu.get(v);
                    Collections.sort(r);
                    System.out.printf("%-8s %-9s CPU ns/request: min %.1f  p25 %.1f  median %.1f%n", name,
                            v == 0 ? "SWAR" : "byte-loop", r.getFirst(), r.get(r.size() / 4), r.get(r.size() / 2));
                }
            }
        }
    }
}
