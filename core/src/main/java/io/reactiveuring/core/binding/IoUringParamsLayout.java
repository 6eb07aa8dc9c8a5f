package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct io_uring_params} with its nested {@code io_sqring_offsets} and {@code io_cqring_offsets}
 * (include/uapi/linux/io_uring.h). 120 bytes.
 *
 * <p>Stateless; safe from any thread.
 */
public final class IoUringParamsLayout {
    private IoUringParamsLayout() {
    }

    public static final StructLayout SQ_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("user_addr"));

    public static final StructLayout CQ_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("overflow"),
            JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("user_addr"));

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQ_OFFSETS.withName("sq_off"),
            CQ_OFFSETS.withName("cq_off"));

    public static final long SQ_ENTRIES = offset("sq_entries");
    public static final long CQ_ENTRIES = offset("cq_entries");
    public static final long FLAGS = offset("flags");
    public static final long FEATURES = offset("features");
    public static final long SQ_OFF = offset("sq_off");
    public static final long CQ_OFF = offset("cq_off");

    public static final long SQ_OFF_HEAD = SQ_OFF + sq("head");
    public static final long SQ_OFF_TAIL = SQ_OFF + sq("tail");
    public static final long SQ_OFF_RING_MASK = SQ_OFF + sq("ring_mask");
    public static final long SQ_OFF_RING_ENTRIES = SQ_OFF + sq("ring_entries");
    public static final long SQ_OFF_FLAGS = SQ_OFF + sq("flags");
    public static final long SQ_OFF_DROPPED = SQ_OFF + sq("dropped");
    public static final long SQ_OFF_ARRAY = SQ_OFF + sq("array");

    public static final long CQ_OFF_HEAD = CQ_OFF + cq("head");
    public static final long CQ_OFF_TAIL = CQ_OFF + cq("tail");
    public static final long CQ_OFF_RING_MASK = CQ_OFF + cq("ring_mask");
    public static final long CQ_OFF_RING_ENTRIES = CQ_OFF + cq("ring_entries");
    public static final long CQ_OFF_OVERFLOW = CQ_OFF + cq("overflow");
    public static final long CQ_OFF_CQES = CQ_OFF + cq("cqes");
    public static final long CQ_OFF_FLAGS = CQ_OFF + cq("flags");

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    private static long sq(String name) {
        return SQ_OFFSETS.byteOffset(groupElement(name));
    }

    private static long cq(String name) {
        return CQ_OFFSETS.byteOffset(groupElement(name));
    }
}
