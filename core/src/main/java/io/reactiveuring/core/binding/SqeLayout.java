package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_sqe} (include/uapi/linux/io_uring.h), 64 bytes. The kernel header declares most
 * fields as unions; each union is named here after its first member, the aliases are in the comments.
 *
 * <p>Stateless; safe from any thread.
 */
public final class SqeLayout {
    private SqeLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),            // also send/recv and accept flags
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("off"),                // addr2, cmd_op
            JAVA_LONG.withName("addr"),               // splice_off_in
            JAVA_INT.withName("len"),
            JAVA_INT.withName("op_flags"),            // rw_flags, poll32_events, msg_flags, timeout_flags, ...
            JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"),         // buf_group
            JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("splice_fd_in"),        // file_index, addr_len + pad
            JAVA_LONG.withName("addr3"),
            JAVA_LONG.withName("pad2"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long OPCODE = offset("opcode");
    public static final long FLAGS = offset("flags");
    public static final long IOPRIO = offset("ioprio");
    public static final long FD = offset("fd");
    public static final long OFF = offset("off");
    public static final long ADDR = offset("addr");
    public static final long LEN = offset("len");
    public static final long OP_FLAGS = offset("op_flags");
    public static final long USER_DATA = offset("user_data");
    public static final long BUF_INDEX = offset("buf_index");
    public static final long PERSONALITY = offset("personality");
    public static final long SPLICE_FD_IN = offset("splice_fd_in");
    public static final long ADDR3 = offset("addr3");
    public static final long PAD2 = offset("pad2");

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }
}
