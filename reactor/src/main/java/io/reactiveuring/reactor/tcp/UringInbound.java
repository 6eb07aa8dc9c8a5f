package io.reactiveuring.reactor.tcp;

import io.reactiveuring.reactor.UringBufferFlux;

/**
 * The receiving half of a {@link UringConnection}, as a handler sees it: {@link #receive()}.
 *
 * <p>Threading: safe from any thread; signals arrive on the connection's loop thread. Ownership: see
 * {@link UringBufferFlux}.
 */
public final class UringInbound {
    private final UringConnection connection;
    private final UringBufferFlux receive;

    UringInbound(UringConnection connection) {
        this.connection = connection;
        this.receive = UringBufferFlux.lent(connection.reactive().inbound(), connection.allocator());
    }

    /**
     * @return the received bytes, following demand, ending at the peer's end of stream (or with the connection's
     * error); one subscriber per connection
     */
    public UringBufferFlux receive() {
        return receive;
    }

    /** @return the connection this is the inbound of */
    public UringConnection connection() {
        return connection;
    }
}
