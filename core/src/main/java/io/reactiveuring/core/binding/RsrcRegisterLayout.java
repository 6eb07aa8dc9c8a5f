package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct io_uring_rsrc_register} (include/uapi/linux/io_uring.h), the argument of
 * {@code IORING_REGISTER_FILES2} / {@code IORING_REGISTER_BUFFERS2}; {@code nr_args} of the register call is its
 * size. {@code data} points to the initial fds or iovecs (0 with {@code IORING_RSRC_REGISTER_SPARSE}), {@code tags}
 * to optional per-entry tags. 32 bytes.
 *
 * <p>Stateless; safe from any thread.
 */
public final class RsrcRegisterLayout {
    private RsrcRegisterLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nr"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("resv2"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("tags"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long NR = LAYOUT.byteOffset(groupElement("nr"));
    public static final long FLAGS = LAYOUT.byteOffset(groupElement("flags"));
    public static final long DATA = LAYOUT.byteOffset(groupElement("data"));
    public static final long TAGS = LAYOUT.byteOffset(groupElement("tags"));
}
