package io.reactiveuring.rxjava;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.file.CopyOptions;
import io.reactiveuring.core.file.FileClosedException;
import io.reactiveuring.core.file.FileOptions;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.rxjava.file.RxFile;
import io.reactiveuring.rxjava.file.RxFiles;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The file API in RxJava's shape ({@code RxUring.files()}): handle ops byte-exact, chunk streams whose read-ahead
 * follows {@code request(n)}, whole-file reads and writes, copies with progress, and dispose mid-flight reaching the
 * kernel with every buffer back.
 */
class RxFilesTest extends RxTestBase {
    RxFiles files;

    @BeforeEach
    void files() {
        files = rx.files();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    RxFile open(Path path, java.nio.file.OpenOption... options) {
        return files.open(path, options).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete().values()
                .getFirst();
    }

    static <T> T value(TestObserver<T> observer) {
        return observer.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertNoErrors().assertComplete().values().getFirst();
    }

    static void done(TestObserver<Void> observer) {
        observer.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertNoErrors().assertComplete();
    }

    @Test
    void handleOpsAreByteExact(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("handle.bin");
        RxFile file = open(path, CREATE, READ, WRITE);
        assertTrue(file.isOpen());
        assertEquals(path, file.path());

        byte[] head = random(5000, 1);
        assertEquals(5000, value(file.write(0, head).test()));
        assertEquals(3, value(file.write(5000, ByteBuffer.wrap(new byte[] {7, 8, 9})).test()));
        UringBuffer a = allocator.copyOf(ascii("gather-"));
        UringBuffer b = allocator.copyOf(ascii("write"));
        assertEquals(12, value(file.writev(5003, a, b).test()));
        a.release();
        b.release();
        UringBuffer c = allocator.copyOf(ascii("!"));
        assertEquals(1, value(file.write(5015, c).test()));
        c.release();
        done(file.fsync().test());
        done(file.fdatasync().test());

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(head);
        expected.writeBytes(new byte[] {7, 8, 9});
        expected.writeBytes(ascii("gather-write!"));
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path), "the writes, byte-exact on disk");

        UringBuffer read = value(file.read(4990, 100).test());
        try {
            assertArrayEquals(Arrays.copyOfRange(expected.toByteArray(), 4990, 5016), read.toByteArray(),
                    "short only at the end of the file");
        } finally {
            read.release();
        }
        UringBuffer target = allocator.allocate(10);
        assertEquals(10, value(file.read(0, target).test()));
        assertArrayEquals(Arrays.copyOf(head, 10), target.toByteArray());
        target.release();
        UringBuffer first = allocator.allocate(7);
        UringBuffer second = allocator.allocate(5);
        assertEquals(12, value(file.readv(5003, first, second).test()));
        assertEquals("gather-", consume(first));
        assertEquals("write", consume(second));
        UringBuffer past = value(file.read(1 << 20, 16).test());
        assertEquals(0, past.readableBytes(), "none past the end");
        past.release();

        assertEquals(5016L, value(file.size().test()));
        done(file.fallocate(0, 0, 8192).test());
        assertEquals(8192L, value(file.size().test()), "fallocate mode 0 grows the file");
        done(file.fallocate(FileFlags.FALLOC_FL_KEEP_SIZE, 8192, 4096).test());
        assertEquals(8192L, Files.size(path), "KEEP_SIZE does not");
        done(file.truncate(100).test());
        FileStat stat = value(file.stat().test());
        assertEquals(100, stat.size());
        assertEquals(Files.size(path), stat.size());
        assertArrayEquals(Arrays.copyOf(head, 100), Files.readAllBytes(path), "truncated, byte-exact");

        done(file.close().test());
        assertFalse(file.isOpen());
        file.size().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertError(FileClosedException.class);
    }

    @Test
    void aChunkStreamDeliversExactlyTheRequestedChunksByteExact(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("chunks.bin");
        byte[] data = random(10 * 4096 + 123, 2);
        Files.write(path, data);

        TestSubscriber<UringBuffer> chunks = files.read(path, 4096, 4).test(0);
        barrier();
        chunks.assertEmpty(); // no demand: nothing read, nothing delivered
        chunks.request(3);
        awaitCount(chunks, 3);
        barrier();
        assertEquals(3, chunks.values().size(), "request(3) delivers exactly 3");
        assertTrue(allocator.liveBuffers() <= 3, "no read-ahead beyond the demand: " + allocator.liveBuffers());
        chunks.request(Long.MAX_VALUE);
        chunks.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertNoErrors().assertComplete();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (UringBuffer b : chunks.values()) {
            got.writeBytes(b.toByteArray());
            b.release();
        }
        assertEquals(11, chunks.values().size());
        assertArrayEquals(data, got.toByteArray());
        awaitBuffersReleased();
    }

    @Test
    void wholeFileReadsLinesAndStringsMatchTheJdk(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("text.txt");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("line ").append(i).append(i % 3 == 0 ? "\r\n" : "\n");
        }
        text.append("last, no terminator, ü");
        Files.writeString(path, text);

        assertArrayEquals(Files.readAllBytes(path), value(files.readAllBytes(path).test()));
        assertEquals(Files.readString(path), value(files.readString(path).test()));
        files.lines(path).toList().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult(Files.readAllLines(path));

        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'o', 'k', (byte) 0xC3});
        files.readString(bad).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertError(MalformedInputException.class);
        files.readAllBytes(dir.resolve("missing")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> e instanceof NoSuchFileException && UringError.errnoOf(e) == Errno.ENOENT);
        awaitBuffersReleased();
    }

    @Test
    void writingAStreamOfBuffersIsByteExact(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("written.bin");
        List<byte[]> parts = new ArrayList<>();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            byte[] p = random(1000 + i * 97, 10 + i);
            parts.add(p);
            expected.writeBytes(p);
        }
        long written = value(files.write(path, Flowable.fromIterable(parts).map(allocator::copyOf)).test());
        assertEquals(expected.size(), written);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(path));

        long synced = value(files.write(path, Flowable.just(allocator.copyOf(ascii("short"))), true).test());
        assertEquals(5, synced);
        assertEquals("short", Files.readString(path), "none of the options: truncated, as Files.write");
        awaitBuffersReleased();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void copyIsByteExactWithProgressUpToTheTotal(boolean splice, @TempDir Path dir) throws Exception {
        Path source = dir.resolve("source.bin");
        byte[] data = random(3 * 1024 * 1024 + 17, 3);
        Files.write(source, data);
        CopyOptions options = CopyOptions.defaults().withSplice(splice).withChunkSize(256 * 1024);

        List<Long> progress = new CopyOnWriteArrayList<>();
        long total = value(files.copy(source, dir.resolve("copy.bin"), options, progress::add).test());
        assertEquals(data.length, total);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("copy.bin")));
        assertFalse(progress.isEmpty());
        assertEquals(data.length, progress.getLast());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1), "progress grows: " + progress);
        }

        TestSubscriber<Long> stream = files.copyWithProgress(source, dir.resolve("copy2.bin"), options).test();
        stream.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertNoErrors().assertComplete();
        assertEquals((long) data.length, stream.values().getLast(), "the stream ends with the total");
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("copy2.bin")));

        files.copy(source, dir.resolve("copy.bin")).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(java.nio.file.FileAlreadyExistsException.class);
        awaitBuffersReleased();
    }

    /** A FIFO opened read-write: a read on it stays in the kernel until someone writes. */
    Path fifo(Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mk.waitFor(TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(0, mk.exitValue(), "mkfifo");
        return fifo;
    }

    @Test
    void disposingAPendingReadReachesTheKernelAndEveryBufferComesBack(@TempDir Path dir) throws Exception {
        // reads into the allocator's buffers (not chunks of a registered region), to count them
        files = rx.files(FileOptions.defaults().withRegisteredBuffers(false));
        RxFile file = open(fifo(dir), READ, WRITE);
        long cancelsBefore = loop.cancelsIssued();
        TestObserver<UringBuffer> read = file.read(0, 64).test();
        barrier();
        assertEquals(1, ownOpsInFlight().size(), "the read waits in the kernel");
        assertEquals(1, allocator.liveBuffers(), "its buffer is the kernel's meanwhile");
        read.dispose();
        awaitBuffersReleased();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "ASYNC_CANCEL was submitted");
        read.assertEmpty();

        TestSubscriber<UringBuffer> chunks = file.chunks(0, 4096, 4).test(3);
        barrier();
        assertEquals(3, ownOpsInFlight().size(), "reads in flight follow the demand of 3");
        long cancelsBeforeStream = loop.cancelsIssued();
        chunks.cancel();
        awaitBuffersReleased();
        assertEquals(cancelsBeforeStream + 3, loop.cancelsIssued(), "each pending read was cancelled in the kernel");
        chunks.assertEmpty();
        assertTrue(file.isOpen(), "a handle's stream leaves the file open");
        done(file.close().test());
    }

    @Test
    void disposingAPathStreamClosesItsFileAfterTheLastCqe(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("big.bin");
        Files.write(path, random(8 * 1024 * 1024, 4));
        TestSubscriber<UringBuffer> chunks = files.read(path, 64 * 1024, 8).test(2);
        awaitCount(chunks, 2);
        chunks.cancel();
        chunks.values().forEach(UringBuffer::release);
        awaitBuffersReleased();
        assertEquals(List.of(), files.core().openHandles(), "the stream's file was closed");
    }

    static void awaitCount(TestSubscriber<?> subscriber, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (subscriber.values().size() < count && System.nanoTime() - deadline < 0) {
            if (subscriber.await(10, TimeUnit.MILLISECONDS)) {
                break; // terminated
            }
        }
        assertTrue(subscriber.values().size() >= count, "got " + subscriber.values().size() + " of " + count);
    }
}
