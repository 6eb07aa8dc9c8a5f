package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** READ and WRITE through the engine on a regular file (at offsets) and on a pipe, byte-exact. */
class ReadWriteTest {
    // <fcntl.h>; only used to open the test file through IORING_OP_OPENAT
    private static final int AT_FDCWD = -100;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("rw-test"));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
            assertEquals(0, loop.quarantinedOperations(), "quarantined operations");
        }
    }

    private int open(Arena arena, Path file) throws Exception {
        MemorySegment path = Ops.cString(arena, file.toString());
        int fd = Ops.run(loop, OpSpec.builder(IoUring.IORING_OP_OPENAT).fd(AT_FDCWD).addr(path.address())
                .opFlags(O_RDWR | O_CLOEXEC).len(0).build());
        assertTrue(fd >= 0, () -> "openat failed: " + Errno.name(-fd));
        return fd;
    }

    @Test
    void writesAndReadsTempFileAtOffsetsByteExact(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("data.bin"));
        byte[] head = "head-bytes".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = new byte[3000];
        new Random(7).nextBytes(tail);
        long tailOffset = 8192 + 17;
        try (Arena arena = Arena.ofConfined()) {
            int fd = open(arena, file);
            assertEquals(tail.length, Ops.run(loop, OpSpec.write(fd, Ops.nativeCopy(arena, tail), tailOffset)));
            assertEquals(head.length, Ops.run(loop, OpSpec.write(fd, Ops.nativeCopy(arena, head), 0)));

            MemorySegment readTail = arena.allocate(tail.length);
            assertEquals(tail.length, Ops.run(loop, OpSpec.read(fd, readTail, tailOffset)));
            assertArrayEquals(tail, Ops.bytes(readTail, tail.length));

            // a read that straddles the end of the file is short; one past the end reads 0 bytes (EOF)
            MemorySegment straddle = arena.allocate(100);
            assertEquals(10, Ops.run(loop, OpSpec.read(fd, straddle, tailOffset + tail.length - 10)));
            assertArrayEquals(Arrays.copyOfRange(tail, tail.length - 10, tail.length), Ops.bytes(straddle, 10));
            assertEquals(0, Ops.run(loop, OpSpec.read(fd, straddle, tailOffset + tail.length)));

            MemorySegment readHead = arena.allocate(head.length);
            assertEquals(head.length, Ops.run(loop, OpSpec.read(fd, readHead, 0)));
            assertArrayEquals(head, Ops.bytes(readHead, head.length));

            assertEquals(0, Ops.run(loop, OpSpec.builder(IoUring.IORING_OP_CLOSE).fd(fd).build()));
        }
        // what the file system holds: head at 0, a hole of zeros, tail at its offset
        byte[] onDisk = Files.readAllBytes(file);
        assertEquals(tailOffset + tail.length, onDisk.length);
        assertArrayEquals(head, Arrays.copyOfRange(onDisk, 0, head.length));
        assertArrayEquals(new byte[(int) tailOffset - head.length],
                Arrays.copyOfRange(onDisk, head.length, (int) tailOffset));
        assertArrayEquals(tail, Arrays.copyOfRange(onDisk, (int) tailOffset, onDisk.length));
    }

    @Test
    void pipeWriteThenReadIsByteExact() throws Exception {
        byte[] data = new byte[4000];
        new Random(11).nextBytes(data);
        try (TestPipe pipe = new TestPipe(); Arena arena = Arena.ofConfined()) {
            assertEquals(data.length, Ops.run(loop, OpSpec.write(pipe.writeFd, Ops.nativeCopy(arena, data), -1)));
            MemorySegment in = arena.allocate(data.length);
            assertEquals(data.length, Ops.run(loop, OpSpec.read(pipe.readFd, in, -1)));
            assertArrayEquals(data, Ops.bytes(in, data.length));
        }
    }

    @Test
    void pendingPipeReadCompletesWhenAnotherThreadWrites() throws Exception {
        byte[] data = "woken by a foreign write".getBytes(StandardCharsets.US_ASCII);
        try (TestPipe pipe = new TestPipe()) {
            Arena arena = Arena.ofShared();
            MemorySegment in = arena.allocate(64);
            ReleaseRecorder release = new ReleaseRecorder(arena::close);
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            UringOperation read = new UringOperation(OpSpec.read(pipe.readFd, in, -1)) {
                @Override
                protected void onCompletion(int res, int flags) {
                    // the buffer is still owned here: the engine releases it (closing the arena) afterwards
                    received.complete(res < 0 ? new byte[0] : Ops.bytes(in, res));
                }
            };
            read.attach(release);
            loop.submit(read);
            // the read was submitted before the NOP, so when the NOP is done the read is pending in the kernel
            assertEquals(0, Ops.run(loop, OpSpec.nop()));
            assertFalse(received.isDone(), "read completed on an empty pipe");

            Thread writer = new Thread(() -> pipe.write(data), "foreign-writer");
            writer.start();
            assertArrayEquals(data, received.get(10, TimeUnit.SECONDS));
            writer.join(10_000);
            assertSame(loop.thread(), release.released.get(10, TimeUnit.SECONDS));
            assertEquals(1, release.releases.get());
            assertFalse(in.scope().isAlive(), "the release closed the arena after the final completion");
        }
    }
}
