package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.tcp.ConnectionHandler;
import io.reactiveuring.core.tcp.ReactiveConnection;
import io.reactiveuring.core.tcp.TcpConnection;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The glue between a core connection and a Reactor handler: each connection becomes a {@link ReactiveConnection}
 * wrapped as a {@link UringConnection}; the connection hook runs, then the handler, whose {@code Publisher<Void>}
 * is subscribed: its completion closes the connection in order (what was queued is sent first), its error (or an
 * exception from the handler itself) closes it with that error and is logged. Only that connection is affected.
 * When the connection closes first, the handler's subscription is cancelled.
 *
 * <p>Threading: runs on the connection's loop thread. Stateless apart from the functions it is given.
 */
final class Handling {
    static final Logger LOG = Loggers.getLogger("io.reactiveuring.reactor.tcp");

    private Handling() {
    }

    /**
     * Logs a failed handler. A log write may block: the BlockHound integration allows it inside this method (on a
     * loop thread it is the one blocking call accepted, rare and better than losing the error).
     */
    static void logFailure(TcpConnection core, Throwable error) {
        log("connection handler failed on " + core.describe() + "; closing that connection", error);
    }

    /** Logs an error at ERROR level; the one place of the TCP shell that writes to a log (see {@link #logFailure}). */
    static void log(String message, Throwable error) {
        try {
            LOG.error(message, error);
        } catch (RuntimeException logFailed) {
            // a broken logger must not break the caller (a loop thread)
        }
    }

    /** The handler factory for a server or client with these hooks. */
    static java.util.function.Function<TcpConnection, ConnectionHandler> handlers(
            Consumer<? super UringConnection> onConnection,
            BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler) {
        return c -> new ReactiveConnection(rc -> run(new UringConnection(rc), onConnection, handler));
    }

    static void run(UringConnection connection, Consumer<? super UringConnection> onConnection,
                    BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler) {
        TcpConnection core = connection.connection();
        Publisher<Void> result;
        try {
            if (onConnection != null) {
                onConnection.accept(connection);
            }
            if (handler == null) {
                return; // no handler: the connection stays open until a side closes it
            }
            result = handler.apply(connection.inbound(), connection.outbound());
            if (result == null) {
                throw new NullPointerException("the connection handler returned null");
            }
        } catch (RuntimeException e) {
            logFailure(core, e);
            core.close(e);
            return;
        }
        Disposable handling = Mono.from(result).subscribe(
                ignored -> {
                },
                error -> {
                    if (core.isOpen()) {
                        logFailure(core, error);
                    }
                    core.close(error);
                },
                core::close);
        connection.onDispose().subscribe(null, null, handling::dispose);
    }
}
