package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_buf_reg} (include/uapi/linux/io_uring.h): the argument of
 * {@code IORING_REGISTER_PBUF_RING} and {@code IORING_UNREGISTER_PBUF_RING}, 40 bytes. The reserved words must be 0.
 *
 * <p>Stateless; safe from any thread.
 */
public final class IoUringBufRegLayout {
    private IoUringBufRegLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"),
            JAVA_INT.withName("ring_entries"),
            JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long RING_ADDR = LAYOUT.byteOffset(groupElement("ring_addr"));
    public static final long RING_ENTRIES = LAYOUT.byteOffset(groupElement("ring_entries"));
    public static final long BGID = LAYOUT.byteOffset(groupElement("bgid"));
    public static final long FLAGS = LAYOUT.byteOffset(groupElement("flags"));
}
