package io.reactiveuring.rxjava;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.RegisteredBuffers;
import io.reactiveuring.core.reactive.FdKind;
import io.reactivex.rxjava3.core.Single;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The file half of the catalogue as RxJava types, over temp files and pipes: byte-exact results, Completable for the
 * ops whose success is 0, errnos, argument checks at the call.
 */
class RxFileOpsTest extends RxTestBase {

    int create(Path file) {
        return track(rx.open(file, FileFlags.O_RDWR | FileFlags.O_CREAT, 0600).blockingGet());
    }

    @Test
    void writesFromEveryKindOfSourceAndReadsBackByteExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        int fd = create(file);
        UringBuffer owned = allocator.copyOf(ascii("0123456789"));
        rx.write(fd, owned, 0).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(10);
        assertEquals(1, owned.refCnt(), "the op released its own reference after the final CQE");
        owned.release();
        rx.write(fd, ascii("ab"), 2).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(2);
        ByteBuffer heap = ByteBuffer.wrap(ascii("xxCDxx")).position(2).limit(4);
        rx.write(fd, heap, 4).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(2);
        assertEquals(2, heap.position(), "the source's position does not move");
        ByteBuffer direct = ByteBuffer.allocateDirect(2).put(ascii("EF")).flip();
        rx.write(fd, direct, 6).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(2);

        rx.read(fd, 8, 1).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult("1abCDEF8");
        rx.read(fd, 8, 10).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult(""); // end of file is an empty buffer
        assertEquals("01abCDEF89", Files.readString(file));
    }

    @Test
    void rawReadAndWriteOnCallerMemoryOfARegularFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("raw");
        int fd = create(file);
        rx.write(fd, bytes("caller memory"), 0, FdKind.REGULAR_FILE).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(13);
        MemorySegment in = arena.allocate(32);
        rx.read(fd, in, 7, FdKind.REGULAR_FILE).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(6);
        assertEquals("memory", ascii(in, 6));
        assertEquals("caller memory", Files.readString(file));
    }

    @Test
    void heapBytesAreCopiedAtEachSubscription(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("copies");
        int fd = create(file);
        byte[] data = ascii("first");
        Single<Integer> write = rx.write(fd, data, 0);
        write.test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(5);
        System.arraycopy(ascii("SECOND"), 0, data, 0, 5);
        write.test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(5);
        assertEquals("SECON", Files.readString(file), "the second subscription copied the array anew");
    }

    @Test
    void streamReadAndWriteThroughAPipeByteExact() {
        Pipe p = pipe();
        rx.writeStream(p.writeFd(), ascii("pipe ")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(5);
        rx.writeStream(p.writeFd(), ByteBuffer.wrap(ascii("line"))).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(4);
        UringBuffer owned = allocator.copyOf(ascii("!"));
        rx.writeStream(p.writeFd(), owned).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(1);
        owned.release();
        rx.readStream(p.readFd(), 64).map(RxTestBase::consume).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult("pipe line!");
    }

    @Test
    void userModeStreamReadOnAnEmptyPipeWaitsThroughAPollForData() throws Exception {
        Pipe p = pipe();
        long armedBefore = loop.stats().pollArmedCount();
        var read = rx.withPollRetry(PollRetry.USER).readStream(p.readFd(), 64).map(RxTestBase::consume).test();
        barrier();
        assertEquals(armedBefore + 1, loop.stats().pollArmedCount(), "EAGAIN armed a readiness poll");
        read.assertEmpty();
        writeAll(p.writeFd(), "later");
        read.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult("later");
    }

    @Test
    void openStatxAndCloseThroughTheRing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("meta");
        Files.write(file, new byte[1234]);
        int fd = track(rx.openat(FileFlags.AT_FDCWD, file.toString(), FileFlags.O_RDONLY, 0).blockingGet());
        assertEquals(Sockets.FD_CLOEXEC, LibSocket.fcntl(fd, Sockets.F_GETFD, 0), "CLOEXEC");
        FileStat stat = rx.statx(FileFlags.AT_FDCWD, file.toString(), 0, FileFlags.STATX_BASIC_STATS).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete().values().getFirst();
        assertTrue(stat.isRegularFile());
        assertEquals(1234, stat.size());
        assertEquals(((Number) Files.getAttribute(file, "unix:ino")).longValue(), stat.inode());
        rx.close(fd).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        forget(fd);
        assertEquals(-Errno.EBADF, LibSocket.fcntl(fd, Sockets.F_GETFD, 0), "the fd is closed");
    }

    @Test
    void missingFileIsENOENTForOpenAndStatx(@TempDir Path dir) {
        String missing = dir.resolve("missing").toString();
        rx.openat(FileFlags.AT_FDCWD, missing, FileFlags.O_RDONLY, 0).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> e instanceof UringError && UringError.errnoOf(e) == Errno.ENOENT);
        rx.statx(FileFlags.AT_FDCWD, missing, 0, FileFlags.STATX_BASIC_STATS).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> UringError.errnoOf(e) == Errno.ENOENT);
    }

    @Test
    void closedFdIsEBADFForSingleAndCompletableAndTheBufferIsReleased() {
        Pipe p = pipe();
        int closed = p.readFd();
        rx.close(closed).blockingAwait();
        forget(closed);
        rx.readStream(closed, 16).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> UringError.errnoOf(e) == Errno.EBADF
                        && ("READ fd=" + closed).equals(((UringError) e).operation()));
        rx.fsync(closed).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> UringError.errnoOf(e) == Errno.EBADF);
        assertEquals(0, allocator.liveBuffers(), "the read's buffer went back before the error was signalled");
    }

    @Test
    void fsyncFdatasyncAndFallocateAreCompletables(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sync");
        int fd = create(file);
        rx.write(fd, ascii("durable"), 0).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(7);
        rx.fsync(fd).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        rx.fdatasync(fd).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        rx.fallocate(fd, FileFlags.FALLOC_FL_KEEP_SIZE, 0, 8192).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        assertEquals(7, Files.size(file), "KEEP_SIZE allocates without growing");
        rx.fallocate(fd, 0, 0, 4096).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        byte[] content = Files.readAllBytes(file);
        assertEquals(4096, content.length);
        assertEquals("durable", new String(content, 0, 7, StandardCharsets.US_ASCII));
        for (int i = 7; i < content.length; i++) {
            assertEquals(0, content[i], "grown bytes are zero");
        }
    }

    @Test
    void spliceMovesBytesBetweenAPipeAndAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spliced");
        int fd = create(file);
        Pipe p = pipe();
        writeAll(p.writeFd(), "through the pipe");
        rx.splice(p.readFd(), -1, fd, 0, 16, 0).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(16);
        assertEquals("through the pipe", Files.readString(file));
        rx.splice(fd, 8, p.writeFd(), -1, 8, 0).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(8);
        rx.readStream(p.readFd(), 64).map(RxTestBase::consume).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult("the pipe");
    }

    @Test
    void gatherWriteAndScatterReadByteExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vectored");
        int fd = create(file);
        UringBuffer head = allocator.copyOf(ascii("gather-"));
        UringBuffer tail = allocator.copyOf(ascii("write"));
        rx.writev(fd, 0, head, tail).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(12);
        head.release();
        tail.release();
        assertEquals("gather-write", Files.readString(file));

        UringBuffer first = allocator.allocate(4);
        UringBuffer second = allocator.allocate(16);
        rx.readv(fd, 2, first, second).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(10);
        first.advanceWriterIndex(4);
        second.advanceWriterIndex(6);
        assertEquals("ther", consume(first));
        assertEquals("-write", consume(second));
    }

    @Test
    void fixedBufferWriteAndReadOnTheRegisteringRing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fixed");
        int fd = create(file);
        RegisteredBuffers buffers = onLoop(() -> RegisteredBuffers.register(loop, 2, 4096));
        try {
            MemorySegment out = buffers.buffer(0).asSlice(100, 11);
            out.copyFrom(MemorySegment.ofArray(ascii("fixed bytes")));
            rx.writeFixed(fd, buffers, 0, out, 3).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(11);
            MemorySegment in = buffers.buffer(1).asSlice(0, 64);
            rx.readFixed(fd, buffers, 1, in, 0).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(14);
            assertEquals("\0\0\0fixed bytes", ascii(in, 14));
            assertEquals("\0\0\0fixed bytes", Files.readString(file));
        } finally {
            onLoop(() -> {
                buffers.unregister();
                return null;
            });
        }
    }

    @Test
    void badArgumentsFailAtTheCallAndNeverReachTheKernel() throws Exception {
        UringBuffer buf = allocator.allocate(8);
        barrier();
        long submitted = loop.submittedOperations();
        assertThrows(IllegalArgumentException.class, () -> rx.read(-1, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> rx.read(0, 8, -2), "offset below -1");
        assertThrows(IllegalArgumentException.class, () -> rx.read(0, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> rx.readStream(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> rx.write(0, buf, -2));
        assertThrows(IllegalArgumentException.class, () -> rx.write(0, new byte[1], -2));
        assertThrows(IllegalArgumentException.class, () -> rx.write(-1, ByteBuffer.allocate(1), 0));
        assertThrows(NullPointerException.class, () -> rx.write(0, (byte[]) null, 0));
        assertThrows(NullPointerException.class, () -> rx.writeStream(0, (UringBuffer) null));
        assertThrows(IllegalArgumentException.class, () -> rx.readv(0, -2, buf));
        assertThrows(IllegalArgumentException.class, () -> rx.writev(-1, 0, buf));
        assertThrows(IllegalArgumentException.class, () -> rx.fsync(-1));
        assertThrows(IllegalArgumentException.class, () -> rx.fdatasync(-1));
        assertThrows(IllegalArgumentException.class, () -> rx.close(-1));
        assertThrows(IllegalArgumentException.class,
                () -> rx.openat(FileFlags.AT_FDCWD, "a\0b", FileFlags.O_RDONLY, 0), "NUL in path");
        assertThrows(NullPointerException.class, () -> rx.open(null, FileFlags.O_RDONLY, 0));
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
        buf.release();
    }
}
