package io.reactiveuring.core.tcp;

import io.reactiveuring.core.binding.LibSocket;

import static io.reactiveuring.core.linux.Sockets.*;

/**
 * The socket options of {@link TcpOptions} applied to a connection's socket (synchronous {@code setsockopt}, a few
 * short syscalls per connection). Options that do not exist for Unix domain sockets ({@code TCP_NODELAY},
 * {@code SO_KEEPALIVE}) are skipped there. Stateless; any thread.
 */
final class SocketSetup {
    private SocketSetup() {
    }

    /** @return 0, or the {@code -errno} of the first option the kernel refused */
    static int applyToConnection(int fd, TcpOptions o, boolean unix) {
        int r = 0;
        if (!unix) {
            if (o.tcpNoDelay()) {
                r = first(r, LibSocket.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1));
            }
            if (o.keepAlive()) {
                r = first(r, LibSocket.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1));
            }
        }
        if (o.receiveBufferSize() > 0) {
            r = first(r, LibSocket.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, o.receiveBufferSize()));
        }
        if (o.sendBufferSize() > 0) {
            r = first(r, LibSocket.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, o.sendBufferSize()));
        }
        return r;
    }

    private static int first(int soFar, int r) {
        return soFar < 0 ? soFar : Math.min(r, 0);
    }
}
