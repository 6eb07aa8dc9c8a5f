package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct statx} (include/uapi/linux/stat.h), as filled by {@code statx(2)} and {@code IORING_OP_STATX}:
 * 256 bytes. The fields after {@code stx_dev_minor} that newer kernels fill (mount id, direct-I/O alignment,
 * atomic-write limits) are named up to {@code stx_subvol}; the rest is kept as padding so the size matches the
 * kernel's. Which fields are valid is said by {@code stx_mask} ({@code STATX_*} bits in {@link FileFlags}).
 *
 * <p>Stateless; safe from any thread.
 */
public final class StatxLayout {
    private StatxLayout() {
    }

    /** {@code struct statx_timestamp}: seconds since the epoch, nanoseconds, reserved. */
    public static final StructLayout TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_INT.withName("tv_nsec"),
            JAVA_INT.withName("__reserved"));

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            JAVA_SHORT.withName("__spare0"),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            TIMESTAMP.withName("stx_atime"),
            TIMESTAMP.withName("stx_btime"),
            TIMESTAMP.withName("stx_ctime"),
            TIMESTAMP.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            JAVA_LONG.withName("stx_mnt_id"),
            JAVA_INT.withName("stx_dio_mem_align"),
            JAVA_INT.withName("stx_dio_offset_align"),
            JAVA_LONG.withName("stx_subvol"),
            MemoryLayout.sequenceLayout(11, JAVA_LONG).withName("__spare3"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long STX_MASK = offset("stx_mask");
    public static final long STX_BLKSIZE = offset("stx_blksize");
    public static final long STX_ATTRIBUTES = offset("stx_attributes");
    public static final long STX_NLINK = offset("stx_nlink");
    public static final long STX_UID = offset("stx_uid");
    public static final long STX_GID = offset("stx_gid");
    public static final long STX_MODE = offset("stx_mode");
    public static final long STX_INO = offset("stx_ino");
    public static final long STX_SIZE = offset("stx_size");
    public static final long STX_BLOCKS = offset("stx_blocks");
    public static final long STX_ATIME = offset("stx_atime");
    public static final long STX_BTIME = offset("stx_btime");
    public static final long STX_CTIME = offset("stx_ctime");
    public static final long STX_MTIME = offset("stx_mtime");
    public static final long STX_DEV_MAJOR = offset("stx_dev_major");
    public static final long STX_DEV_MINOR = offset("stx_dev_minor");
    public static final long STX_MNT_ID = offset("stx_mnt_id");

    /** Offsets inside a {@link #TIMESTAMP}. */
    public static final long TV_SEC = TIMESTAMP.byteOffset(groupElement("tv_sec"));
    public static final long TV_NSEC = TIMESTAMP.byteOffset(groupElement("tv_nsec"));

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }
}
