package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.ops.SocketOps;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * A client's connect: a socket (synchronous {@code socket(2)}, {@code CLOEXEC}), its options, then
 * {@code IORING_OP_CONNECT} to the peer, linked to a {@code LINK_TIMEOUT} when a connect timeout is set. On success
 * the socket becomes a {@link TcpConnection} on this loop; on failure it is closed and the future fails with a
 * {@link java.net.ConnectException} (or the JDK's narrower socket error) or a {@link ConnectionTimeoutException}.
 *
 * <p>Threading: loop thread. Ownership: the sockaddr is held until the connect's final CQE; the fd until it
 * became the connection's or was closed.
 */
final class ConnectOperation extends UringOperation {
    private final LoopTcp loopTcp;
    private final SocketAddress remote;
    private final TcpOptions options;
    private final ConnectionHandler handler;
    private final CompletableFuture<TcpConnection> result;
    private final boolean unix;
    private int fd = -1;
    private UringBuffer sockaddr;
    private TimeoutOp timeout;
    private int pending;
    private int connectRes;

    ConnectOperation(LoopTcp loopTcp, SocketAddress remote, TcpOptions options, ConnectionHandler handler,
                     CompletableFuture<TcpConnection> result) {
        this.loopTcp = loopTcp;
        this.remote = remote;
        this.options = options;
        this.handler = handler;
        this.result = result;
        this.unix = SocketAddresses.family(remote) == Sockets.AF_UNIX;
    }

    void start() {
        int family = SocketAddresses.family(remote);
        fd = LibSocket.socket(family, Sockets.SOCK_STREAM, 0);
        if (fd < 0) {
            result.completeExceptionally(connectError(fd, remote));
            return;
        }
        int r = SocketSetup.applyToConnection(fd, options, unix);
        if (r < 0) {
            LibC.close(fd);
            result.completeExceptionally(connectError(r, remote));
            return;
        }
        try {
            int size = SocketAddresses.encodedSize(remote);
            sockaddr = loopTcp.allocator.allocate(size);
            SocketAddresses.encode(remote, sockaddr.segment());
            spec(SocketOps.connect(fd, sockaddr.segment().asSlice(0, size)));
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        attach(new OwnedResource() {
            @Override
            public void release() {
                released();
            }

            @Override
            public void keep() {
                sockaddr = null; // the loop ended under the connect: the kernel may still read it
                settle();
            }
        });
        pending = 1;
        if (options.connectTimeout() != null) {
            timeout = new TimeoutOp();
            timeout.spec(OpSpec.linkTimeout(options.connectTimeout()));
            pending = 2;
            loopTcp.loop.submitLinked(this, timeout);
        } else {
            loopTcp.loop.submit(this);
        }
    }

    @Override
    protected void onCompletion(int res, int flags) {
        connectRes = res;
    }

    /** The connect's final CQE was delivered: its sockaddr is free. */
    private void released() {
        UringBuffer s = sockaddr;
        sockaddr = null;
        if (s != null) {
            s.release();
        }
        settle();
    }

    private void settle() {
        if (--pending > 0) {
            return;
        }
        int res = connectRes;
        if (res == 0) {
            TcpConnection c = new TcpConnection(loopTcp, fd, options, null, remote);
            fd = -1;
            c.start(handler);
            result.complete(c);
            return;
        }
        if (timeout != null && timeout.fired) {
            fail(new ConnectionTimeoutException(ConnectionTimeoutException.Kind.CONNECT, options.connectTimeout(),
                    "CONNECT " + TcpConnection.describe(remote)));
        } else if (res == -Errno.ECANCELED && loopTcp.loop.isShuttingDown()) {
            fail(new io.reactiveuring.core.UringCancelledException("CONNECT " + TcpConnection.describe(remote),
                    "the ring's loop ended"));
        } else {
            fail(connectError(res, remote));
        }
    }

    private void fail(Throwable error) {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
        UringBuffer s = sockaddr;
        if (s != null && !isInFlight()) {
            sockaddr = null;
            s.release();
        }
        result.completeExceptionally(error);
    }

    @Override
    public String describe() {
        return "CONNECT fd=" + fd + " " + TcpConnection.describe(remote);
    }

    /** The connect's kernel-side timeout: {@code -ETIME} when it fired (the connect then ends ECANCELED). */
    private final class TimeoutOp extends UringOperation {
        boolean fired;

        @Override
        protected void onCompletion(int res, int flags) {
            fired = res == -Errno.ETIME;
            settle();
        }
    }

    /** {@code ECONNREFUSED (111) from CONNECT 127.0.0.1:4000: connection refused}, as the JDK's type for it. */
    private static Exception connectError(int res, SocketAddress remote) {
        return UringErrors.ofConnect(res, "CONNECT " + TcpConnection.describe(remote));
    }
}
