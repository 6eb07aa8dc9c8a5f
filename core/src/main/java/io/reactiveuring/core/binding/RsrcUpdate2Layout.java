package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct io_uring_rsrc_update2} (include/uapi/linux/io_uring.h), the argument of
 * {@code IORING_REGISTER_FILES_UPDATE2} / {@code IORING_REGISTER_BUFFERS_UPDATE}; {@code nr_args} of the register
 * call is its size. Replaces {@code nr} entries starting at {@code offset} with the values {@code data} points to
 * (for files an {@code __s32} array: an fd, {@code -1} to empty the slot, {@code IORING_REGISTER_FILES_SKIP} to
 * leave it). 32 bytes.
 *
 * <p>Stateless; safe from any thread.
 */
public final class RsrcUpdate2Layout {
    private RsrcUpdate2Layout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("offset"),
            JAVA_INT.withName("resv"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("tags"),
            JAVA_INT.withName("nr"),
            JAVA_INT.withName("resv2"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long OFFSET = LAYOUT.byteOffset(groupElement("offset"));
    public static final long DATA = LAYOUT.byteOffset(groupElement("data"));
    public static final long TAGS = LAYOUT.byteOffset(groupElement("tags"));
    public static final long NR = LAYOUT.byteOffset(groupElement("nr"));
}
