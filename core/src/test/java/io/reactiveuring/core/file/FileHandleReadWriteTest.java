package io.reactiveuring.core.file;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.ops.FileStat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_KEEP_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Byte-exact positional reads and writes at every boundary (0 and 1 byte, a page ± 1, 64 MiB, at and past the end
 * of the file), with registered files and buffers on (the default) and off.
 */
class FileHandleReadWriteTest extends FileTestBase {
    static final int PAGE = 4096;

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, PAGE - 1, PAGE, PAGE + 1, 64 * 1024, 64 * 1024 + 1, 64 << 20})
    void readReturnsExactlyTheFileBytes(int size) throws Exception {
        byte[] content = pattern(size, size);
        Path p = fileOf("f", content);
        FileHandle h = open(p);
        UringBuffer b = await(h.read(0, size));
        try {
            assertArrayEquals(content, b.toByteArray());
        } finally {
            b.release();
        }
        // asking for more than there is: a short read, exactly the rest
        if (size > 0) {
            UringBuffer tail = await(h.read(size - 1, 10));
            try {
                assertArrayEquals(new byte[] {content[size - 1]}, tail.toByteArray());
            } finally {
                tail.release();
            }
        }
        await(h.close());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, PAGE - 1, PAGE, PAGE + 1, 64 << 20})
    void writeThenFsyncThenReadBackIsByteExact(int size) throws Exception {
        byte[] content = pattern(size, 7 + size);
        Path p = dir.resolve("w");
        FileHandle h = open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        UringBuffer data = allocator.copyOf(content);
        try {
            assertEquals(size, await(h.write(0, data)));
            assertEquals(0, data.readerIndex(), "a write does not move the buffer's indices");
        } finally {
            data.release();
        }
        assertEquals(0, await(h.fsync()));
        assertEquals(size, await(h.size()));
        assertArrayEquals(content, Files.readAllBytes(p));
        UringBuffer back = await(h.read(0, size + 1));
        try {
            assertArrayEquals(content, back.toByteArray());
        } finally {
            back.release();
        }
        await(h.close());
    }

    @Test
    void readAtAndPastTheEndIsEmpty() throws Exception {
        Path p = fileOf("f", pattern(100, 1));
        FileHandle h = open(p);
        for (long at : new long[] {100, 101, 1L << 40}) {
            UringBuffer b = await(h.read(at, 4096));
            assertEquals(0, b.readableBytes(), "at " + at);
            b.release();
        }
        UringBuffer none = await(h.read(0, 0));
        assertEquals(0, none.readableBytes());
        none.release();
        await(h.close());
    }

    @Test
    void readIntoACallersBufferAdvancesItsWriterIndex() throws Exception {
        byte[] content = pattern(10_000, 3);
        FileHandle h = open(fileOf("f", content));
        UringBuffer target = allocator.allocate(6000);
        try {
            target.writeBytes(new byte[] {42});
            assertEquals(5999, await(h.read(0, target)));
            assertEquals(6000, target.writerIndex());
            byte[] got = target.toByteArray();
            assertEquals(42, got[0]);
            assertArrayEquals(Arrays.copyOf(content, 5999), Arrays.copyOfRange(got, 1, 6000));
            target.clear();
            assertEquals(10_000 - 9000, await(h.read(9000, target)), "short at the end");
            assertEquals(0, await(h.read(10_000, target.clear())), "0 at the end");
        } finally {
            target.release();
        }
        await(h.close());
    }

    @Test
    void readvAndWritevMoveTheBytesOfEveryBufferInOrder() throws Exception {
        Path p = dir.resolve("v");
        FileHandle h = open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        byte[] a = pattern(3000, 1);
        byte[] b = pattern(PAGE + 1, 2);
        byte[] c = pattern(1, 3);
        UringBuffer[] parts = {allocator.copyOf(a), allocator.copyOf(b), allocator.copyOf(c)};
        try {
            assertEquals(a.length + b.length + c.length, await(h.writev(10, parts)));
        } finally {
            for (UringBuffer x : parts) {
                x.release();
            }
        }
        byte[] all = Files.readAllBytes(p);
        assertEquals(10 + a.length + b.length + c.length, all.length);
        assertArrayEquals(new byte[10], Arrays.copyOf(all, 10), "the gap before position 10 reads as zeros");
        UringBuffer x = allocator.allocate(3000);
        UringBuffer y = allocator.allocate(PAGE + 1);
        UringBuffer z = allocator.allocate(100);
        try {
            assertEquals(a.length + b.length + c.length, await(h.readv(10, x, y, z)));
            assertArrayEquals(a, x.toByteArray());
            assertArrayEquals(b, y.toByteArray());
            assertArrayEquals(c, z.toByteArray());
        } finally {
            x.release();
            y.release();
            z.release();
        }
        await(h.close());
    }

    @Test
    void heapCopiesOfBytesAndByteBuffersAreWrittenWhole() throws Exception {
        Path p = dir.resolve("h");
        FileHandle h = open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        byte[] content = pattern(70_000, 9);
        assertEquals(content.length, await(h.write(0, content)));
        ByteBuffer bb = ByteBuffer.wrap(content, 100, 200);
        assertEquals(200, await(h.write(content.length, bb)));
        assertEquals(100, bb.position(), "the ByteBuffer's position does not move");
        byte[] expected = Arrays.copyOf(content, content.length + 200);
        System.arraycopy(content, 100, expected, content.length, 200);
        assertArrayEquals(expected, Files.readAllBytes(p));
        await(h.close());
    }

    @Test
    void fallocateTruncateSizeAndStatTellTheTruth() throws Exception {
        Path p = dir.resolve("t");
        FileHandle h = open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        assertEquals(0, await(h.fallocate(0, 0, 1 << 20)));
        assertEquals(1 << 20, await(h.size()));
        assertEquals(0, await(h.fallocate(FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20)));
        assertEquals(1 << 20, await(h.size()), "KEEP_SIZE allocates without growing");
        FileStat st = await(h.stat());
        assertTrue(st.isRegularFile());
        assertEquals(1 << 20, st.size());
        assertTrue(st.blocks() * 512 >= 2 << 20, "blocks cover both allocations: " + st.blocks());
        assertEquals(Files.getLastModifiedTime(p).toInstant(), st.modificationTime());
        assertEquals(0, await(h.truncate(1000)));
        assertEquals(1000, Files.size(p));
        assertEquals(0, await(h.truncate(5000)));
        assertEquals(5000, Files.size(p));
        assertArrayEquals(new byte[5000], Files.readAllBytes(p), "truncate extends with zeros");
        await(h.close());
    }

    @Test
    void truncateWorksThroughTheSyscallFallbackToo() throws Exception {
        Path p = fileOf("t", pattern(10_000, 1));
        RingFiles old = files.withSyscallTruncate();
        FileHandle h = await(old.open(p, StandardOpenOption.WRITE));
        assertFalse(h.ringTruncate());
        assertEquals(0, await(h.truncate(123)));
        assertEquals(123, Files.size(p));
        await(h.close());
    }

    @Test
    void appendWritesGoToTheEndWhateverThePosition() throws Exception {
        Path p = fileOf("a", pattern(10, 1));
        FileHandle h = open(p, StandardOpenOption.APPEND);
        assertEquals(3, await(h.write(0, new byte[] {1, 2, 3})));
        byte[] all = Files.readAllBytes(p);
        assertEquals(13, all.length);
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(all, 10, 13));
        await(h.close());
    }

    @Test
    void registeredFilesAndBuffersAreUsedExactlyWhenSwitchedOn() throws Exception {
        byte[] content = pattern(PAGE * 4, 5);
        FileHandle h = open(fileOf("r", content));
        boolean on = fileOptions().registeredFiles();
        for (int i = 0; i < fileOptions().fixedFileThreshold() + 2; i++) {
            UringBuffer b = await(h.read((long) i * 100, PAGE));
            try {
                assertArrayEquals(Arrays.copyOfRange(content, i * 100, i * 100 + PAGE), b.toByteArray());
                if (i > 0) {
                    // the region is registered on the loop at the first read; later reads use it
                    assertEquals(fileOptions().readsIntoRegisteredBuffers(h.openOptions()), b.isBorrowed(), "read " + i);
                }
            } finally {
                b.release();
            }
        }
        assertEquals(on, h.isRegistered(), "in the ring's file table after the threshold");
        assertEquals(0, h.resources().chunksOut(), "every registered chunk given back");
        await(h.close());
        assertFalse(h.isRegistered(), "the slot is emptied at close");
    }

    @Test
    void directHandlesReadIntoRegisteredChunksWhenRegisteredBuffersAreOn() throws Exception {
        // O_DIRECT wants aligned buffers, offsets and lengths; the registered region's chunks are page-aligned. A
        // disk file system, not tmpfs, so the flag means what it says.
        Path diskDir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "uring-direct-");
        Path p = diskDir.resolve("d");
        byte[] content = pattern(PAGE * 8, 11);
        Files.write(p, content);
        try {
            FileHandle h = open(p, StandardOpenOption.READ, UringOpenOption.DIRECT);
            assertTrue(h.openOptions().direct());
            boolean fixed = fileOptions().registeredBuffers();
            for (int i = 0; i < 3; i++) {
                UringBuffer b = await(h.read((long) i * PAGE, PAGE));
                try {
                    assertArrayEquals(Arrays.copyOfRange(content, i * PAGE, (i + 1) * PAGE), b.toByteArray());
                    if (i > 0) {
                        assertEquals(fixed, b.isBorrowed(), "read " + i + " through a registered chunk");
                    }
                } finally {
                    b.release();
                }
            }
            assertEquals(0, h.resources().chunksOut(), "every registered chunk given back");
            await(h.close());
        } finally {
            Files.deleteIfExists(p);
            Files.deleteIfExists(diskDir);
        }
    }
}
