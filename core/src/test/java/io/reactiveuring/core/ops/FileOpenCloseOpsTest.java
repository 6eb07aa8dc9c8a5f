package io.reactiveuring.core.ops;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.StatxLayout;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static io.reactiveuring.core.linux.FileFlags.AT_EMPTY_PATH;
import static io.reactiveuring.core.linux.FileFlags.AT_FDCWD;
import static io.reactiveuring.core.linux.FileFlags.O_CLOEXEC;
import static io.reactiveuring.core.linux.FileFlags.O_CREAT;
import static io.reactiveuring.core.linux.FileFlags.O_DIRECTORY;
import static io.reactiveuring.core.linux.FileFlags.O_RDONLY;
import static io.reactiveuring.core.linux.FileFlags.O_WRONLY;
import static io.reactiveuring.core.linux.FileFlags.RESOLVE_BENEATH;
import static io.reactiveuring.core.linux.FileFlags.RESOLVE_NO_SYMLINKS;
import static io.reactiveuring.core.linux.FileFlags.STATX_BASIC_STATS;
import static io.reactiveuring.core.linux.FileFlags.STATX_MODE;
import static io.reactiveuring.core.linux.FileFlags.STATX_MTIME;
import static io.reactiveuring.core.linux.FileFlags.STATX_SIZE;
import static io.reactiveuring.core.linux.IoUring.SPLICE_F_FD_IN_FIXED;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OPENAT/OPENAT2/CLOSE/STATX, and the fixed-file forms: slots filled by update or by a direct open. */
class FileOpenCloseOpsTest extends FileOpsFixture {
    @TempDir
    Path dir;

    @Test
    void openatOfAnExistingFileGivesACloexecFdThatReadsTheFile() throws Exception {
        byte[] data = pattern(777, 20);
        Path file = dir.resolve("exists");
        Files.write(file, data);
        int fd = open(file, O_RDONLY, 0);
        assertTrue(isCloexec(fd), "OPENAT must add O_CLOEXEC");
        UringBuffer target = buffer(1024);
        assertEquals(data.length, run(OpSpec.read(fd, target.writableSegment(), 0)));
        assertArrayEquals(data, target.segment().asSlice(0, data.length).toArray(JAVA_BYTE));
    }

    @Test
    void openatOfAMissingFileEndsWithEnoentAndCreatesNoFd() throws Exception {
        long fds = UringTestSupport.openFds();
        OpMemory m = memory();
        int res = run(FileOps.openat(AT_FDCWD, dir.resolve("missing").toString(), O_RDONLY, 0, m), m);
        assertEquals(-Errno.ENOENT, res);
        assertEquals(fds, UringTestSupport.openFds());
    }

    @Test
    void openatWithOCreatCreatesTheFileWithTheGivenMode() throws Exception {
        Path file = dir.resolve("created");
        open(file, O_WRONLY | O_CREAT, 0640);
        assertTrue(Files.exists(file));
        int mode = (Integer) Files.getAttribute(file, "unix:mode");
        assertEquals(0640 & ~umask(), mode & 0777);
    }

    @Test
    void openat2WithResolveBeneathOpensInsideAndRefusesEscapesWithExdev() throws Exception {
        byte[] data = pattern(50, 21);
        Files.write(dir.resolve("inside"), data);
        int dirfd = open(dir, O_RDONLY | O_DIRECTORY, 0);

        OpMemory m1 = memory();
        int fd = run(FileOps.openat2(dirfd, "inside", OpenHow.of(O_RDONLY, RESOLVE_BENEATH), m1), m1);
        assertTrue(fd >= 0, "openat2 inside: " + fd);
        track(fd);
        assertTrue(isCloexec(fd), "OPENAT2 must add O_CLOEXEC");
        UringBuffer target = buffer(64);
        assertEquals(data.length, run(OpSpec.read(fd, target.writableSegment(), 0)));
        assertArrayEquals(data, target.segment().asSlice(0, data.length).toArray(JAVA_BYTE));

        OpMemory m2 = memory();
        String escape = "../" + dir.getFileName() + "/inside";
        assertEquals("EXDEV", Errno.name(-run(FileOps.openat2(dirfd, escape, OpenHow.of(O_RDONLY, RESOLVE_BENEATH),
                m2), m2)));
    }

    @Test
    void openat2WithResolveNoSymlinksRefusesASymlinkWithEloop() throws Exception {
        Files.write(dir.resolve("target"), new byte[] {1});
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
        int dirfd = open(dir, O_RDONLY | O_DIRECTORY, 0);
        OpMemory m = memory();
        int res = run(FileOps.openat2(dirfd, "link", OpenHow.of(O_RDONLY, RESOLVE_NO_SYMLINKS), m), m);
        assertEquals("ELOOP", Errno.name(-res));
    }

    @Test
    void closeReallyClosesTheFd() throws Exception {
        Path file = dir.resolve("toclose");
        Files.write(file, new byte[] {1, 2, 3});
        int fd = open(file, O_RDONLY, 0);
        Path link = Path.of("/proc/self/fd/" + fd);
        assertTrue(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, run(FileOps.close(fd)));
        closed(fd);
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "fd " + fd + " still open after CLOSE");
        assertEquals(-Errno.EBADF, run(FileOps.close(fd)), "second close of the same fd");
    }

    @Test
    void statxReportsSizeModeAndMtimeAsJavaSeesThem() throws Exception {
        Path file = dir.resolve("stat");
        Files.write(file, pattern(12_345, 22));
        OpMemory m = memory();
        MemorySegment stx = m.allocate(StatxLayout.LAYOUT);
        int res = run(FileOps.statx(AT_FDCWD, file.toString(), 0, STATX_BASIC_STATS, stx, m), null);
        assertEquals(0, res);
        FileStat st = FileStat.read(stx);
        m.release();
        assertEquals(STATX_SIZE | STATX_MODE | STATX_MTIME, st.mask() & (STATX_SIZE | STATX_MODE | STATX_MTIME));
        assertEquals(Files.size(file), st.size());
        assertEquals((int) (Integer) Files.getAttribute(file, "unix:mode"), st.mode());
        assertTrue(st.isRegularFile());
        assertEquals(Files.getLastModifiedTime(file).toInstant(), st.modificationTime());
        assertEquals((long) (Long) Files.getAttribute(file, "unix:ino"), st.inode());
        assertTrue(st.blockSize() > 0);
    }

    @Test
    void statxWithEmptyPathDescribesTheDirfdItself() throws Exception {
        int dirfd = open(dir, O_RDONLY | O_DIRECTORY, 0);
        OpMemory m = memory();
        MemorySegment stx = m.allocate(StatxLayout.LAYOUT);
        assertEquals(0, run(FileOps.statx(dirfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, stx, m), null));
        FileStat st = FileStat.read(stx);
        m.release();
        assertTrue(st.isDirectory());
        assertEquals((long) (Long) Files.getAttribute(dir, "unix:ino"), st.inode());
    }

    @Test
    void readThroughARegisteredSlotWorksAfterTheFdIsClosedAndFailsOnceTheSlotIsCleared() throws Exception {
        byte[] data = pattern(3000, 23);
        Path file = dir.resolve("slotted");
        Files.write(file, data);
        int fd = open(file, O_RDONLY, 0);
        RegisteredFiles files = onLoop(() -> RegisteredFiles.registerSparse(loop, 4));
        try {
            onLoop(() -> {
                files.set(1, fd);
                return null;
            });
            assertEquals(0, run(FileOps.close(fd)));
            closed(fd);

            UringBuffer target = buffer(4096);
            int res = run(FileOps.onFixedFile(OpSpec.read(1, target.writableSegment(), 0), files));
            assertEquals(data.length, res, "the slot keeps its own reference to the file");
            assertArrayEquals(data, target.segment().asSlice(0, data.length).toArray(JAVA_BYTE));

            onLoop(() -> {
                files.clear(1);
                return null;
            });
            assertEquals(-Errno.EBADF, run(FileOps.onFixedFile(OpSpec.read(1, target.writableSegment(), 0), files)));
        } finally {
            onLoop(() -> {
                files.unregister();
                return null;
            });
        }
    }

    @Test
    void openatIntoADirectDescriptorThenReadWithFixedFileAndCloseTheSlot() throws Exception {
        byte[] data = pattern(2048, 24);
        Path file = dir.resolve("direct");
        Files.write(file, data);
        RegisteredFiles files = onLoop(() -> RegisteredFiles.registerSparse(loop, 8));
        try {
            long fds = UringTestSupport.openFds();

            OpMemory m1 = memory();
            assertEquals(0, run(FileOps.openatDirect(AT_FDCWD, file.toString(), O_RDONLY, 0, files, 5, m1), m1),
                    "a direct open into a named slot answers 0");
            OpMemory m2 = memory();
            int allocated = run(FileOps.openatDirect(AT_FDCWD, file.toString(), O_RDONLY, 0, files,
                    FileOps.ANY_FREE_SLOT, m2), m2);
            assertTrue(allocated >= 0 && allocated < files.size() && allocated != 5, "allocated slot " + allocated);
            assertEquals(fds, UringTestSupport.openFds(), "direct descriptors create no fd");

            for (int slot : new int[] {5, allocated}) {
                UringBuffer target = buffer(4096);
                assertEquals(data.length, run(FileOps.onFixedFile(OpSpec.read(slot, target.writableSegment(), 0),
                        files)));
                assertArrayEquals(data, target.segment().asSlice(0, data.length).toArray(JAVA_BYTE));
                assertEquals(0, run(FileOps.closeDirect(files, slot)));
                assertEquals(-Errno.EBADF, run(FileOps.onFixedFile(OpSpec.read(slot, target.writableSegment(), 0),
                        files)), "slot " + slot + " is empty after CLOSE");
            }
        } finally {
            onLoop(() -> {
                files.unregister();
                return null;
            });
        }
    }

    /** Pins why openatDirect strips O_CLOEXEC: the kernel refuses it together with a file index. */
    @Test
    void kernelRefusesOCloexecOnADirectOpen() throws Exception {
        Path file = dir.resolve("cloexec-direct");
        Files.write(file, new byte[] {1});
        RegisteredFiles files = onLoop(() -> RegisteredFiles.registerSparse(loop, 2));
        try {
            OpMemory m = memory();
            OpSpec spec = FileOps.openatDirect(AT_FDCWD, file.toString(), O_RDONLY, 0, files, 0, m);
            assertEquals(-Errno.EINVAL, run(spec.withOpFlags(O_RDONLY | O_CLOEXEC), m));
        } finally {
            onLoop(() -> {
                files.unregister();
                return null;
            });
        }
    }

    @Test
    void spliceFromARegisteredInputSlotWithSpliceFdInFixed() throws Exception {
        byte[] data = pattern(4000, 25);
        Path in = dir.resolve("splice-in");
        Files.write(in, data);
        Path out = dir.resolve("splice-out");
        int fdIn = open(in, O_RDONLY, 0);
        int fdOut = open(out, O_WRONLY | O_CREAT, 0600);
        RegisteredFiles files = onLoop(() -> RegisteredFiles.registerSparse(loop, 2));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(JAVA_INT, 2);
            assertEquals(0, LibC.pipe2(p, LibC.O_CLOEXEC));
            int pr = track(p.getAtIndex(JAVA_INT, 0));
            int pw = track(p.getAtIndex(JAVA_INT, 1));
            onLoop(() -> files.update(0, fdIn, pw));
            // input slot 0 through SPLICE_F_FD_IN_FIXED, output slot 1 through IOSQE_FIXED_FILE
            assertEquals(data.length, run(FileOps.onFixedFile(FileOps.splice(0, 0, 1, -1, data.length,
                    SPLICE_F_FD_IN_FIXED), files)));
            assertEquals(data.length, run(FileOps.splice(pr, -1, fdOut, 0, data.length, 0)));
            assertArrayEquals(data, Files.readAllBytes(out));
        } finally {
            onLoop(() -> {
                files.unregister();
                return null;
            });
        }
    }

    private static boolean isCloexec(int fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring(6).trim(), 8) & O_CLOEXEC) != 0;
            }
        }
        throw new AssertionError("no flags line in fdinfo of " + fd);
    }

    private static int umask() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        return 022;
    }
}
