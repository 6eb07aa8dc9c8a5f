package io.reactiveuring.core.net;

import io.reactiveuring.core.binding.NativeCallException;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static io.reactiveuring.core.binding.SockaddrLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Converts Java socket addresses to and from the kernel's {@code sockaddr} structs in native memory:
 * {@link InetSocketAddress} (IPv4 as {@code sockaddr_in}, IPv6 as {@code sockaddr_in6} with its scope id) and
 * {@link UnixDomainSocketAddress} (a pathname {@code sockaddr_un}; the empty path is the unnamed address). Ports and
 * IP addresses are written in network byte order. Abstract AF_UNIX names cannot be expressed as a
 * {@code UnixDomainSocketAddress} and are rejected. As in the JDK, an IPv4-mapped IPv6 address without scope
 * ({@code ::ffff:a.b.c.d}, a peer of a dual-stack socket) decodes to an {@link Inet4Address}.
 *
 * <p>Also the layout of a <em>peer buffer</em>: a {@code sockaddr_storage} followed by its {@code socklen_t}, the
 * out parameters of {@code accept}.
 *
 * <p>Stateless; safe from any thread. The segments are the caller's: an address handed to an asynchronous op must
 * come from an arena that stays open until that op's final completion.
 */
public final class SocketAddresses {
    private SocketAddresses() {
    }

    /** Size of a peer buffer: {@code sockaddr_storage} plus the {@code socklen_t} (padded to 8). */
    public static final int PEER_BUFFER_SIZE = SOCKADDR_STORAGE_SIZE + 8;
    /** Offset of the {@code socklen_t} in a peer buffer. */
    public static final long PEER_LENGTH_OFFSET = SOCKADDR_STORAGE_SIZE;

    /** The JDK maps file names to bytes with this charset; AF_UNIX paths are file names. */
    private static final Charset PATH_CHARSET = pathCharset();

    /** Bytes the sockaddr for {@code address} takes. */
    public static int encodedSize(SocketAddress address) {
        return switch (checkSupported(address)) {
            case InetSocketAddress inet -> inet.getAddress() instanceof Inet6Address
                    ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE;
            case UnixDomainSocketAddress unix -> unixLength(pathBytes(unix));
            default -> throw new AssertionError();
        };
    }

    /** The address family ({@code AF_INET}, {@code AF_INET6}, {@code AF_UNIX}) a socket for {@code address} needs. */
    public static int family(SocketAddress address) {
        return switch (checkSupported(address)) {
            case InetSocketAddress inet -> inet.getAddress() instanceof Inet6Address
                    ? Sockets.AF_INET6 : Sockets.AF_INET;
            case UnixDomainSocketAddress unix -> Sockets.AF_UNIX;
            default -> throw new AssertionError();
        };
    }

    /** A new segment from {@code allocator} holding exactly the sockaddr for {@code address}. */
    public static MemorySegment allocate(SocketAddress address, SegmentAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        MemorySegment out = allocator.allocate(encodedSize(address), 8);
        encode(address, out);
        return out;
    }

    /**
     * Writes the sockaddr for {@code address} at the start of {@code out} and returns its length.
     *
     * @throws IllegalArgumentException if {@code out} is too small, the address is unresolved, or of an
     *                                  unsupported type
     */
    public static int encode(SocketAddress address, MemorySegment out) {
        Objects.requireNonNull(out, "out");
        int size = encodedSize(address);
        if (out.byteSize() < size) {
            throw new IllegalArgumentException("segment of " + out.byteSize() + " bytes cannot hold a " + size
                    + "-byte sockaddr for " + address);
        }
        out.asSlice(0, size).fill((byte) 0);
        switch (address) {
            case InetSocketAddress inet when inet.getAddress() instanceof Inet6Address v6 -> {
                out.set(JAVA_SHORT, SIN6_FAMILY, (short) Sockets.AF_INET6);
                out.set(NET_SHORT, SIN6_PORT, (short) inet.getPort());
                MemorySegment.copy(v6.getAddress(), 0, out, JAVA_BYTE, SIN6_ADDR, 16);
                out.set(JAVA_INT, SIN6_SCOPE_ID, v6.getScopeId());
            }
            case InetSocketAddress inet -> {
                out.set(JAVA_SHORT, SIN_FAMILY, (short) Sockets.AF_INET);
                out.set(NET_SHORT, SIN_PORT, (short) inet.getPort());
                MemorySegment.copy(inet.getAddress().getAddress(), 0, out, JAVA_BYTE, SIN_ADDR, 4);
            }
            case UnixDomainSocketAddress unix -> {
                byte[] path = pathBytes(unix);
                out.set(JAVA_SHORT, SUN_FAMILY, (short) Sockets.AF_UNIX);
                MemorySegment.copy(path, 0, out, JAVA_BYTE, SUN_PATH, path.length); // NUL from the fill
            }
            default -> throw new AssertionError();
        }
        return size;
    }

    /**
     * Reads the sockaddr of {@code length} bytes at the start of {@code in} (as returned by accept, getsockname,
     * getpeername, recvmsg).
     *
     * @throws IllegalArgumentException if the length does not fit the family, the family is not AF_INET, AF_INET6
     *                                  or AF_UNIX, or an AF_UNIX name is abstract
     */
    public static SocketAddress decode(MemorySegment in, int length) {
        Objects.requireNonNull(in, "in");
        if (length < SA_FAMILY_SIZE || length > in.byteSize()) {
            throw new IllegalArgumentException("sockaddr length " + length + " outside [2, " + in.byteSize() + "]");
        }
        int family = Short.toUnsignedInt(in.get(JAVA_SHORT, SA_FAMILY));
        try {
            switch (family) {
                case Sockets.AF_INET -> {
                    requireLength(family, length, SOCKADDR_IN_SIZE);
                    byte[] ip = in.asSlice(SIN_ADDR, 4).toArray(JAVA_BYTE);
                    return new InetSocketAddress(InetAddress.getByAddress(ip), port(in.get(NET_SHORT, SIN_PORT)));
                }
                case Sockets.AF_INET6 -> {
                    requireLength(family, length, SOCKADDR_IN6_SIZE);
                    byte[] ip = in.asSlice(SIN6_ADDR, 16).toArray(JAVA_BYTE);
                    int scope = in.get(JAVA_INT, SIN6_SCOPE_ID);
                    InetAddress address = scope == 0 ? InetAddress.getByAddress(ip)
                            : Inet6Address.getByAddress(null, ip, scope);
                    return new InetSocketAddress(address, port(in.get(NET_SHORT, SIN6_PORT)));
                }
                case Sockets.AF_UNIX -> {
                    return decodeUnix(in, length);
                }
                default -> throw new IllegalArgumentException("unsupported address family " + family);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed IP address", e); // cannot happen for 4 or 16 bytes
        }
    }

    /** A zeroed peer buffer from {@code arena}, ready for one accept ({@link #resetPeerBuffer}). */
    public static MemorySegment allocatePeerBuffer(Arena arena) {
        Objects.requireNonNull(arena, "arena");
        MemorySegment buffer = arena.allocate(PEER_BUFFER_SIZE, 8);
        resetPeerBuffer(buffer);
        return buffer;
    }

    /** Sets the length field to the storage size: accept reads it as the room it may fill. Before each accept. */
    public static void resetPeerBuffer(MemorySegment peerBuffer) {
        checkPeerBuffer(peerBuffer);
        peerBuffer.set(JAVA_INT, PEER_LENGTH_OFFSET, SOCKADDR_STORAGE_SIZE);
    }

    /** The address an accept wrote into {@code peerBuffer}. */
    public static SocketAddress decodePeerBuffer(MemorySegment peerBuffer) {
        checkPeerBuffer(peerBuffer);
        int length = Math.min(peerBuffer.get(JAVA_INT, PEER_LENGTH_OFFSET), SOCKADDR_STORAGE_SIZE);
        return decode(peerBuffer, length);
    }

    /** Throws unless {@code peerBuffer} is a native segment of at least {@link #PEER_BUFFER_SIZE} bytes. */
    public static void checkPeerBuffer(MemorySegment peerBuffer) {
        Objects.requireNonNull(peerBuffer, "peerBuffer");
        if (!peerBuffer.isNative() || peerBuffer.byteSize() < PEER_BUFFER_SIZE) {
            throw new IllegalArgumentException("a peer buffer is native memory of at least " + PEER_BUFFER_SIZE
                    + " bytes (allocatePeerBuffer)");
        }
    }

    /** The socket's own address ({@code getsockname}). */
    public static SocketAddress localAddress(int fd) {
        return nameOf(fd, false);
    }

    /** The connected peer's address ({@code getpeername}). */
    public static SocketAddress peerAddress(int fd) {
        return nameOf(fd, true);
    }

    private static SocketAddress nameOf(int fd, boolean peer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment storage = arena.allocate(SOCKADDR_STORAGE);
            int r = peer ? LibSocket.getpeername(fd, storage) : LibSocket.getsockname(fd, storage);
            if (r < 0) {
                throw new NativeCallException(peer ? "getpeername" : "getsockname", -r);
            }
            return decode(storage, Math.min(r, SOCKADDR_STORAGE_SIZE));
        }
    }

    private static SocketAddress decodeUnix(MemorySegment in, int length) {
        int pathRoom = length - (int) SUN_PATH;
        if (pathRoom == 0) {
            return UnixDomainSocketAddress.of(""); // unnamed: a socketpair end or an unbound client
        }
        MemorySegment path = in.asSlice(SUN_PATH, pathRoom);
        if (path.get(JAVA_BYTE, 0) == 0) {
            throw new IllegalArgumentException("abstract AF_UNIX names cannot be expressed as UnixDomainSocketAddress");
        }
        int n = 0;
        while (n < pathRoom && path.get(JAVA_BYTE, n) != 0) {
            n++;
        }
        return UnixDomainSocketAddress.of(new String(path.asSlice(0, n).toArray(JAVA_BYTE), PATH_CHARSET));
    }

    private static SocketAddress checkSupported(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new IllegalArgumentException("unresolved address (resolve it first): " + inet);
            }
            if (!(inet.getAddress() instanceof Inet4Address || inet.getAddress() instanceof Inet6Address)) {
                throw new IllegalArgumentException("unsupported InetAddress type: " + inet.getAddress());
            }
            return address;
        }
        if (address instanceof UnixDomainSocketAddress) {
            return address;
        }
        throw new IllegalArgumentException("unsupported socket address type: " + address.getClass().getName());
    }

    private static byte[] pathBytes(UnixDomainSocketAddress unix) {
        byte[] path = unix.getPath().toString().getBytes(PATH_CHARSET);
        if (path.length >= UNIX_PATH_MAX) {
            throw new IllegalArgumentException("AF_UNIX path of " + path.length + " bytes is longer than "
                    + (UNIX_PATH_MAX - 1) + ": " + unix.getPath());
        }
        for (byte b : path) {
            if (b == 0) {
                throw new IllegalArgumentException("AF_UNIX path contains NUL: " + unix.getPath());
            }
        }
        return path;
    }

    /** Family + path + terminating NUL; the unnamed address (empty path) is just the family. */
    private static int unixLength(byte[] path) {
        return path.length == 0 ? (int) SUN_PATH : (int) SUN_PATH + path.length + 1;
    }

    private static void requireLength(int family, int length, int needed) {
        if (length < needed) {
            throw new IllegalArgumentException("sockaddr of family " + family + " needs " + needed + " bytes, got "
                    + length);
        }
    }

    private static int port(short networkOrderPort) {
        return Short.toUnsignedInt(networkOrderPort);
    }

    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * An address as a user reads it: {@code 127.0.0.1:8080}, {@code [::1]:8080} (no leading {@code /}, no host name
     * lookup), or a Unix domain socket's path.
     *
     * @param address an address
     * @return its text
     */
    public static String describe(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet) {
            java.net.InetAddress ip = inet.getAddress();
            if (ip == null) {
                return inet.getHostString() + ":" + inet.getPort();
            }
            String host = ip.getHostAddress();
            return (ip instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof java.net.UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }
}
