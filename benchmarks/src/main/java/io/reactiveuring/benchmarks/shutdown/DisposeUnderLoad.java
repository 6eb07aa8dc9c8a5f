package io.reactiveuring.benchmarks.shutdown;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.reactor.ReactorUring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long {@code dispose()} takes with 10,000 pending reads (each holding a pooled buffer) while three other threads
 * keep subscribing, and how many ops it quarantines: the bound the shutdown promises (grace plus the time to deliver
 * and free what completed). Prints one line per round and the median, min and max.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.shutdown.DisposeUnderLoad [rounds] [pending] [loops]}
 */
public final class DisposeUnderLoad {
    private DisposeUnderLoad() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int pending = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long[] millis = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            millis[r] = round(r, pending, loops);
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf("dispose with %d pending reads, %d loop(s), 3 foreign subscribers: median %d ms "
                + "(min %d, max %d) over %d rounds; grace 2000 ms%n", pending, loops, sorted[rounds / 2], sorted[0],
                sorted[rounds - 1], rounds);
    }

    private static long round(int index, int pending, int loops) throws Exception {
        LoopOptions options = LoopOptions.defaults().withQueues(1024, 16384).withThreadName("dispose-" + index)
                .withShutdownGrace(Duration.ofSeconds(2));
        ReactorUring ring = ReactorUring.create(loops, options);
        List<Pipe> pipes = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            pipes.add(Pipe.open());
        }
        CountDownLatch ended = new CountDownLatch(pending);
        for (int i = 0; i < pending; i++) {
            ring.readStream(pipes.get(i % pipes.size()).readFd(), 4096)
                    .subscribe(UringBuffer::release, e -> ended.countDown(), ended::countDown);
        }
        ring.nop().block(Duration.ofSeconds(10)); // after it, the reads are in the kernel
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong foreign = new AtomicLong();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread p = new Thread(() -> {
                while (!stop.get()) {
                    ring.nop().subscribe(v -> { }, e -> { });
                    foreign.incrementAndGet();
                }
            });
            p.start();
            producers.add(p);
        }
        Thread.sleep(100); // let the producers run: this is a harness, not a test
        long start = System.nanoTime();
        ring.dispose();
        boolean done = ring.awaitTermination(Duration.ofSeconds(60));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        stop.set(true);
        for (Thread p : producers) {
            p.join();
        }
        long quarantined = ring.loops().stream().mapToLong(UringLoop::quarantinedOperations).sum();
        boolean allEnded = ended.await(10, TimeUnit.SECONDS);
        System.out.printf("round %d: ended=%s in %d ms, quarantined=%d, every pending read ended=%s, "
                + "foreign subscriptions=%d%n", index, done, ms, quarantined, allEnded, foreign.get());
        pipes.forEach(Pipe::close);
        return ms;
    }
}
