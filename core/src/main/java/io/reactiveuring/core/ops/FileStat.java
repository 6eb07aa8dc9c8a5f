package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.binding.StatxLayout;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The fields of a {@code struct statx} that callers usually need, copied out of the native buffer a
 * {@link FileOps#statx} filled. {@code mask} says which fields the kernel filled ({@code STATX_*}); the others are
 * 0. Immutable; safe to share.
 *
 * @param mask which fields the kernel filled ({@code STATX_*} bits)
 * @param blockSize the preferred block size for I/O, in bytes
 * @param links the number of hard links
 * @param uid the owner's user id
 * @param gid the owner's group id
 * @param mode the file type and permission bits ({@code S_IF*} and {@code 07777})
 * @param inode the inode number
 * @param size the size in bytes
 * @param blocks the number of 512-byte blocks allocated
 * @param accessTime the last access
 * @param modificationTime the last change of the content
 * @param changeTime the last change of the inode (status)
 * @param birthTime the creation, if the file system records it ({@code STATX_BTIME} in {@code mask})
 */
public record FileStat(int mask, int blockSize, int links, int uid, int gid, int mode, long inode, long size,
                       long blocks, Instant accessTime, Instant modificationTime, Instant changeTime,
                       Instant birthTime) {
    /** Bytes of the {@code struct statx} buffer a {@code STATX} op fills ({@link FileOps#statx}). */
    public static final long BUFFER_BYTES = StatxLayout.SIZE;

    /**
     * Reads a filled {@code struct statx} ({@code StatxLayout.SIZE} bytes).
     *
     * @param statx the buffer the kernel filled
     * @return its fields
     * @throws IllegalArgumentException if the buffer is smaller than a {@code struct statx}
     */
    public static FileStat read(MemorySegment statx) {
        Objects.requireNonNull(statx, "statx");
        if (statx.byteSize() < StatxLayout.SIZE) {
            throw new IllegalArgumentException("a struct statx needs " + StatxLayout.SIZE + " bytes, got "
                    + statx.byteSize());
        }
        return new FileStat(
                statx.get(JAVA_INT, StatxLayout.STX_MASK),
                statx.get(JAVA_INT, StatxLayout.STX_BLKSIZE),
                statx.get(JAVA_INT, StatxLayout.STX_NLINK),
                statx.get(JAVA_INT, StatxLayout.STX_UID),
                statx.get(JAVA_INT, StatxLayout.STX_GID),
                Short.toUnsignedInt(statx.get(JAVA_SHORT, StatxLayout.STX_MODE)),
                statx.get(JAVA_LONG, StatxLayout.STX_INO),
                statx.get(JAVA_LONG, StatxLayout.STX_SIZE),
                statx.get(JAVA_LONG, StatxLayout.STX_BLOCKS),
                time(statx, StatxLayout.STX_ATIME),
                time(statx, StatxLayout.STX_MTIME),
                time(statx, StatxLayout.STX_CTIME),
                time(statx, StatxLayout.STX_BTIME));
    }

    /**
     * Whether this is a regular file ({@code S_IFREG}).
     *
     * @return true for a regular file
     */
    public boolean isRegularFile() {
        return (mode & FileFlags.S_IFMT) == FileFlags.S_IFREG;
    }

    /**
     * Whether this is a directory ({@code S_IFDIR}).
     *
     * @return true for a directory
     */
    public boolean isDirectory() {
        return (mode & FileFlags.S_IFMT) == FileFlags.S_IFDIR;
    }

    /**
     * The permission bits ({@code mode & 07777}).
     *
     * @return the permission bits
     */
    public int permissions() {
        return mode & 07777;
    }

    private static Instant time(MemorySegment statx, long at) {
        return Instant.ofEpochSecond(statx.get(JAVA_LONG, at + StatxLayout.TV_SEC),
                Integer.toUnsignedLong(statx.get(JAVA_INT, at + StatxLayout.TV_NSEC)));
    }
}
