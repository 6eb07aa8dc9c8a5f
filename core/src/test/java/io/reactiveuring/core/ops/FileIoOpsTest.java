package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.RecordingOperation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_KEEP_SIZE;
import static io.reactiveuring.core.linux.FileFlags.O_CREAT;
import static io.reactiveuring.core.linux.FileFlags.O_RDONLY;
import static io.reactiveuring.core.linux.FileFlags.O_RDWR;
import static io.reactiveuring.core.linux.FileFlags.O_WRONLY;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data ops over temp files and pipes, byte-exact: readv/writev, fixed buffers, fsync, fallocate, splice, links. */
class FileIoOpsTest extends FileOpsFixture {
    @TempDir
    Path dir;

    @Test
    void writevGathersSeveralIovecsAndReadvScattersThemBackByteExact() throws Exception {
        byte[] a = pattern(10, 1);
        byte[] b = pattern(4000, 2);
        byte[] c = pattern(123, 3);
        Path file = dir.resolve("vec");
        int fd = open(file, O_RDWR | O_CREAT, 0644);

        OpMemory wm = memory();
        UringBuffer ba = wm.hold(allocator.copyOf(a));
        UringBuffer bb = wm.hold(allocator.copyOf(b));
        UringBuffer bc = wm.hold(allocator.copyOf(c));
        int written = run(FileOps.writev(fd, 7, wm, ba.readableSegment(), bb.readableSegment(),
                bc.readableSegment()), wm);
        assertEquals(a.length + b.length + c.length, written);

        byte[] expected = new byte[7 + written];
        System.arraycopy(a, 0, expected, 7, a.length);
        System.arraycopy(b, 0, expected, 7 + a.length, b.length);
        System.arraycopy(c, 0, expected, 7 + a.length + b.length, c.length);
        assertArrayEquals(expected, Files.readAllBytes(file));

        // read back into differently cut targets: 1000 + 3 + the rest
        OpMemory rm = memory();
        UringBuffer t1 = buffer(1000);
        UringBuffer t2 = buffer(3);
        UringBuffer t3 = buffer(written - 1003);
        int read = run(FileOps.readv(fd, 7, rm, t1.writableSegment(), t2.writableSegment(), t3.writableSegment()),
                rm);
        assertEquals(written, read);
        byte[] back = new byte[written];
        MemorySegment.copy(t1.segment(), JAVA_BYTE, 0, back, 0, 1000);
        MemorySegment.copy(t2.segment(), JAVA_BYTE, 0, back, 1000, 3);
        MemorySegment.copy(t3.segment(), JAVA_BYTE, 0, back, 1003, written - 1003);
        assertArrayEquals(Arrays.copyOfRange(expected, 7, expected.length), back);
    }

    @Test
    void writeFixedAndReadFixedGoThroughRegisteredBuffersByteExact() throws Exception {
        RegisteredBuffers buffers = onLoop(() -> RegisteredBuffers.register(loop, 2, 64 * 1024));
        try {
            byte[] data = pattern(5000, 4);
            MemorySegment source = buffers.buffer(0).asSlice(100, data.length);
            MemorySegment.copy(data, 0, source, JAVA_BYTE, 0, data.length);
            Path file = dir.resolve("fixed");
            int fd = open(file, O_RDWR | O_CREAT, 0600);

            assertEquals(data.length, run(FileOps.writeFixed(fd, buffers, 0, source, 0)));
            assertArrayEquals(data, Files.readAllBytes(file));

            MemorySegment target = buffers.buffer(1).asSlice(4096, data.length);
            assertEquals(data.length, run(FileOps.readFixed(fd, buffers, 1, target, 0)));
            assertArrayEquals(data, target.toArray(JAVA_BYTE));
        } finally {
            onLoop(() -> {
                buffers.unregister();
                return null;
            });
        }
    }

    @Test
    void fsyncAndDataOnlyFsyncSucceedWithZero() throws Exception {
        Path file = dir.resolve("sync");
        int fd = open(file, O_WRONLY | O_CREAT, 0600);
        UringBuffer data = buffer(pattern(300, 5));
        assertEquals(300, run(OpSpec.write(fd, data.readableSegment(), 0)));
        assertEquals(0, run(FileOps.fsync(fd)));
        assertEquals(0, run(FileOps.fdatasync(fd)));
        assertEquals(Errno.EBADF, -run(FileOps.fsync(1_000_000)), "fsync of a closed fd");
    }

    @Test
    void fallocateGrowsTheFileAndKeepSizeDoesNot() throws Exception {
        Path file = dir.resolve("falloc");
        int fd = open(file, O_RDWR | O_CREAT, 0600);
        assertEquals(0, Files.size(file));
        assertEquals(0, run(FileOps.fallocate(fd, 0, 0, 1 << 20)));
        assertEquals(1 << 20, Files.size(file));
        assertEquals(0, run(FileOps.fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20)));
        assertEquals(1 << 20, Files.size(file));
    }

    @Test
    void spliceMovesFileToPipeToFileByteExact() throws Exception {
        byte[] data = pattern(10_000, 6);
        Path in = dir.resolve("in");
        Files.write(in, data);
        Path out = dir.resolve("out");
        int fdIn = open(in, O_RDONLY, 0);
        int fdOut = open(out, O_WRONLY | O_CREAT, 0600);
        int[] pipe = pipe();

        assertEquals(data.length, run(FileOps.splice(fdIn, 0, pipe[1], -1, data.length, 0)));
        assertEquals(data.length, run(FileOps.splice(pipe[0], -1, fdOut, 0, data.length, 0)));
        assertArrayEquals(data, Files.readAllBytes(out));
    }

    @Test
    void linkedWriteThenFsyncBothSucceed() throws Exception {
        Path file = dir.resolve("linked");
        int fd = open(file, O_WRONLY | O_CREAT, 0600);
        byte[] data = pattern(8192, 7);
        UringBuffer buf = buffer(data);
        RecordingOperation write = new RecordingOperation(OpSpec.write(fd, buf.readableSegment(), 0));
        RecordingOperation sync = new RecordingOperation(FileOps.fsync(fd));
        loop.submitLinked(write, sync);
        assertEquals(data.length, write.awaitRes());
        assertEquals(0, sync.awaitRes());
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    /**
     * A short write breaks the link. The short write is a 128 KiB WRITE into an empty pipe: a pipe holds 64 KiB by
     * default (16 pages; less if the user exceeds pipe-user-pages-soft), the first non-blocking attempt writes what
     * fits and, as a pipe is not a regular file, io_uring completes the op with that count instead of retrying the
     * rest. res != len fails the link, so the linked write to a file never runs.
     */
    @Test
    void shortWriteToAPipeBreaksTheLinkAndTheNextOpEndsWithEcanceled() throws Exception {
        int[] pipe = pipe();
        byte[] data = pattern(128 * 1024, 8);
        UringBuffer buf = buffer(data);
        Path file = dir.resolve("never-written");
        int fd = open(file, O_WRONLY | O_CREAT, 0600);
        UringBuffer second = buffer(pattern(100, 9));

        RecordingOperation shortWrite = new RecordingOperation(OpSpec.write(pipe[1], buf.readableSegment(), -1));
        RecordingOperation next = new RecordingOperation(OpSpec.write(fd, second.readableSegment(), 0));
        loop.submitLinked(shortWrite, next);
        int written = shortWrite.awaitRes();
        assertTrue(written > 0 && written < data.length, "expected a short write, got " + written);
        assertEquals(-Errno.ECANCELED, next.awaitRes());
        assertEquals(0, Files.size(file), "the op after the broken link must not have run");

        // what the pipe took is exactly the head of the data
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment drained = arena.allocate(written);
            long got = 0;
            while (got < written) {
                long n = LibC.read(pipe[0], drained.asSlice(got), written - got);
                assertTrue(n > 0, "pipe read: " + n);
                got += n;
            }
            assertArrayEquals(Arrays.copyOf(data, written), drained.toArray(JAVA_BYTE));
        }
    }

    @Test
    void shortReadAtEndOfFileBreaksTheLinkAndTheNextOpEndsWithEcanceled() throws Exception {
        byte[] data = pattern(100, 10);
        Path in = dir.resolve("short");
        Files.write(in, data);
        Path out = dir.resolve("untouched");
        int fdIn = open(in, O_RDONLY, 0);
        int fdOut = open(out, O_WRONLY | O_CREAT, 0600);
        UringBuffer target = buffer(4096);
        UringBuffer other = buffer(pattern(10, 11));

        RecordingOperation read = new RecordingOperation(OpSpec.read(fdIn, target.writableSegment(), 0));
        RecordingOperation next = new RecordingOperation(OpSpec.write(fdOut, other.readableSegment(), 0));
        loop.submitLinked(read, next);
        assertEquals(data.length, read.awaitRes());
        assertEquals(-Errno.ECANCELED, next.awaitRes());
        assertEquals(0, Files.size(out));
        assertArrayEquals(data, target.segment().asSlice(0, data.length).toArray(JAVA_BYTE));
    }

    private int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            assertEquals(0, LibC.pipe2(fds, LibC.O_CLOEXEC));
            return new int[] {track(fds.getAtIndex(JAVA_INT, 0)), track(fds.getAtIndex(JAVA_INT, 1))};
        }
    }
}
