package io.reactiveuring.core.file;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.UringOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One ring, a leak-tracking allocator and a scratch directory per test (on tmpfs, {@code /dev/shm}, where the test
 * is about bytes, so that large files cost no disk I/O); afterwards: every handle closed, the ring ended with
 * nothing in flight and no stale completion, no buffer leaked, the process's fd count back where it was.
 */
abstract class FileTestBase {
    static final long TIMEOUT_SECONDS = 60;

    UringGroup rings;
    UringLoop loop;
    LeakDetector leaks;
    BufferAllocator allocator;
    UringOps ops;
    RingFiles files;
    Path dir;
    private long fdsBefore;

    /** The settings of the files under test; tests of both registration modes override it. */
    FileOptions fileOptions() {
        return FileOptions.defaults();
    }

    /** tmpfs if there is one, else the JVM's temporary directory. */
    static Path scratchRoot() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    @BeforeEach
    void startRing() throws IOException {
        UringTestSupport.requireUring();
        fdsBefore = UringTestSupport.openFds();
        rings = new UringGroup(1, LoopOptions.defaults().withThreadName(getClass().getSimpleName()));
        loop = rings.loop(0);
        leaks = new LeakDetector();
        allocator = BufferAllocator.pooled(leaks);
        ops = UringOps.over(rings, allocator);
        files = RingFiles.over(ops, fileOptions());
        dir = Files.createTempDirectory(scratchRoot(), "uring-files-");
    }

    @AfterEach
    void stopRing() throws Exception {
        if (rings == null) {
            return;
        }
        for (FileHandle h : files.openHandles()) {
            h.close().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        ops.dispose();
        assertTrue(ops.awaitTermination(Duration.ofSeconds(TIMEOUT_SECONDS)), "ring ended");
        assertEquals(0, loop.staleCompletions(), "stale completions");
        assertEquals(0, loop.inFlight(), "ops still in flight");
        assertEquals(0, loop.quarantinedOperations(), "quarantined ops");
        leaks.assertNoLeaks();
        assertEquals(fdsBefore, UringTestSupport.openFds(), "fd leak: open fds before vs after the test");
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** The value of a single-value publisher (null if empty); its error is rethrown as such. */
    static <T> T await(Publisher<T> p) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Callbacks.subscribe(p, (v, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(v);
            }
        });
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** The outcome of a future (a handle's close). */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** The error of a publisher that must fail. */
    static Throwable awaitError(Publisher<?> p) throws Exception {
        try {
            Object v = await(p);
            fail("expected an error, got " + v);
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    FileHandle open(Path p, java.nio.file.OpenOption... options) throws Exception {
        return await(files.open(p, options));
    }

    /** Every item of a stream, with unbounded demand; fails on its error. */
    static <T> List<T> collect(Publisher<T> p) throws Exception {
        Collector<T> c = new Collector<>(Long.MAX_VALUE);
        p.subscribe(c);
        return c.await();
    }

    /** Records a stream's items; requests {@code initial} at first. */
    static final class Collector<T> implements Subscriber<T> {
        final List<T> items = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final long initial;
        volatile Subscription subscription;

        Collector(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (initial > 0) {
                s.request(initial);
            }
        }

        @Override
        public void onNext(T t) {
            items.add(t);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        List<T> await() throws Exception {
            try {
                done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception x) {
                    throw x;
                }
                throw e;
            }
            return items;
        }
    }

    /** {@code n} bytes of a fixed pseudo-random pattern. */
    static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    Path fileOf(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }
}
