package io.reactiveuring.core.linux;

import io.reactiveuring.core.binding.LibC;
/**
 * Constants of the Linux file API that the file ops pass to the kernel, named as in their uapi headers:
 * {@code O_*} and {@code AT_*} (include/uapi/asm-generic/fcntl.h, linux/fcntl.h), {@code RESOLVE_*}
 * (linux/openat2.h), {@code STATX_*} and {@code S_IF*} (linux/stat.h), {@code FALLOC_FL_*} (linux/falloc.h) and
 * {@code SPLICE_F_*} (linux/splice.h). The io_uring-specific ones live in {@link IoUring}.
 *
 * <p>A few {@code O_*} values differ between x86_64 and aarch64 (arch/arm64/include/uapi/asm/fcntl.h); they are
 * chosen for the running architecture. Stateless; safe from any thread.
 */
public final class FileFlags {
    private FileFlags() {
    }

    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    // open flags (asm-generic/fcntl.h, octal in the header)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = LibC.O_NONBLOCK;
    public static final int O_DSYNC = 010000;
    public static final int O_DIRECT = AARCH64 ? 0200000 : 040000;
    public static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    public static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = LibC.O_CLOEXEC;
    public static final int O_SYNC = 04000000 | O_DSYNC;
    public static final int O_PATH = 010000000;
    public static final int O_TMPFILE = 020000000 | O_DIRECTORY;

    // *at() directory fd and flags (linux/fcntl.h)
    /** The {@code dirfd} meaning "relative to the current working directory". */
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_STATX_SYNC_AS_STAT = 0;
    public static final int AT_STATX_FORCE_SYNC = 0x2000;
    public static final int AT_STATX_DONT_SYNC = 0x4000;

    // open_how.resolve (linux/openat2.h)
    public static final long RESOLVE_NO_XDEV = 0x01;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;
    public static final long RESOLVE_IN_ROOT = 0x10;
    public static final long RESOLVE_CACHED = 0x20;
    /** Every {@code RESOLVE_*} bit known here; openat2 refuses others with {@code EINVAL}. */
    public static final long RESOLVE_ALL = 0x3f;

    // statx mask (linux/stat.h)
    public static final int STATX_TYPE = 0x1;
    public static final int STATX_MODE = 0x2;
    public static final int STATX_NLINK = 0x4;
    public static final int STATX_UID = 0x8;
    public static final int STATX_GID = 0x10;
    public static final int STATX_ATIME = 0x20;
    public static final int STATX_MTIME = 0x40;
    public static final int STATX_CTIME = 0x80;
    public static final int STATX_INO = 0x100;
    public static final int STATX_SIZE = 0x200;
    public static final int STATX_BLOCKS = 0x400;
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_BTIME = 0x800;
    public static final int STATX_MNT_ID = 0x1000;

    // file type bits of st_mode (linux/stat.h, octal)
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 060000;
    public static final int S_IFDIR = 040000;
    public static final int S_IFCHR = 020000;
    public static final int S_IFIFO = 010000;

    // fallocate modes (linux/falloc.h)
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    public static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;
    public static final int FALLOC_FL_INSERT_RANGE = 0x20;
    public static final int FALLOC_FL_UNSHARE_RANGE = 0x40;

    // splice flags (linux/splice.h); SPLICE_F_FD_IN_FIXED is io_uring's and lives in IoUring
    public static final int SPLICE_F_MOVE = 0x01;
    public static final int SPLICE_F_NONBLOCK = 0x02;
    public static final int SPLICE_F_MORE = 0x04;
    public static final int SPLICE_F_GIFT = 0x08;
}
