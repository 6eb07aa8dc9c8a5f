package io.reactiveuring.core.linux;

/**
 * Socket constants, named and valued as in include/linux/socket.h, include/uapi/asm-generic/socket.h,
 * include/uapi/linux/tcp.h, in.h, in6.h and asm-generic/fcntl.h (identical on x86_64 and aarch64): address families,
 * socket types, option levels and names, {@code shutdown(2)} modes, {@code MSG_*} flags and the {@code fcntl(2)}
 * commands the library uses. Stateless; safe from any thread.
 */
public final class Sockets {
    private Sockets() {
    }

    // address families (include/linux/socket.h)
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    // socket types and type flags
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    // socket option levels and names
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_RCVBUF = 8;
    public static final int SO_REUSEPORT = 15;
    /** 1 while the socket is listening (read-only). */
    public static final int SO_ACCEPTCONN = 30;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;

    // shutdown(2) how
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // send/recv flags (msg_flags)
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_EOR = 0x80;
    public static final int MSG_WAITALL = 0x100;
    public static final int MSG_NOSIGNAL = 0x4000;

    // fcntl(2)
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = FileFlags.O_NONBLOCK;

    /** The kernel's default cap on the listen backlog ({@code net.core.somaxconn}). */
    public static final int SOMAXCONN = 4096;
}
