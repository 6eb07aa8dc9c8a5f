package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_probe} followed by {@code struct io_uring_probe_op ops[]}
 * (include/uapi/linux/io_uring.h), as filled by {@code IORING_REGISTER_PROBE}.
 *
 * <p>Stateless; safe from any thread.
 */
public final class ProbeLayout {
    private ProbeLayout() {
    }

    /** How many {@code io_uring_probe_op} entries the library asks for (one per possible opcode). */
    public static final int OPS = 256;

    public static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"),
            JAVA_BYTE.withName("ops_len"),
            JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"));

    public static final StructLayout OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("resv"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2"));

    public static final long SIZE = HEADER.byteSize() + OPS * OP.byteSize();
    public static final long LAST_OP = HEADER.byteOffset(groupElement("last_op"));
    public static final long OPS_LEN = HEADER.byteOffset(groupElement("ops_len"));
    public static final long OPS_START = HEADER.byteSize();
    public static final long OP_SIZE = OP.byteSize();
    public static final long OP_FLAGS = OP.byteOffset(groupElement("flags"));
}
