package io.reactiveuring.samples;

import io.reactiveuring.core.Uring;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.engine.RingFeatures;

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
            long t0 = System.nanoTime();
            CompletableFuture<Integer> nop = new CompletableFuture<>();
            loop.submit(new UringOperation(OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    nop.complete(res);
                }
            });
            int res = nop.get(5, TimeUnit.SECONDS);
            System.out.printf("NOP round trip through the loop thread: res=%d in %.1f us%n", res,
                    (System.nanoTime() - t0) / 1e3);
        }
        System.out.println();
        System.out.println("A tour through the Reactor API:");
        Tour.run();
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
