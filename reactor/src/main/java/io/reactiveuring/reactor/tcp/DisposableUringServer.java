package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A bound {@link UringTcpServer}: its address, and its end. {@link #disposeNow(Duration)} is the graceful drain:
 * stop accepting (new connections are refused), let the open connections finish until the deadline, then close the
 * rest; {@link #dispose()} closes everything at once. {@link #onDispose()} completes when the listener, every
 * connection and the server's own loops are gone.
 *
 * <p>Threading: safe from any thread; {@code disposeNow} blocks and must not be called on a loop thread.
 * Ownership: owns the listening socket(s), the connections, and the loops it made (not those given with
 * {@link UringTcpServer#runOn}).
 */
public final class DisposableUringServer implements Disposable {
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(3);

    private final TcpServer server;
    private final Sinks.Empty<Void> disposed = Sinks.empty();
    private final Consumer<? super DisposableUringServer> onUnbound;

    DisposableUringServer(TcpServer server, TcpTransport ownTransport, Consumer<? super DisposableUringServer> onUnbound) {
        this.server = server;
        this.onUnbound = onUnbound;
        server.onDisposeClosing(ownTransport).thenRun(() -> disposed.tryEmitEmpty());
    }

    /** @return the bound address (the port the kernel picked for port 0), or the Unix domain socket's path */
    public SocketAddress address() {
        return server.address();
    }

    /** @return the bound port, or -1 for a Unix domain socket */
    public int port() {
        return server.port();
    }

    /** @return the bound host address ({@code 127.0.0.1}, {@code ::1}), or null for a Unix domain socket */
    public String host() {
        return server.address() instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : null;
    }

    /** @return the Unix domain socket's path, or null for TCP */
    public Path path() {
        return server.address() instanceof UnixDomainSocketAddress unix ? unix.getPath() : null;
    }

    /** @return the core server (counters, callback-level control) */
    public TcpServer server() {
        return server;
    }

    /** @return connections open now */
    public int activeConnections() {
        return server.activeConnections();
    }

    /** @return connections refused because of {@link UringTcpOption#MAX_CONNECTIONS} */
    public long rejectedConnections() {
        return server.rejectedConnections();
    }

    /** @return completes once the server, its connections and its own loops are gone */
    public Mono<Void> onDispose() {
        return disposed.asMono();
    }

    /** Closes the listener and every connection at once; returns at once. */
    @Override
    public void dispose() {
        stop();
        server.dispose();
    }

    /** {@link #disposeNow(Duration)} with a 3 s drain. */
    public void disposeNow() {
        disposeNow(DEFAULT_DRAIN);
    }

    /**
     * Stops accepting (new connections are refused), lets open connections finish for up to {@code timeout}, closes
     * the rest, and waits until everything is gone, the rings of the server's own loops included.
     *
     * @param timeout how long connections may take to finish
     * @throws IllegalStateException if it did not end within {@code timeout} plus a few seconds
     */
    public void disposeNow(Duration timeout) {
        stop();
        try {
            server.disposeGracefully(timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            server.dispose();
            throw new IllegalStateException("the server " + TcpConnection.describe(server.address())
                    + " did not end in time", e);
        }
        onDispose().block(Duration.ofSeconds(15)); // after the own loops' rings are closed too
    }

    private void stop() {
        boolean first = server.isAccepting();
        server.stopAccepting().whenComplete((v, e) -> {
            if (first && onUnbound != null) {
                try {
                    onUnbound.accept(this);
                } catch (RuntimeException hookFailed) {
                    Handling.log("doOnUnbound hook failed", hookFailed);
                }
            }
        });
    }

    @Override
    public boolean isDisposed() {
        return server.isDisposed();
    }

    @Override
    public String toString() {
        return "DisposableUringServer[" + TcpConnection.describe(server.address()) + "]";
    }
}
