package io.reactiveuring.benchmarks.file;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.SqeWriter;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.file.Callbacks;
import io.reactiveuring.core.file.CopyOptions;
import io.reactiveuring.core.file.FileHandle;
import io.reactiveuring.core.file.FileOptions;
import io.reactiveuring.reactor.ReactorUring;
import io.reactiveuring.reactor.file.UringFile;
import io.reactiveuring.reactor.file.UringFiles;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The file benchmark driver: each mode runs its variants one after the other in this JVM and prints one
 * tab-separated line per run (see {@link #HEADER}); {@code benchmarks/run-files.sh} runs it in rounds next to fio and
 * summarises. Page-cache residency ({@code fincore}) is taken before and after every run.
 *
 * <ul>
 *   <li>{@code randread}: random 4 KiB reads at 4 KiB-aligned offsets over {@code --file}, {@code --depth} in flight,
 *       {@code --warmup} s, then {@code --seconds} s measured: IOPS and IOPS per CPU-second of the whole process
 *       ({@code getProcessCpuTime}: every thread, the kernel's io-wq workers of the process included; the JIT's
 *       too, hence the long default warm-up). Variants:
 *       <ul>
 *         <li>{@code uringfile}: the Reactor API: {@code Flux.range(..).flatMap(i -> file.read(pos, 4096), depth)}
 *             over {@code UringFile} (registered files and buffers as {@code FileOptions.defaults()});
 *             {@code uringfile-plain}: the same with both registrations off; {@code uringfile-directbufs}: with
 *             registered buffers for {@code O_DIRECT} handles only, so these buffered reads use pooled buffers;</li>
 *         <li>{@code handle}: core's {@code FileHandle.read} publishers, each completion subscribing the next read
 *             (no Reactor); {@code handle-plain} without registrations;</li>
 *         <li>{@code engine}: the floor: {@code depth} long-lived {@code UringOperation}s ({@code READ} into a
 *             fixed buffer), re-submitted from their completions with a new offset;</li>
 *         <li>{@code elastic}: what a Reactor user does today: {@code FileChannel} positional reads in
 *             {@code Mono.fromCallable(..).subscribeOn(Schedulers.boundedElastic())}, flatMap at {@code depth};</li>
 *         <li>{@code jdk-afc}: the JDK's {@code AsynchronousFileChannel} (its own thread pool), {@code depth}
 *             chains of reads;</li>
 *         <li>{@code blocking}: one thread, {@code FileChannel.read(buf, pos)} in a loop (depth 1 by nature).</li>
 *       </ul>
 *       With {@code --rings 2} the ring variants open the file once per ring and run {@code depth} per ring.</li>
 *   <li>{@code seqread}: the whole file, {@code --passes} times (the last one measured, the others warm the JIT
 *       up), in {@code --chunk} bytes: {@code uring-stream} (core's chunk stream,
 *       {@code FileOptions.streamWindow} reads in flight), {@code filechannel} (one thread, a direct buffer).</li>
 *   <li>{@code copy}: {@code --file} to {@code --dst} (deleted first), {@code --passes} times, the last measured: {@code uring-splice}, {@code uring-rw}
 *       (read/write fallback), {@code files-copy} ({@code Files.copy}).</li>
 * </ul>
 */
public final class FileBench {
    static final String HEADER = "mode\tvariant\tdepth\trings\tops_per_s\tmib_per_s\tcpu_s\tops_per_cpu_s\twall_s"
            + "\tresident_before\tresident_after";
    private static final int BLOCK = 4096;

    private final Map<String, String> args;
    private final Path file;

    private FileBench(Map<String, String> args) {
        this.args = args;
        this.file = Path.of(required("file"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs: " + argv[i]);
            }
            a.put(argv[i].substring(2), argv[i + 1]);
        }
        FileBench bench = new FileBench(a);
        if (a.containsKey("header")) {
            System.out.println(HEADER);
        }
        String mode = bench.required("mode");
        int passes = bench.intArg("passes", 2);
        for (String variant : bench.required("variants").split(",")) {
            switch (mode) {
                case "randread" -> bench.randread(variant);
                case "seqread" -> {
                    for (int i = 1; i <= passes; i++) {
                        bench.seqread(variant, i == passes); // the earlier passes warm the JIT up
                    }
                }
                case "copy" -> {
                    for (int i = 1; i <= passes; i++) {
                        bench.copy(variant, i == passes);
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            }
        }
        System.exit(0);
    }

    private String required(String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    private int intArg(String name, int fallback) {
        return Integer.parseInt(args.getOrDefault(name, Integer.toString(fallback)));
    }

    // ------------------------------------------------------------------------------------------- random reads

    /** A running load: started when made, counted as it runs, stopped by {@link #stop()}. */
    @FunctionalInterface
    private interface Load {
        void stop() throws Exception;
    }

    private void randread(String variant) throws Exception {
        int depth = intArg("depth", 1);
        int rings = intArg("rings", 1);
        double warmup = Double.parseDouble(args.getOrDefault("warmup", "8"));
        double seconds = Double.parseDouble(args.getOrDefault("seconds", "5"));
        long blocks = Files.size(file) / BLOCK;
        LongAdder done = new LongAdder();
        long residentBefore = resident(file);
        Load load = switch (variant) {
            case "uringfile" -> uringFile(depth, rings, blocks, done, FileOptions.defaults());
            case "uringfile-plain" -> uringFile(depth, rings, blocks, done, plain());
            case "uringfile-directbufs" -> uringFile(depth, rings, blocks, done,
                    FileOptions.defaults().withRegisteredBuffersForCachedReads(false));
            case "handle" -> handle(depth, rings, blocks, done, FileOptions.defaults());
            case "handle-plain" -> handle(depth, rings, blocks, done, plain());
            case "engine" -> engine(depth, rings, blocks, done);
            case "elastic" -> elastic(depth, blocks, done);
            case "jdk-afc" -> jdkAfc(depth, blocks, done);
            case "blocking" -> blocking(blocks, done);
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        };
        Thread.sleep((long) (warmup * 1000));
        long ops0 = done.sum();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long ops1 = done.sum();
        long cpu1 = processCpuNanos();
        long t1 = System.nanoTime();
        load.stop();
        double wall = (t1 - t0) / 1e9;
        double cpu = (cpu1 - cpu0) / 1e9;
        long ops = ops1 - ops0;
        print("randread", variant, variant.equals("blocking") ? 1 : depth, rings, ops / wall,
                ops * (double) BLOCK / wall / 1048576, cpu, ops / cpu, wall, residentBefore, resident(file));
    }

    private static FileOptions plain() {
        return FileOptions.defaults().withRegisteredFiles(false).withRegisteredBuffers(false);
    }

    private static long position(long blocks) {
        return ThreadLocalRandom.current().nextLong(blocks) * BLOCK;
    }

    private static ReactorUring ring(int rings) {
        return ReactorUring.create(rings, LoopOptions.defaults().withThreadName("bench-ring"));
    }

    /** One file per ring (round robin places them); every variant's reads of a file stay on its ring. */
    private List<UringFile> openPerRing(UringFiles files, int rings) {
        List<UringFile> opened = new ArrayList<>();
        for (int i = 0; i < rings; i++) {
            opened.add(files.open(file).block(Duration.ofSeconds(10)));
        }
        return opened;
    }

    private Load uringFile(int depth, int rings, long blocks, LongAdder done, FileOptions options) {
        ReactorUring ring = ring(rings);
        List<UringFile> opened = openPerRing(ring.files(options), rings);
        List<Disposable> running = new ArrayList<>();
        for (UringFile f : opened) {
            running.add(Flux.range(0, Integer.MAX_VALUE)
                    .flatMap(i -> f.read(position(blocks), BLOCK), depth, 1)
                    .subscribe(b -> {
                        b.release();
                        done.increment();
                    }, Throwable::printStackTrace));
        }
        return () -> {
            diagnostics("uringfile", ring);
            running.forEach(Disposable::dispose);
            for (UringFile f : opened) {
                f.close().block(Duration.ofSeconds(10));
            }
            ring.dispose();
            ring.awaitTermination(Duration.ofSeconds(10));
        };
    }

    private Load handle(int depth, int rings, long blocks, LongAdder done, FileOptions options) {
        ReactorUring ring = ring(rings);
        List<FileHandle> handles = new ArrayList<>();
        for (UringFile f : openPerRing(ring.files(options), rings)) {
            handles.add(f.handle());
        }
        AtomicBoolean stop = new AtomicBoolean();
        for (FileHandle h : handles) {
            for (int i = 0; i < depth; i++) {
                new Runnable() {
                    @Override
                    public void run() {
                        Callbacks.subscribe(h.read(position(blocks), BLOCK), (UringBuffer b, Throwable e) -> {
                            if (b != null) {
                                b.release();
                                done.increment();
                            }
                            if (e == null && !stop.get()) {
                                run(); // the next read, from the completion on the loop thread
                            }
                        });
                    }
                }.run();
            }
        }
        return () -> {
            diagnostics("handle", ring);
            stopAndClose(handles, stop);
            ring.dispose();
            ring.awaitTermination(Duration.ofSeconds(10));
        };
    }

    private static void stopAndClose(List<FileHandle> handles, AtomicBoolean stop) throws Exception {
        stop.set(true);
        for (FileHandle h : handles) {
            h.close().get(10, TimeUnit.SECONDS);
        }
    }

    private Load engine(int depth, int rings, long blocks, LongAdder done) throws Exception {
        ReactorUring ring = ring(rings);
        List<UringFile> opened = openPerRing(ring.files(plain()), rings);
        Arena arena = Arena.ofShared();
        List<EngineRead> ops = new ArrayList<>();
        for (UringFile f : opened) {
            UringLoop loop = f.handle().loop();
            for (int i = 0; i < depth; i++) {
                MemorySegment buf = arena.allocate(BLOCK, BLOCK);
                EngineRead op = new EngineRead(loop, buf, blocks, done);
                op.spec(OpSpec.read(f.handle().fd(), buf, 0));
                ops.add(op);
                loop.execute(() -> loop.submit(op));
            }
        }
        return () -> {
            for (EngineRead op : ops) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                op.loop.execute(() -> {
                    op.stop = true;
                    f.complete(null);
                });
                f.get(10, TimeUnit.SECONDS);
            }
            for (UringFile f : opened) {
                f.close().block(Duration.ofSeconds(10));
            }
            ring.dispose();
            ring.awaitTermination(Duration.ofSeconds(10)); // every op has had its final CQE: the memory can go
            arena.close();
        };
    }

    /** One read re-submitted from its own completion with a new offset: no allocation per op. */
    private static final class EngineRead extends UringOperation {
        final UringLoop loop;
        final MemorySegment buffer;
        final long blocks;
        final LongAdder done;
        long offset;
        boolean stop;

        EngineRead(UringLoop loop, MemorySegment buffer, long blocks, LongAdder done) {
            this.loop = loop;
            this.buffer = buffer;
            this.blocks = blocks;
            this.done = done;
            this.offset = position(blocks);
        }

        @Override
        protected void prepare(SqeWriter sqe) {
            sqe.off(offset);
        }

        @Override
        protected void onCompletion(int res, int flags) {
            if (res < 0) {
                if ((flags & FLAG_LOOP_TERMINATED) == 0) {
                    System.err.println("engine read failed: " + res);
                }
                return;
            }
            done.increment();
            if (!stop) {
                offset = position(blocks);
                loop.submit(this);
            }
        }
    }

    private Load elastic(int depth, long blocks, LongAdder done) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BLOCK));
        Disposable running = Flux.range(0, Integer.MAX_VALUE)
                .flatMap(i -> Mono.fromCallable(() -> ch.read(buffers.get().clear(), position(blocks)))
                        .subscribeOn(Schedulers.boundedElastic()), depth, 1)
                .subscribe(n -> done.increment(), Throwable::printStackTrace);
        return () -> {
            running.dispose();
            ch.close();
        };
    }

    private Load jdkAfc(int depth, long blocks, LongAdder done) throws IOException {
        AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.READ);
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < depth; i++) {
            ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
            ch.read(buf, position(blocks), buf, new CompletionHandler<Integer, ByteBuffer>() {
                @Override
                public void completed(Integer n, ByteBuffer b) {
                    done.increment();
                    if (!stop.get()) {
                        ch.read(b.clear(), position(blocks), b, this);
                    }
                }

                @Override
                public void failed(Throwable exc, ByteBuffer b) {
                    if (!stop.get()) {
                        exc.printStackTrace();
                    }
                }
            });
        }
        return () -> {
            stop.set(true);
            ch.close();
        };
    }

    private Load blocking(long blocks, LongAdder done) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
            try {
                while (!stop.get()) {
                    ch.read(buf.clear(), position(blocks));
                    done.increment();
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        }, "blocking-reader");
        t.start();
        return () -> {
            stop.set(true);
            t.join();
            ch.close();
        };
    }

    // ------------------------------------------------------------------------------------------- sequential, copy

    private void seqread(String variant, boolean measured) throws Exception {
        int chunk = intArg("chunk", 128 * 1024);
        long before = resident(file);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long bytes;
        switch (variant) {
            case "uring-stream" -> {
                ReactorUring ring = ring(1);
                try {
                    bytes = ring.files().read(file, chunk).map(b -> {
                        int n = b.readableBytes();
                        b.release();
                        return (long) n;
                    }).reduce(0L, Long::sum).block();
                } finally {
                    ring.dispose();
                }
            }
            case "filechannel" -> {
                bytes = 0;
                ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    int n;
                    while ((n = ch.read(buf.clear())) > 0) {
                        bytes += n;
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
        if (measured) {
            report("seqread", variant, bytes, t0, cpu0, before);
        }
    }

    private void copy(String variant, boolean measured) throws Exception {
        Path dst = Path.of(required("dst"));
        Files.deleteIfExists(dst);
        long before = resident(file);
        long cpu0;
        long t0;
        long bytes;
        switch (variant) {
            case "uring-splice", "uring-rw" -> {
                ReactorUring ring = ring(1);
                try {
                    UringFiles files = ring.files();
                    CopyOptions o = CopyOptions.defaults().withSplice(variant.equals("uring-splice"));
                    cpu0 = processCpuNanos();
                    t0 = System.nanoTime();
                    bytes = files.copy(file, dst, o, null).block();
                } finally {
                    ring.dispose();
                }
            }
            case "files-copy" -> {
                cpu0 = processCpuNanos();
                t0 = System.nanoTime();
                Files.copy(file, dst);
                bytes = Files.size(dst);
            }
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
        if (measured) {
            report("copy", variant, bytes, t0, cpu0, before);
        }
        Files.deleteIfExists(dst);
    }

    private void report(String mode, String variant, long bytes, long t0, long cpu0, long residentBefore)
            throws Exception {
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        print(mode, variant, 1, 1, 1 / wall, bytes / 1048576.0 / wall, cpu, 1 / cpu, wall, residentBefore,
                resident(file));
    }

    // ------------------------------------------------------------------------------------------- measuring

    /** The rings' counters on stderr: io_uring_enter calls and wake-ups per completion tell where time goes. */
    private static void diagnostics(String variant, ReactorUring ring) {
        for (UringLoop l : ring.loops()) {
            long c = Math.max(1, l.completionCount());
            System.err.printf(Locale.ROOT, "%s %s: %d completions, %.2f enters and %.3f wake-ups per completion%n",
                    variant, l.options().threadName(), c, l.enterCalls() / (double) c, l.wakeups() / (double) c);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Bytes of {@code p} in the page cache, from util-linux's {@code fincore}; -1 if it cannot tell. */
    static long resident(Path p) {
        try {
            Process fincore = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES",
                    p.toString()).redirectErrorStream(true).start();
            String out = new String(fincore.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return fincore.waitFor() == 0 ? Long.parseLong(out) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void print(String mode, String variant, int depth, int rings, double opsPerS, double mibPerS,
                              double cpu, double opsPerCpu, double wall, long before, long after) {
        System.out.println(String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%.0f\t%.1f\t%.3f\t%.0f\t%.3f\t%d\t%d", mode,
                variant, depth, rings, opsPerS, mibPerS, cpu, opsPerCpu, wall, before, after));
    }
}
