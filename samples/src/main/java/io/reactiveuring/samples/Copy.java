package io.reactiveuring.samples;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.file.CopyOptions;
import io.reactiveuring.reactor.ReactorUring;
import io.reactiveuring.reactor.file.UringFiles;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code cp} for large files on the ring: {@code UringFiles.copy} moves the bytes with {@code splice(2)} through a
 * pipe (no byte through the JVM), falling back to read/write where splice is refused. Progress goes to stderr: a bar
 * redrawn in place when stderr is a terminal, a plain line every second otherwise (a pipe, a log file, Maven's exec);
 * the throughput at the end.
 *
 * <pre>
 * mvn -q -B -Pflagship -DskipTests package -Dsample.main=io.reactiveuring.samples.Copy \
 *     -Dsample.args="SOURCE TARGET [--replace] [--no-splice] [--fsync]"
 * </pre>
 */
public final class Copy {
    private Copy() {
    }

    public static void main(String[] raw) throws Exception {
        List<String> args = SampleArgs.of(raw);
        List<String> paths = args.stream().filter(a -> !a.startsWith("--")).toList();
        if (paths.size() != 2) {
            System.err.println("usage: Copy SOURCE TARGET [--replace] [--no-splice] [--fsync]");
            System.exit(2);
        }
        Path source = Path.of(paths.get(0));
        Path target = Path.of(paths.get(1));
        if (Files.isDirectory(target)) {
            target = target.resolve(source.getFileName());
        }
        CopyOptions options = CopyOptions.defaults().withReplaceExisting(args.contains("--replace"))
                .withSplice(!args.contains("--no-splice")).withFsync(args.contains("--fsync"));
        long size = Files.size(source);
        boolean terminal = SampleArgs.stderrIsTerminal();
        PrintStream err = System.err;
        AtomicLong copied = new AtomicLong();
        ReactorUring ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("copy"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "copy-progress");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        Runnable report = () -> err.print(progressLine(copied.get(), size, System.nanoTime() - start, terminal));
        ticker.scheduleAtFixedRate(report, terminal ? 100 : 1000, terminal ? 100 : 1000, TimeUnit.MILLISECONDS);
        int status = 0;
        try {
            UringFiles files = ring.files();
            long total = files.copy(source, target, options, copied::set).block();
            copied.set(total);
            ticker.shutdownNow();
            ticker.awaitTermination(1, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - start;
            err.print(progressLine(total, size, nanos, terminal));
            if (terminal) {
                err.println();
            }
            double seconds = nanos / 1e9;
            err.printf("copied %s in %.2f s: %.1f MiB/s (%s)%n", SampleArgs.mib(total), seconds,
                    total / 1048576.0 / Math.max(seconds, 1e-9), options.splice() ? "splice" : "read/write");
        } catch (RuntimeException e) {
            ticker.shutdownNow();
            Throwable cause = reactor.core.Exceptions.unwrap(e); // block() wraps checked exceptions
            err.println((terminal ? "\n" : "") + "copy failed: " + cause);
            status = 1;
        } finally {
            ring.dispose();
            ring.awaitTermination(java.time.Duration.ofSeconds(5));
        }
        System.exit(status);
    }

    /** One progress report: a bar redrawn over itself ({@code \r}) on a terminal, a plain line elsewhere. */
    static String progressLine(long copied, long size, long nanos, boolean terminal) {
        double fraction = size == 0 ? 1 : Math.min(1, (double) copied / size);
        double rate = copied / 1048576.0 / Math.max(nanos / 1e9, 1e-9);
        String numbers = String.format("%s / %s (%3.0f%%) %.1f MiB/s", SampleArgs.mib(copied), SampleArgs.mib(size),
                fraction * 100, rate);
        if (!terminal) {
            return "copied " + numbers + System.lineSeparator();
        }
        int width = 40;
        int full = (int) Math.round(fraction * width);
        return "\r[" + "#".repeat(full) + " ".repeat(width - full) + "] " + numbers + "\u001b[K";
    }
}
