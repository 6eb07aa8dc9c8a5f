package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct msghdr} and the {@code struct iovec} it points to (include/linux/socket.h, include/uapi/linux/uio.h),
 * as seen by a 64-bit process (x86_64 and aarch64): pointers and {@code size_t} are 64 bits, written as raw
 * addresses.
 *
 * <p>Stateless; safe from any thread.
 */
public final class MsghdrLayout {
    private MsghdrLayout() {
    }

    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),           // void *
            JAVA_INT.withName("msg_namelen"),         // socklen_t
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),            // struct iovec *
            JAVA_LONG.withName("msg_iovlen"),         // size_t
            JAVA_LONG.withName("msg_control"),        // void *
            JAVA_LONG.withName("msg_controllen"),     // size_t
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    public static final long SIZE = MSGHDR.byteSize();
    public static final long MSG_NAME = offset("msg_name");
    public static final long MSG_NAMELEN = offset("msg_namelen");
    public static final long MSG_IOV = offset("msg_iov");
    public static final long MSG_IOVLEN = offset("msg_iovlen");
    public static final long MSG_CONTROL = offset("msg_control");
    public static final long MSG_CONTROLLEN = offset("msg_controllen");
    public static final long MSG_FLAGS = offset("msg_flags");

    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),           // void *
            JAVA_LONG.withName("iov_len"));           // size_t

    public static final long IOVEC_SIZE = IOVEC.byteSize();
    public static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    public static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));


    private static long offset(String name) {
        return MSGHDR.byteOffset(groupElement(name));
    }
}
