package io.reactiveuring.http.server;

import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A bound {@link UringHttpServer}. {@link #disposeNow(Duration)} shuts down gracefully: it stops accepting, closes
 * idle keep-alive connections at once, lets each request in progress finish (its response says
 * {@code Connection: close}) until the deadline, then closes the rest; {@link #dispose()} closes everything at once.
 * {@link #onDispose()} completes when the listener, every connection and the server's own loops are gone.
 *
 * <p>Threading: safe from any thread; {@code disposeNow} blocks and must not be called on a loop thread.
 * Ownership: owns the listening socket, the connections, and the loops it made (not those given with
 * {@link UringHttpServer#runOn}).
 */
public final class DisposableHttpServer implements Disposable {
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(3);

    private final TcpServer server;
    private final ServerState state;
    private final Sinks.Empty<Void> disposed = Sinks.empty();

    DisposableHttpServer(TcpServer server, TcpTransport ownTransport, ServerState state) {
        this.server = server;
        this.state = state;
        server.onDisposeClosing(ownTransport).thenRun(() -> disposed.tryEmitEmpty());
    }

    /** @return the bound address (the port the kernel picked for port 0) */
    public SocketAddress address() {
        return server.address();
    }

    /** @return the bound port */
    public int port() {
        return server.port();
    }

    /** @return the bound host address ({@code 127.0.0.1}) */
    public String host() {
        return server.address() instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : null;
    }

    /** @return the core server (counters) */
    public TcpServer server() {
        return server;
    }

    /** @return connections open now */
    public int activeConnections() {
        return server.activeConnections();
    }

    /** @return completes once the server, its connections and its own loops are gone */
    public Mono<Void> onDispose() {
        return disposed.asMono();
    }

    /** Closes the listener and every connection at once; returns at once. */
    @Override
    public void dispose() {
        state.shuttingDown = true;
        server.dispose();
    }

    /** {@link #disposeNow(Duration)} with a 3 s drain. */
    public void disposeNow() {
        disposeNow(DEFAULT_DRAIN);
    }

    /**
     * Stops accepting, closes idle connections, lets requests in progress finish for up to {@code timeout}, closes
     * the rest, and waits until everything is gone.
     *
     * @param timeout how long requests in progress may take
     * @throws IllegalStateException if it did not end within {@code timeout} plus a few seconds
     */
    public void disposeNow(Duration timeout) {
        server.stopAccepting();
        state.shutDownConnections();
        try {
            server.disposeGracefully(timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            server.dispose();
            throw new IllegalStateException("the server " + TcpConnection.describe(server.address())
                    + " did not end in time", e);
        }
        onDispose().block(Duration.ofSeconds(15));
    }

    @Override
    public boolean isDisposed() {
        return server.isDisposed();
    }

    @Override
    public String toString() {
        return "DisposableHttpServer[" + TcpConnection.describe(server.address()) + "]";
    }
}
