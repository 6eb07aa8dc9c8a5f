package io.reactiveuring.core.file;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.UringLinkBrokenException;
import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.ops.FileOps;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/** Copies through splice (and the read/write fallback), checked by checksum, also into existing files and across file systems. */
class FileCopyTest extends FileTestBase {
    static final int MIB = 1 << 20;

    /** A file of {@code mib} MiB of pseudo-random bytes (each MiB different). */
    private Path bigFile(String name, int mib) throws IOException {
        Path p = dir.resolve(name);
        byte[] block = pattern(MIB, 42);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                block[i % MIB] ^= (byte) i;
                block[(i * 7919) % MIB] ^= (byte) (i >> 3);
                ByteBuffer bb = ByteBuffer.wrap(block);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
            }
        }
        return p;
    }

    static long crc(Path p) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        try (FileChannel ch = FileChannel.open(p)) {
            while (ch.read(buf.clear()) > 0) {
                crc.update(buf.flip());
            }
        }
        return crc.getValue();
    }

    @Test
    void aCopyOf256MibMatchesByChecksumAndReportsProgress() throws Exception {
        Path src = bigFile("src", 256);
        Path dst = dir.resolve("dst");
        List<Long> progress = new CopyOnWriteArrayList<>();
        long n = await(files.copy(src, dst, CopyOptions.defaults(), progress::add));
        assertEquals(256L * MIB, n);
        assertEquals(Files.size(src), Files.size(dst));
        assertEquals(crc(src), crc(dst));
        assertFalse(progress.isEmpty());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1), "progress only grows");
        }
        assertEquals(n, progress.getLast());
        assertEquals(Files.getPosixFilePermissions(src), Files.getPosixFilePermissions(dst));
        assertTrue(files.openHandles().isEmpty());
    }

    @Test
    void aCopyIntoAnExistingFileReplacesItOnlyWhenAsked() throws Exception {
        Path src = bigFile("src", 256);
        Path dst = fileOf("existing", pattern(300 * MIB / 100, 1)); // 3 MiB of other bytes
        Files.write(dst, pattern(MIB, 5), StandardOpenOption.APPEND);
        Throwable e = awaitError(files.copy(src, dst, CopyOptions.defaults(), null));
        assertInstanceOf(FileAlreadyExistsException.class, e);
        assertEquals(Errno.EEXIST, UringError.errnoOf(e));
        long n = await(files.copy(src, dst, CopyOptions.defaults().withReplaceExisting(true), null));
        assertEquals(256L * MIB, n);
        assertEquals(crc(src), crc(dst));
        // and a longer existing target is cut to the source's size
        Path small = fileOf("small", pattern(1000, 2));
        await(files.copy(small, dst, CopyOptions.of(java.nio.file.StandardCopyOption.REPLACE_EXISTING), null));
        assertArrayEquals(Files.readAllBytes(small), Files.readAllBytes(dst));
    }

    /** Needs disk: the target is under java.io.tmpdir, the source on tmpfs. */
    @Test
    void aCopyAcrossFileSystemsFromTmpfsToDisk() throws Exception {
        Path disk = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "uring-copy-");
        try {
            Assumptions.assumeTrue(!Files.getFileStore(dir).equals(Files.getFileStore(disk)),
                    "needs the scratch directory (" + dir + ") and java.io.tmpdir on different file systems");
            assertNotEquals(Files.getFileStore(dir).type(), Files.getFileStore(disk).type());
            Path src = bigFile("src", 256);
            Path dst = disk.resolve("dst");
            assertEquals(256L * MIB, await(files.copy(src, dst, CopyOptions.defaults(), null)));
            assertEquals(crc(src), crc(dst));
        } finally {
            try (var s = Files.list(disk)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(disk);
        }
    }

    @Test
    void theReadWriteFallbackCopiesTheSameBytes() throws Exception {
        Path src = bigFile("src", 64);
        Files.write(src, pattern(12345, 3), StandardOpenOption.APPEND); // not a multiple of any chunk
        Path dst = dir.resolve("dst");
        List<Long> progress = new CopyOnWriteArrayList<>();
        long n = await(files.copy(src, dst, CopyOptions.defaults().withSplice(false), progress::add));
        assertEquals(Files.size(src), n);
        assertEquals(crc(src), crc(dst));
        assertEquals(n, progress.getLast());
    }

    @Test
    void smallEmptyAndSameFileCopies() throws Exception {
        Path empty = fileOf("empty", new byte[0]);
        assertEquals(0L, await(files.copy(empty, dir.resolve("e2"), CopyOptions.defaults(), null)));
        assertEquals(0, Files.size(dir.resolve("e2")));
        Path one = fileOf("one", new byte[] {7});
        assertEquals(1L, await(files.copy(one, dir.resolve("o2"), CopyOptions.defaults(), null)));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(dir.resolve("o2")));
        byte[] content = pattern(100_000, 4);
        Path same = fileOf("same", content);
        assertEquals(0L, await(files.copy(same, same, CopyOptions.defaults().withReplaceExisting(true), null)));
        assertArrayEquals(content, Files.readAllBytes(same), "copying a file onto itself keeps it");
    }

    @Test
    void aMissingSourceIsNoSuchFileException() throws Exception {
        Path missing = dir.resolve("nope");
        Throwable e = awaitError(files.copy(missing, dir.resolve("x"), CopyOptions.defaults(), null));
        assertInstanceOf(NoSuchFileException.class, e);
        assertTrue(e.getMessage().contains(missing.toString()));
        assertFalse(Files.exists(dir.resolve("x")));
    }

    /** The kernel behaviour the splice copy relies on: a splice that moves less than asked breaks its link. */
    @Test
    void aShortSpliceBreaksItsLink() throws Exception {
        Path src = fileOf("s", pattern(1000, 1));
        Path dst = dir.resolve("t");
        FileHandle in = open(src);
        FileHandle out = open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (Pipe pipe = Pipe.open()) {
            Collector<Integer> c = new Collector<>(Long.MAX_VALUE);
            ops.linked(FileOps.splice(in.fd(), 0, pipe.writeFd(), -1, 4096, 0),
                    FileOps.splice(pipe.readFd(), -1, out.fd(), 0, 4096, 0)).subscribe(c);
            Throwable e = assertThrows(Exception.class, c::await);
            assertEquals(List.of(1000), c.items, "the first splice moved what there was");
            assertInstanceOf(UringLinkBrokenException.class, e, "the second never ran: " + e);
        }
        await(in.close());
        await(out.close());
    }

    @Test
    void manySmallChunksThroughSeveralPipesLandInTheirPlaces() throws Exception {
        byte[] content = pattern((1 << 20) + 123, 8);
        Path src = fileOf("src", content);
        Path dst = dir.resolve("dst");
        List<Long> progress = new CopyOnWriteArrayList<>();
        long n = await(files.copy(src, dst, CopyOptions.defaults().withChunkSize(3 * 4096), progress::add));
        assertEquals(content.length, n);
        assertArrayEquals(content, Files.readAllBytes(dst));
        assertEquals(n, progress.getLast());
    }

    @Test
    void cancellingACopyClosesItsFilesAndPipesOnceTheOpsInFlightEnded() throws Exception {
        Path src = bigFile("src", 64);
        Path dst = dir.resolve("dst");
        long before = io.reactiveuring.core.UringTestSupport.openFds();
        java.util.concurrent.CompletableFuture<List<FileHandle>> cancelled = new java.util.concurrent.CompletableFuture<>();
        Collector<Long> c = new Collector<>(0);
        files.copy(src, dst, CopyOptions.defaults().withChunkSize(1 << 16), bytes -> {
            if (!cancelled.isDone()) {
                c.subscription.cancel(); // on the loop thread, in the middle of the copy
                cancelled.complete(files.openHandles());
            }
        }).subscribe(c);
        c.subscription.request(1);
        List<FileHandle> open = cancelled.get(TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(2, open.size(), "source and target were open while copying");
        for (FileHandle h : open) {
            h.closeFuture().get(TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertFalse(c.done.isDone(), "no signal after the cancel");
        assertEquals(before, io.reactiveuring.core.UringTestSupport.openFds(), "pipes and files closed");
    }
}
