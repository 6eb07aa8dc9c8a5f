package io.reactiveuring.core.file;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.StatxLayout;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.ops.FileStat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The few file syscalls made directly rather than through a ring: the synchronous methods of
 * {@link UringAsynchronousFileChannel} ({@code size}, {@code truncate}, {@code force}, which the JDK's API defines as
 * blocking), {@code ftruncate} on kernels without {@code IORING_OP_FTRUNCATE} (before 6.9), and the pipe size of a
 * splice copy. Syscall numbers per architecture (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/
 * unistd.h for aarch64). Each returns the result or throws a {@link UringException} naming the call. Stateless.
 */
final class FileSyscalls {
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    private static final long SYS_FCNTL = AARCH64 ? 25 : 72;
    private static final long SYS_FSYNC = AARCH64 ? 82 : 74;
    private static final long SYS_FDATASYNC = AARCH64 ? 83 : 75;
    private static final long SYS_FTRUNCATE = AARCH64 ? 46 : 77;
    private static final long SYS_STATX = AARCH64 ? 291 : 332;
    /** {@code F_SETPIPE_SZ} = {@code F_LINUX_SPECIFIC_BASE + 7} (include/uapi/linux/fcntl.h). */
    private static final long F_SETPIPE_SZ = 1031;

    private FileSyscalls() {
    }

    static void fsync(int fd, boolean metadata) {
        check(LibC.syscall(metadata ? SYS_FSYNC : SYS_FDATASYNC, fd, 0, 0, 0, 0, 0),
                metadata ? "fsync" : "fdatasync");
    }

    static void ftruncate(int fd, long length) {
        check(LibC.syscall(SYS_FTRUNCATE, fd, length, 0, 0, 0, 0), "ftruncate");
    }

    /** {@code statx(fd, "", AT_EMPTY_PATH, mask)}. */
    static FileStat fstat(int fd, int mask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment empty = arena.allocateFrom("");
            MemorySegment out = arena.allocate(StatxLayout.SIZE, 8);
            check(LibC.syscall(SYS_STATX, fd, empty.address(), FileFlags.AT_EMPTY_PATH, mask, out.address(), 0),
                    "statx");
            return FileStat.read(out);
        }
    }

    /** Sets the capacity of the pipe {@code fd} to at least {@code bytes}; returns the capacity it got. */
    static int setPipeSize(int fd, int bytes) {
        return (int) check(LibC.syscall(SYS_FCNTL, fd, F_SETPIPE_SZ, bytes, 0, 0, 0), "fcntl(F_SETPIPE_SZ)");
    }

    private static long check(long r, String what) {
        if (r < 0) {
            throw UringException.of((int) r, what);
        }
        return r;
    }
}
