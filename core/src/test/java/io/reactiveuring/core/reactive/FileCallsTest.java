package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.TestPipe;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.ops.FileStat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FileCallsTest {
    UringLoop loop;
    LeakDetector leaks;
    BufferAllocator allocator;
    long fdsBefore;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        fdsBefore = UringTestSupport.openFds();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("file-calls-test"));
        leaks = new LeakDetector();
        allocator = BufferAllocator.pooled(leaks);
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.staleCompletions());
            leaks.assertNoLeaks();
            allocator.close();
            assertEquals(fdsBefore, UringTestSupport.openFds(), "fd leaked");
        }
    }

    <T> TestSubscriber<T> run(java.util.function.Supplier<? extends OpCall<T>> call, OpOptions options)
            throws Exception {
        TestSubscriber<T> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, call, options).subscribe(s);
        assertTrue(s.await(), "terminated");
        return s;
    }

    int open(Path p, int flags) throws Exception {
        TestSubscriber<Integer> s = run(FileCalls.openat(FileFlags.AT_FDCWD, p.toString(), flags,
                (flags & FileFlags.O_CREAT) != 0 ? 0644 : 0, allocator),
                OpOptions.DEFAULT);
        assertNull(s.error);
        return s.values.get(0);
    }

    @Test
    void openReadStatxAndCloseAFileByteExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f.txt");
        Files.writeString(file, "0123456789abcdef");
        int fd = open(file, FileFlags.O_RDONLY);
        TestSubscriber<UringBuffer> read = run(FileCalls.read(fd, 8, 4, allocator, null),
                OpOptions.DEFAULT.withPollRetry(PollRetry.USER));
        UringBuffer b = read.values.get(0);
        assertEquals("456789ab", new String(b.toByteArray(), StandardCharsets.US_ASCII));
        b.release();
        TestSubscriber<FileStat> stat = run(FileCalls.statx(FileFlags.AT_FDCWD, file.toString(), 0,
                FileFlags.STATX_BASIC_STATS, allocator), OpOptions.DEFAULT);
        assertEquals(16, stat.values.get(0).size());
        TestSubscriber<Integer> closed = run(FileCalls.close(fd), OpOptions.DEFAULT);
        assertEquals(List.of(0), closed.values);
    }

    @Test
    void writeRetainsTheCallersBufferOnlyWhileInFlight(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.txt");
        int fd = open(file, FileFlags.O_WRONLY | FileFlags.O_CREAT);
        UringBuffer data = allocator.copyOf("written by the ring".getBytes(StandardCharsets.US_ASCII));
        TestSubscriber<Integer> w = run(FileCalls.write(fd, data, 0), OpOptions.DEFAULT);
        assertEquals(List.of(19), w.values);
        assertEquals(1, data.refCnt(), "the subscription's reference was released");
        data.release();
        run(FileCalls.fsync(fd), OpOptions.DEFAULT);
        run(FileCalls.close(fd), OpOptions.DEFAULT);
        assertEquals("written by the ring", Files.readString(file));
    }

    @Test
    void openingAMissingFileIsENOENT(@TempDir Path dir) throws Exception {
        TestSubscriber<Integer> s = run(FileCalls.openat(FileFlags.AT_FDCWD, dir.resolve("nope").toString(),
                FileFlags.O_RDONLY, 0, allocator), OpOptions.DEFAULT);
        java.nio.file.NoSuchFileException e = assertInstanceOf(java.nio.file.NoSuchFileException.class, s.error);
        assertEquals(Errno.ENOENT, assertInstanceOf(io.reactiveuring.core.UringError.class, e).errno());
        assertEquals(dir.resolve("nope").toString(), e.getFile(), "the exception names the file");
        assertTrue(e.getMessage().contains("ENOENT (2) from OPENAT " + dir.resolve("nope")), e.getMessage());
    }

    @Test
    void streamReadOnAPipeInUserModeWaitsForDataThroughAPoll() throws Exception {
        try (TestPipe pipe = new TestPipe()) {
            int r = pipe.readFd;
            int w = pipe.writeFd;
            TestSubscriber<UringBuffer> s = new TestSubscriber<>(1);
            new OneShotPublisher<>(loop, FileCalls.readStream(r, 32, allocator, null),
                    OpOptions.DEFAULT.withPollRetry(PollRetry.USER)).subscribe(s);
            UringBuffer data = allocator.copyOf("through the pipe".getBytes(StandardCharsets.US_ASCII));
            TestSubscriber<Integer> written = run(FileCalls.writeStream(w, data), OpOptions.DEFAULT);
            data.release();
            assertEquals(List.of(16), written.values);
            assertTrue(s.await());
            UringBuffer got = s.values.get(0);
            assertEquals("through the pipe", new String(got.toByteArray(), StandardCharsets.US_ASCII));
            got.release();
            assertTrue(loop.stats().pollArmedCount() >= 1);
        }
    }

    @Test
    void cancelledReadHandsItsBufferToTheDiscardHookAfterTheFinalCqe() throws Exception {
        try (TestPipe pipe = new TestPipe()) {
            int r = pipe.readFd;
            int w = pipe.writeFd;
            TestSubscriber<UringBuffer> s = new TestSubscriber<>(1);
            new OneShotPublisher<>(loop, FileCalls.readStream(r, 32, allocator, null)).subscribe(s);
            TestSubscriber<Integer> barrier = run(() -> Call.of(io.reactiveuring.core.engine.OpSpec.nop()),
                    OpOptions.DEFAULT);
            assertNull(barrier.error);
            assertEquals(1, allocator.liveBuffers(), "the read's buffer is owned while in flight");
            s.subscription.cancel();
            TestSubscriber<Integer> after = run(() -> Call.of(io.reactiveuring.core.engine.OpSpec.nop()),
                    OpOptions.DEFAULT);
            assertNull(after.error);
            assertEquals(0, s.terminals.get());
            assertEquals(0, allocator.liveBuffers(), "released after the final CQE");
        }
    }
}
