package io.reactiveuring.core.file;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A stream of buffers written into a file: in order, every byte, synced on request, closed before completion. */
class StreamWriterTest extends FileTestBase {

    private static List<byte[]> parts(int count, int maxSize, long seed) {
        java.util.Random r = new java.util.Random(seed);
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[r.nextInt(maxSize + 1)]; // empty parts included
            r.nextBytes(b);
            parts.add(b);
        }
        return parts;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        parts.forEach(all::writeBytes);
        return all.toByteArray();
    }

    @Test
    void buffersAreWrittenInOrderAndTheFileIsClosedBeforeTheCount() throws Exception {
        List<byte[]> parts = parts(200, 20_000, 1);
        Path p = fileOf("out", pattern(5_000_000, 9)); // longer than what is written: TRUNCATE_EXISTING by default
        long n = await(files.write(p, new BufferSource(allocator, parts, null), false));
        assertEquals(concat(parts).length, n);
        assertArrayEquals(concat(parts), Files.readAllBytes(p));
        assertTrue(files.openHandles().isEmpty(), "closed before the count was emitted");
    }

    @Test
    void withFsyncTheLastWriteIsLinkedToTheSync() throws Exception {
        for (int count : new int[] {1, 2, 37}) {
            List<byte[]> parts = parts(count, 70_000, count);
            Path p = dir.resolve("sync" + count);
            long before = loop.submittedOperations();
            long n = await(files.write(p, new BufferSource(allocator, parts, null), true));
            assertEquals(concat(parts).length, n);
            assertArrayEquals(concat(parts), Files.readAllBytes(p));
            long nonEmpty = parts.stream().filter(b -> b.length > 0).count();
            // open + one write per non-empty part + one fsync + close: no extra op
            assertEquals(nonEmpty + 3, loop.submittedOperations() - before);
        }
    }

    @Test
    void anEmptyStreamCreatesAnEmptyFile() throws Exception {
        Path p = fileOf("e", pattern(100, 1));
        assertEquals(0L, await(files.write(p, new BufferSource(allocator, List.of(), null), true)));
        assertEquals(0, Files.size(p));
    }

    @Test
    void appendAddsToTheEndOneWriteAtATime() throws Exception {
        byte[] start = pattern(1000, 1);
        Path p = fileOf("a", start);
        List<byte[]> parts = parts(50, 3000, 2);
        long n = await(files.write(p, new BufferSource(allocator, parts, null), false, StandardOpenOption.APPEND));
        assertEquals(concat(parts).length, n);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(start);
        expected.writeBytes(concat(parts));
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(p));
    }

    @Test
    void aLargeStreamAtAPositionOfAnOpenHandle() throws Exception {
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            parts.add(pattern(1 << 20, i));
        }
        Path p = dir.resolve("large");
        FileHandle h = open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        assertEquals(64L << 20, await(h.write(100, new BufferSource(allocator, parts, null), false)));
        assertTrue(h.isOpen(), "a handle's stream leaves it open");
        await(h.close());
        byte[] all = Files.readAllBytes(p);
        assertEquals(100 + (64 << 20), all.length);
        assertArrayEquals(concat(parts), java.util.Arrays.copyOfRange(all, 100, all.length));
    }

    @Test
    void anUpstreamErrorFailsTheWriteReleasesEverythingAndClosesTheFile() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        Path p = dir.resolve("err");
        Throwable e = awaitError(files.write(p, new BufferSource(allocator, parts(20, 5000, 3), boom), true));
        assertSame(boom, e);
        assertTrue(files.openHandles().isEmpty(), "closed before the error was signalled");
    }

    @Test
    void aWriteErrorCancelsUpstream() throws Exception {
        Path p = fileOf("ro", new byte[0]);
        FileHandle h = open(p, StandardOpenOption.WRITE);
        BufferSource source = new BufferSource(allocator, parts(20, 5000, 4), null);
        await(h.close());
        Throwable e = awaitError(h.write(0, source, false));
        assertInstanceOf(FileClosedException.class, e);
        assertTrue(source.cancels.get() >= 1 || source.emitted.get() == 0, "upstream cancelled");
    }
}
