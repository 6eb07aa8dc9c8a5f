package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct io_uring_rsrc_update} (include/uapi/linux/io_uring.h), 16 bytes. {@code IORING_REGISTER_RING_FDS}
 * takes an array of it: {@code data} is a ring fd, {@code offset} the wanted index or {@code -1} to let the
 * kernel pick one, which it writes back into {@code offset}. {@code IORING_UNREGISTER_RING_FDS} reads only
 * {@code offset}.
 *
 * <p>Stateless; safe from any thread.
 */
public final class RsrcUpdateLayout {
    private RsrcUpdateLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("offset"),
            JAVA_INT.withName("resv"),
            JAVA_LONG.withName("data"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long OFFSET = LAYOUT.byteOffset(groupElement("offset"));
    public static final long DATA = LAYOUT.byteOffset(groupElement("data"));
}
