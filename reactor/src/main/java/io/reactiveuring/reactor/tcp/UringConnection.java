package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.tcp.ReactiveConnection;
import io.reactiveuring.core.tcp.TcpConnection;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * One connection on the ring, Reactor-shaped: its {@link #inbound()} and {@link #outbound()}, its addresses, and its
 * end ({@link #onDispose()}, {@link #dispose()}). What a server's {@code doOnConnection} and a client's
 * {@link UringTcpClient#connect()} give.
 *
 * <p>Threading: safe from any thread; the connection's signals arrive on its loop thread. Ownership: the connection
 * is its loop's; {@link #dispose()} closes it.
 */
public final class UringConnection implements Disposable {
    private final ReactiveConnection reactive;
    private final TcpConnection connection;
    private final UringInbound inbound;
    private final UringOutbound outbound;
    private final Mono<Void> onDispose;

    UringConnection(ReactiveConnection reactive) {
        this.reactive = reactive;
        this.connection = reactive.connection();
        this.onDispose = Mono.from(reactive.onClose()).cache();
        this.inbound = new UringInbound(this);
        this.outbound = new UringOutbound(this, null);
    }

    /** @return the received bytes */
    public UringInbound inbound() {
        return inbound;
    }

    /** @return the sends, an empty chain */
    public UringOutbound outbound() {
        return outbound;
    }

    /** @return the core connection (callback API, counters) */
    public TcpConnection connection() {
        return connection;
    }

    /** @return the peer's address */
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /** @return this side's address */
    public SocketAddress address() {
        return connection.localAddress();
    }

    /** @return completes once the connection has closed (whatever the cause) */
    public Mono<Void> onDispose() {
        return onDispose;
    }

    /** @return why the connection closed, or null (open, or an orderly close) */
    public Throwable closeCause() {
        return connection.closeFuture().getNow(null);
    }

    /** Closes the connection: what was queued is still sent first. */
    @Override
    public void dispose() {
        connection.close();
    }

    /**
     * Closes the connection and waits until it has closed.
     *
     * @param timeout how long at most
     */
    public void disposeNow(Duration timeout) {
        dispose();
        onDispose.block(timeout);
    }

    @Override
    public boolean isDisposed() {
        return !connection.isOpen();
    }

    ReactiveConnection reactive() {
        return reactive;
    }

    BufferAllocator allocator() {
        return connection.allocator();
    }

    @Override
    public String toString() {
        return "UringConnection[" + connection.describe() + "]";
    }
}
