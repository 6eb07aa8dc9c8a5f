package io.reactiveuring.core.ops;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.RecordingOperation;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.FileFlags.AT_FDCWD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared set-up of the file-op tests: a loop, a leak-tracked allocator, fd accounting, and helpers that submit one
 * spec and wait for its final result. After each test: every fd the test opened is closed, the loop ends with no
 * slot in flight and no stale CQE, and every buffer (op memory included) was released by the engine.
 */
abstract class FileOpsFixture {
    UringLoop loop;
    LeakDetector leaks;
    BufferAllocator allocator;
    private long fdsBefore;
    private final List<Integer> openedFds = new ArrayList<>();
    private final List<UringBuffer> testBuffers = new ArrayList<>();

    @BeforeEach
    void startLoop() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName(getClass().getSimpleName()));
        leaks = new LeakDetector();
        allocator = BufferAllocator.pooled(leaks);
        fdsBefore = UringTestSupport.openFds();
    }

    @AfterEach
    void stopLoop() {
        if (loop == null) {
            return;
        }
        testBuffers.forEach(UringBuffer::release);
        for (int fd : openedFds) {
            assertEquals(0, LibC.close(fd), "close of fd " + fd + " opened by the test");
        }
        long fdsAfter = UringTestSupport.openFds();
        loop.close();
        assertEquals(fdsBefore, fdsAfter, "fd leak");
        assertEquals(0, loop.inFlight(), "slots still in flight");
        assertEquals(0, loop.staleCompletions(), "stale completions");
        assertEquals(0, loop.quarantinedOperations(), "quarantined operations");
        leaks.assertNoLeaks();
        allocator.close();
    }

    /** Submits {@code spec} (with {@code resource} attached, may be null) and returns its final res. */
    int run(OpSpec spec, OwnedResource resource) throws Exception {
        RecordingOperation op = new RecordingOperation(spec);
        op.attach(resource);
        loop.submit(op);
        return op.awaitRes();
    }

    int run(OpSpec spec) throws Exception {
        return run(spec, null);
    }

    OpMemory memory() {
        return OpMemory.of(allocator);
    }

    /** A buffer released after the test; {@code bytes} copied in. */
    UringBuffer buffer(byte[] bytes) {
        UringBuffer b = allocator.copyOf(bytes);
        testBuffers.add(b);
        return b;
    }

    /** An empty buffer of {@code capacity} released after the test. */
    UringBuffer buffer(int capacity) {
        UringBuffer b = allocator.allocate(capacity);
        testBuffers.add(b);
        return b;
    }

    /** Opens {@code path} through io_uring OPENAT; the fd is closed after the test unless marked {@link #closed}. */
    int open(Path path, int flags, int mode) throws Exception {
        OpMemory m = memory();
        int fd = run(FileOps.openat(AT_FDCWD, path.toString(), flags, mode, m), m);
        assertTrue(fd >= 0, "openat " + path + ": " + fd);
        openedFds.add(fd);
        return fd;
    }

    /** Marks {@code fd} as closed by the test itself. */
    void closed(int fd) {
        openedFds.remove(Integer.valueOf(fd));
    }

    /** Tracks an fd the test created by other means (pipe2), closed after the test. */
    int track(int fd) {
        openedFds.add(fd);
        return fd;
    }

    /** Runs {@code task} on the loop thread and returns its result (registration calls). */
    <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        java.util.Random r = new java.util.Random(seed);
        r.nextBytes(b);
        return b;
    }
}
