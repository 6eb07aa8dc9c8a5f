package io.reactiveuring.samples;

import io.reactiveuring.core.Uring;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.engine.RingFeatures;
import io.reactiveuring.core.linux.IoUring;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The flagship sample: what this machine's io_uring offers and what reactive-uring chose, a round trip through a
 * ring, then a {@link Tour} of the Reactor API. Run with {@code mvn -q -B -Pflagship -DskipTests package}.
 */
public final class FeatureReport {
    private FeatureReport() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("reactive-uring feature report");
        System.out.println("  java      " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        System.out.println("  os        " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("  kernel    " + Uring.kernelRelease());
        if (!Uring.isAvailable()) {
            System.out.println("  io_uring  UNAVAILABLE: " + Uring.unavailabilityCause().getMessage());
            System.exit(2);
        }
        try (UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("feature-report"))) {
            RingFeatures f = loop.features();
            System.out.println("  io_uring  available");
            System.out.println();
            System.out.println("Setup flags chosen (fallback chain, first the kernel accepted):");
            print(f.setupFlagNames());
            System.out.println("Queue sizes: SQ " + f.sqEntries() + ", CQ " + f.cqEntries());
            System.out.println();
            System.out.println("Feature bits (IORING_FEAT_*):");
            print(f.featureNames());
            System.out.println();
            System.out.println("Supported opcodes (IORING_REGISTER_PROBE, last_op=" + f.lastOp() + "):");
            print(f.supportedOpNames());
            List<String> missing = f.unsupportedKnownOpNames();
            if (!missing.isEmpty()) {
                System.out.println("Known opcodes this kernel lacks:");
                print(missing);
            }
            System.out.println();
            System.out.println(reliedOn(f));
            System.out.println();
            roundTrips(loop);
        }
        System.out.println();
        System.out.println("A tour through the Reactor API:");
        Tour.run();
    }

    /** The feature bits the library relies on, and what it does without each. */
    private static String reliedOn(RingFeatures f) {
        return "Feature bits the library relies on:\n"
                + "   FAST_POLL " + yes(f, IoUring.IORING_FEAT_FAST_POLL)
                + " (without it: ops retry through the library's own readiness polls, PollRetry.USER)\n"
                + "   NODROP    " + yes(f, IoUring.IORING_FEAT_NODROP)
                + " (without it: the in-flight bound alone keeps the CQ from overflowing)\n"
                + "   EXT_ARG   " + yes(f, IoUring.IORING_FEAT_EXT_ARG)
                + " (without it: no bounded wait for the final CQEs when a ring ends)";
    }

    private static String yes(RingFeatures f, int bit) {
        return f.hasFeature(bit) ? "yes" : "NO ";
    }

    /**
     * Round trips of one NOP from this thread through the loop thread and back, after a warm-up: what a caller off
     * the loop pays for one op (hand-off, eventfd wake-up of a sleeping loop, the kernel, the completion back).
     */
    private static void roundTrips(UringLoop loop) throws Exception {
        int warmUp = 2_000;
        int measured = 2_000;
        long[] nanos = new long[measured];
        for (int i = 0; i < warmUp + measured; i++) {
            CompletableFuture<Integer> nop = new CompletableFuture<>();
            long t0 = System.nanoTime();
            loop.submit(new UringOperation(OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    nop.complete(res);
                }
            });
            int res = nop.get(5, TimeUnit.SECONDS);
            long took = System.nanoTime() - t0;
            if (res != 0) {
                throw new IllegalStateException("NOP failed: " + res);
            }
            if (i >= warmUp) {
                nanos[i - warmUp] = took;
            }
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("NOP round trip from another thread through the loop (hand-off, wake-up, kernel, completion "
                        + "back), %d after %d warm-up: median %s, p99 %s%n", measured, warmUp,
                Tour.human(nanos[measured / 2]), Tour.human(nanos[(int) (measured * 0.99)]));
    }

    private static void print(List<String> names) {
        StringBuilder line = new StringBuilder("   ");
        for (String n : names) {
            if (line.length() + n.length() > 100) {
                System.out.println(line);
                line = new StringBuilder("   ");
            }
            line.append(' ').append(n);
        }
        System.out.println(line);
    }
}
