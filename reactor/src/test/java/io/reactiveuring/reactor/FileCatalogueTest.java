package io.reactiveuring.reactor;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.RegisteredBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.test.StepVerifier;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/** The file half of the catalogue through ReactorUring: byte-exact results, errno errors, argument checks, cancel. */
class FileCatalogueTest extends CatalogueTestBase {

    int create(Path file) {
        Integer fd = ring.open(file, FileFlags.O_RDWR | FileFlags.O_CREAT, 0600).block(TIMEOUT);
        assertNotNull(fd);
        return track(fd);
    }

    @Test
    void writesFromEveryKindOfSourceAndReadsBackByteExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        int fd = create(file);
        UringBuffer owned = allocator.copyOf(ascii("0123456789"));
        StepVerifier.create(ring.write(fd, owned, 0)).expectNext(10).expectComplete().verify(TIMEOUT);
        assertEquals(1, owned.refCnt(), "the op released its own reference after the final CQE");
        owned.release();
        StepVerifier.create(ring.write(fd, ascii("ab"), 2)).expectNext(2).expectComplete().verify(TIMEOUT);
        ByteBuffer heap = ByteBuffer.wrap(ascii("xxCDxx")).position(2).limit(4);
        StepVerifier.create(ring.write(fd, heap, 4)).expectNext(2).expectComplete().verify(TIMEOUT);
        assertEquals(2, heap.position(), "the source's position does not move");
        ByteBuffer direct = ByteBuffer.allocateDirect(2).put(ascii("EF")).flip();
        StepVerifier.create(ring.write(fd, direct, 6)).expectNext(2).expectComplete().verify(TIMEOUT);

        StepVerifier.create(ring.read(fd, 8, 1).map(CatalogueTestBase::consume))
                .expectNext("1abCDEF8")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(ring.read(fd, 8, 10).map(CatalogueTestBase::consume))
                .expectNext("").as("end of file is an empty buffer")
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals("01abCDEF89", Files.readString(file));
    }

    @Test
    void heapBytesAreCopiedAtEachSubscriptionsRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("copies");
        int fd = create(file);
        byte[] data = ascii("first");
        Mono<Integer> write = ring.write(fd, data, 0);
        StepVerifier.create(write).expectNext(5).expectComplete().verify(TIMEOUT);
        System.arraycopy(ascii("SECOND"), 0, data, 0, 5);
        StepVerifier.create(write).expectNext(5).expectComplete().verify(TIMEOUT);
        assertEquals("SECON", Files.readString(file), "the second subscription copied the array anew");
    }

    @Test
    void streamReadAndWriteThroughAPipeByteExact() {
        int[] p = fx.pipe();
        StepVerifier.create(ring.writeStream(p[1], ascii("pipe "))).expectNext(5).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.writeStream(p[1], ByteBuffer.wrap(ascii("line"))))
                .expectNext(4).expectComplete().verify(TIMEOUT);
        UringBuffer owned = allocator.copyOf(ascii("!"));
        StepVerifier.create(ring.writeStream(p[1], owned)).expectNext(1).expectComplete().verify(TIMEOUT);
        owned.release();
        StepVerifier.create(ring.readStream(p[0], 64).map(CatalogueTestBase::consume))
                .expectNext("pipe line!")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void userModeStreamReadOnAnEmptyPipeWaitsThroughAPollForData() {
        int[] p = fx.pipe();
        long armedBefore = loop.stats().pollArmedCount();
        StepVerifier.create(ring.withPollRetry(PollRetry.USER).readStream(p[0], 64).map(CatalogueTestBase::consume))
                .then(() -> {
                    barrier();
                    assertEquals(armedBefore + 1, loop.stats().pollArmedCount(), "EAGAIN armed a readiness poll");
                    fx.writeAll(p[1], "later");
                })
                .expectNext("later")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void openStatxAndCloseThroughTheRing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("meta");
        Files.write(file, new byte[1234]);
        Integer fd = ring.openat(FileFlags.AT_FDCWD, file.toString(), FileFlags.O_RDONLY, 0).block(TIMEOUT);
        assertNotNull(fd);
        track(fd);
        assertEquals(Sockets.FD_CLOEXEC, LibSocket.fcntl(fd, Sockets.F_GETFD, 0), "CLOEXEC");
        StepVerifier.create(ring.statx(FileFlags.AT_FDCWD, file.toString(), 0, FileFlags.STATX_BASIC_STATS))
                .assertNext(stat -> {
                    assertTrue(stat.isRegularFile());
                    assertEquals(1234, stat.size());
                    assertEquals(unixAttribute(file, "unix:ino"), stat.inode());
                    assertEquals(unixAttribute(file, "unix:mode"), (long) stat.mode());
                })
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(ring.close(fd)).expectNext(0).expectComplete().verify(TIMEOUT);
        forget(fd);
        assertEquals(-Errno.EBADF, LibSocket.fcntl(fd, Sockets.F_GETFD, 0), "the fd is closed");
    }

    private static long unixAttribute(Path file, String name) {
        try {
            return ((Number) Files.getAttribute(file, name)).longValue();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void openCreatesTheFileWithTheGivenMode(@TempDir Path dir) {
        Path file = dir.resolve("created");
        int fd = create(file);
        FileStat stat = ring.statx(FileFlags.AT_FDCWD, file.toString(), 0, FileFlags.STATX_BASIC_STATS)
                .block(TIMEOUT);
        assertNotNull(stat);
        assertEquals(0600, stat.permissions() & 0700);
        assertEquals(0, stat.size());
        assertTrue(fd >= 0);
    }

    @Test
    void missingFileIsENOENTForOpenAndStatx(@TempDir Path dir) {
        String missing = dir.resolve("missing").toString();
        StepVerifier.create(ring.openat(FileFlags.AT_FDCWD, missing, FileFlags.O_RDONLY, 0))
                .expectErrorSatisfies(e -> {
                    assertEquals(missing, assertInstanceOf(java.nio.file.NoSuchFileException.class, e).getFile());
                    assertEquals(Errno.ENOENT, io.reactiveuring.core.UringError.errnoOf(e));
                })
                .verify(TIMEOUT);
        StepVerifier.create(ring.statx(FileFlags.AT_FDCWD, missing, 0, FileFlags.STATX_BASIC_STATS))
                .expectErrorSatisfies(e -> {
                    assertEquals(missing, assertInstanceOf(java.nio.file.NoSuchFileException.class, e).getFile());
                    assertEquals(Errno.ENOENT, io.reactiveuring.core.UringError.errnoOf(e));
                })
                .verify(TIMEOUT);
    }

    @Test
    void closedFdIsEBADFAndTheBufferIsReleased() {
        int[] p = fx.pipe();
        int closed = p[0];
        LibC.close(closed);
        fx.forget(closed);
        StepVerifier.create(ring.readStream(closed, 16))
                .expectErrorSatisfies(e -> {
                    UringException u = assertInstanceOf(UringException.class, e);
                    assertEquals(Errno.EBADF, u.errno());
                    assertEquals("READ fd=" + closed, u.operation());
                })
                .verify(TIMEOUT);
        StepVerifier.create(ring.fsync(closed))
                .expectErrorSatisfies(e -> assertEquals(Errno.EBADF,
                        assertInstanceOf(UringException.class, e).errno()))
                .verify(TIMEOUT);
        assertEquals(0, allocator.liveBuffers(), "the read's buffer went back before the error was signalled");
    }

    @Test
    void fsyncFdatasyncAndFallocate(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sync");
        int fd = create(file);
        StepVerifier.create(ring.write(fd, ascii("durable"), 0)).expectNext(7).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.fsync(fd)).expectNext(0).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.fdatasync(fd)).expectNext(0).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.fallocate(fd, FileFlags.FALLOC_FL_KEEP_SIZE, 0, 8192))
                .expectNext(0).expectComplete().verify(TIMEOUT);
        assertEquals(7, Files.size(file), "KEEP_SIZE allocates without growing");
        StepVerifier.create(ring.fallocate(fd, 0, 0, 4096)).expectNext(0).expectComplete().verify(TIMEOUT);
        assertEquals(4096, Files.size(file));
        byte[] content = Files.readAllBytes(file);
        assertEquals("durable", new String(content, 0, 7, StandardCharsets.US_ASCII));
        for (int i = 7; i < content.length; i++) {
            assertEquals(0, content[i], "grown bytes are zero");
        }
    }

    @Test
    void spliceMovesBytesBetweenAPipeAndAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spliced");
        int fd = create(file);
        int[] p = fx.pipe();
        fx.writeAll(p[1], "through the pipe");
        StepVerifier.create(ring.splice(p[0], -1, fd, 0, 16, 0)).expectNext(16).expectComplete().verify(TIMEOUT);
        assertEquals("through the pipe", Files.readString(file));
        StepVerifier.create(ring.splice(fd, 8, p[1], -1, 8, 0)).expectNext(8).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.readStream(p[0], 64).map(CatalogueTestBase::consume))
                .expectNext("the pipe")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void gatherWriteAndScatterReadByteExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vectored");
        int fd = create(file);
        UringBuffer head = allocator.copyOf(ascii("gather-"));
        UringBuffer tail = allocator.copyOf(ascii("write"));
        StepVerifier.create(ring.writev(fd, 0, head, tail)).expectNext(12).expectComplete().verify(TIMEOUT);
        assertEquals(1, head.refCnt());
        head.release();
        tail.release();
        assertEquals("gather-write", Files.readString(file));

        UringBuffer first = allocator.allocate(4);
        UringBuffer second = allocator.allocate(16);
        StepVerifier.create(ring.readv(fd, 2, first, second)).expectNext(10).expectComplete().verify(TIMEOUT);
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
            StepVerifier.create(ring.writeFixed(fd, buffers, 0, out, 3)).expectNext(11).expectComplete()
                    .verify(TIMEOUT);
            MemorySegment in = buffers.buffer(1).asSlice(0, 64);
            StepVerifier.create(ring.readFixed(fd, buffers, 1, in, 0)).expectNext(14).expectComplete()
                    .verify(TIMEOUT);
            assertEquals("\0\0\0fixed bytes", Fixtures.text(in, 14));
            assertEquals("\0\0\0fixed bytes", Files.readString(file));
        } finally {
            onLoop(() -> {
                buffers.unregister();
                return null;
            });
        }
    }

    @Test
    void fixedBuffersOfAnotherRingAreRefusedAtAssembly() throws Exception {
        try (UringLoop other = new UringLoop(LoopOptions.defaults().withThreadName("other-ring"))) {
            CompletableFuture<RegisteredBuffers> registered = new CompletableFuture<>();
            other.execute(() -> registered.complete(RegisteredBuffers.register(other, 1, 4096)));
            RegisteredBuffers foreign = registered.get(10, TimeUnit.SECONDS);
            MemorySegment target = foreign.buffer(0).asSlice(0, 8);
            assertThrows(IllegalArgumentException.class, () -> ring.readFixed(0, foreign, 0, target, 0));
            assertThrows(IllegalArgumentException.class, () -> ring.writeFixed(0, foreign, 0, target, 0));
            CompletableFuture<Void> unregistered = new CompletableFuture<>();
            other.execute(() -> {
                foreign.unregister();
                unregistered.complete(null);
            });
            unregistered.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void badArgumentsFailAtTheCallAndNeverReachTheKernel(@TempDir Path dir) {
        String path = dir.resolve("x").toString();
        UringBuffer buf = allocator.allocate(8);
        barrier();
        long submitted = loop.submittedOperations();
        assertThrows(IllegalArgumentException.class, () -> ring.read(-1, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> ring.read(0, 8, -2), "offset below -1");
        assertThrows(IllegalArgumentException.class, () -> ring.read(0, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> ring.readStream(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> ring.write(0, buf, -2));
        assertThrows(IllegalArgumentException.class, () -> ring.write(0, new byte[1], -2));
        assertThrows(IllegalArgumentException.class, () -> ring.write(-1, ByteBuffer.allocate(1), 0));
        assertThrows(NullPointerException.class, () -> ring.write(0, (byte[]) null, 0));
        assertThrows(NullPointerException.class, () -> ring.writeStream(0, (UringBuffer) null));
        assertThrows(IllegalArgumentException.class, () -> ring.writeStream(-1, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> ring.readv(0, -2, buf));
        assertThrows(IllegalArgumentException.class, () -> ring.writev(-1, 0, buf));
        assertThrows(IllegalArgumentException.class, () -> ring.fsync(-1));
        assertThrows(IllegalArgumentException.class, () -> ring.fdatasync(-1));
        assertThrows(IllegalArgumentException.class, () -> ring.openat(FileFlags.AT_FDCWD, "a\0b",
                FileFlags.O_RDONLY, 0), "NUL in path");
        assertThrows(IllegalArgumentException.class, () -> ring.openat(FileFlags.AT_FDCWD, path,
                FileFlags.O_RDONLY, 0644), "a mode without O_CREAT");
        assertThrows(NullPointerException.class, () -> ring.open(null, FileFlags.O_RDONLY, 0));
        assertThrows(IllegalArgumentException.class, () -> ring.statx(FileFlags.AT_FDCWD, path, 0x40000000,
                FileFlags.STATX_BASIC_STATS), "unknown statx flag");
        assertThrows(IllegalArgumentException.class, () -> ring.close(-1));
        assertThrows(IllegalArgumentException.class, () -> ring.fallocate(-1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ring.splice(-1, -1, 1, -1, 1, 0));
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
        buf.release();
    }

    @Test
    void cancelOfAPendingStreamReadReleasesItsBufferWithoutDiscardingAnything() throws Exception {
        int[] p = fx.pipe();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        long cancelsBefore = loop.cancelsIssued();
        StepVerifier.create(ring.readStream(p[0], 64).doOnDiscard(Object.class, discarded::add))
                .then(() -> {
                    barrier();
                    assertEquals(1, allocator.liveBuffers(), "the kernel owns the buffer while the read is pending");
                })
                .thenCancel()
                .verify(TIMEOUT);
        awaitBuffersReleased();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "ASYNC_CANCEL was submitted");
        assertEquals(List.of(), discarded, "nothing was read, so nothing to discard");
    }

    @Test
    void streamReadCompletingAfterCancelHandsItsBufferToTheDiscardHook() throws Exception {
        int[] p = fx.pipe();
        fx.writeAll(p[1], "late bytes");
        CompletableFuture<UringBuffer> discarded = new CompletableFuture<>();
        CompletableFuture<Boolean> onLoopThread = new CompletableFuture<>();
        Mono<UringBuffer> read = ring.readStream(p[0], 64)
                .contextWrite(ctx -> Operators.enableOnDiscard(ctx, d -> {
                    onLoopThread.complete(loop.inLoop());
                    discarded.complete((UringBuffer) d);
                }));
        requestAndCancelInOneLoopTask(read);
        UringBuffer late = discarded.get(10, TimeUnit.SECONDS);
        assertTrue(onLoopThread.get());
        assertEquals("late bytes", consume(late), "the hook owns the buffer with the bytes read");
        assertEquals(0, allocator.liveBuffers());
    }

    @Test
    void anOpenedFdArrivingAfterCancelIsClosedWhenNoHookTakesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("late-open");
        Files.writeString(file, "x");
        long before = Fixtures.openIoFds();
        requestAndCancelInOneLoopTask(ring.open(file, FileFlags.O_RDONLY, 0));
        // openat runs on io-wq, so the cancel may also catch it before it opens anything: either way nothing stays.
        awaitNothingInFlight();
        assertEquals(before, Fixtures.openIoFds(), "a late fd was closed at the op's final CQE");
    }
}
