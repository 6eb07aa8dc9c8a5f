package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_buf} (include/uapi/linux/io_uring.h), 16 bytes: one entry of a provided-buffer ring
 * ({@code struct io_uring_buf_ring} is an array of these). The ring's {@code tail} overlays the {@code resv} field
 * of entry 0 (the header declares a union of {@code {resv1, resv2, resv3, tail}} with {@code bufs[0]}), which is
 * why {@code resv} of every entry is left alone.
 *
 * <p>Stateless; safe from any thread.
 */
public final class IoUringBufLayout {
    private IoUringBufLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long ADDR = LAYOUT.byteOffset(groupElement("addr"));
    public static final long LEN = LAYOUT.byteOffset(groupElement("len"));
    public static final long BID = LAYOUT.byteOffset(groupElement("bid"));
    /** {@code io_uring_buf_ring.tail}: the 16-bit tail the application advances, at byte 14 of the ring. */
    public static final long RING_TAIL = LAYOUT.byteOffset(groupElement("resv"));
}
