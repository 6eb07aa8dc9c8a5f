package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Socket address structs: {@code struct sockaddr_in} and {@code sockaddr_in6} (include/uapi/linux/in.h, in6.h),
 * {@code sockaddr_un} (include/uapi/linux/un.h) and {@code sockaddr_storage} (include/uapi/linux/socket.h).
 * Ports, IPv4 addresses and the IPv6 flow label are in network byte order (big-endian): their layouts say so, so a
 * reader or writer going through them cannot forget the swap. The family and the IPv6 scope id are in host order.
 *
 * <p>Stateless; safe from any thread.
 */
public final class SockaddrLayout {
    private SockaddrLayout() {
    }

    /** {@code in_port_t}: 16 bits, network byte order. */
    public static final java.lang.foreign.ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    /** {@code __be32}: 32 bits, network byte order. */
    public static final java.lang.foreign.ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));

    public static final long SIN_FAMILY = SOCKADDR_IN.byteOffset(groupElement("sin_family"));
    public static final long SIN_PORT = SOCKADDR_IN.byteOffset(groupElement("sin_port"));
    public static final long SIN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    public static final int SOCKADDR_IN_SIZE = (int) SOCKADDR_IN.byteSize();

    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            NET_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id"));

    public static final long SIN6_FAMILY = SOCKADDR_IN6.byteOffset(groupElement("sin6_family"));
    public static final long SIN6_PORT = SOCKADDR_IN6.byteOffset(groupElement("sin6_port"));
    public static final long SIN6_FLOWINFO = SOCKADDR_IN6.byteOffset(groupElement("sin6_flowinfo"));
    public static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
    public static final long SIN6_SCOPE_ID = SOCKADDR_IN6.byteOffset(groupElement("sin6_scope_id"));
    public static final int SOCKADDR_IN6_SIZE = (int) SOCKADDR_IN6.byteSize();

    /** Bytes of {@code sun_path}, including the terminating NUL of a pathname address. */
    public static final int UNIX_PATH_MAX = 108;

    public static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(UNIX_PATH_MAX, JAVA_BYTE).withName("sun_path"));

    public static final long SUN_FAMILY = SOCKADDR_UN.byteOffset(groupElement("sun_family"));
    public static final long SUN_PATH = SOCKADDR_UN.byteOffset(groupElement("sun_path"));
    public static final int SOCKADDR_UN_SIZE = (int) SOCKADDR_UN.byteSize();

    /** Large and aligned enough for every address family: what accept/getsockname write into. */
    public static final StructLayout SOCKADDR_STORAGE = MemoryLayout.structLayout(
            JAVA_SHORT.withName("ss_family"),
            MemoryLayout.sequenceLayout(118, JAVA_BYTE).withName("__ss_padding"),
            JAVA_LONG.withName("__ss_align"));

    public static final long SS_FAMILY = SOCKADDR_STORAGE.byteOffset(groupElement("ss_family"));
    public static final int SOCKADDR_STORAGE_SIZE = (int) SOCKADDR_STORAGE.byteSize();

    /** {@code sa_family_t} is the first field of every sockaddr. */
    public static final long SA_FAMILY = 0;
    public static final int SA_FAMILY_SIZE = 2;
}
