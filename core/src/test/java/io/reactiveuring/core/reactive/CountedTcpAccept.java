package io.reactiveuring.core.reactive;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.reactive.NetCalls.Accepted;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A multishot accept (the real {@link MultishotCalls#accept} call) that yields exactly {@code elements}
 * connections, then completes: a test fixture for the TCK.
 *
 * <p>The source is a TCP listener on the loopback: each {@link #item} (loop thread, CQE order) connects the next
 * client (a blocking loopback connect: the handshake is done when it returns, the connection waits in the backlog
 * until accepted, and the client is closed at once: the accepted socket stays valid). After the last element the
 * listener is shut down, which ends the kernel's accept with {@code -EINVAL} and so completes the stream.
 * {@code Long.MAX_VALUE} elements: never ends. The TCK's subscribers never close what they receive, so the fixture
 * closes the accepted fds it handed out in {@link #release()} (after the op's final CQE), and the listener.
 * Created on the loop thread, at the subscription's first arm.
 */
final class CountedTcpAccept implements MultishotCall<Accepted> {
    private final long elements;
    private final int listenFd;
    private final SocketAddress address;
    private final MultishotCall<Accepted> accept;
    private final List<Integer> handedOut = new ArrayList<>();
    private long connected;
    private boolean shutDown;

    CountedTcpAccept(long elements) {
        this.elements = elements;
        listenFd = LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0);
        if (listenFd < 0) {
            throw new IllegalStateException("socket: " + listenFd);
        }
        try (Arena a = Arena.ofConfined()) {
            if (LibSocket.bind(listenFd, SocketAddresses.allocate(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), a)) != 0
                    || LibSocket.listen(listenFd, 64) != 0) {
                LibC.close(listenFd);
                throw new IllegalStateException("cannot listen on the loopback");
            }
        }
        address = SocketAddresses.localAddress(listenFd);
        accept = MultishotCalls.accept(listenFd).get();
        produceNext();
    }

    /** The next connection, or the listener's shutdown once every element was connected. */
    private void produceNext() {
        if (elements == Long.MAX_VALUE || connected < elements) {
            connected++;
            try {
                SocketChannel.open(address).close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (!shutDown) {
            shutDown = true;
            LibSocket.shutdown(listenFd, Sockets.SHUT_RDWR);
        }
    }

    @Override
    public OpSpec spec() {
        return accept.spec();
    }

    @Override
    public boolean completesOn(int res) {
        return accept.completesOn(res);
    }

    @Override
    public Accepted item(int res, int flags) {
        Accepted a = accept.item(res, flags);
        handedOut.add(a.fd());
        produceNext();
        return a;
    }

    @Override
    public void discard(Accepted item) {
        handedOut.remove(Integer.valueOf(item.fd()));
        accept.discard(item);
    }

    @Override
    public void release() {
        handedOut.forEach(LibC::close);
        handedOut.clear();
        accept.release();
        LibC.close(listenFd);
    }
}
