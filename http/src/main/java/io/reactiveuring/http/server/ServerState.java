package io.reactiveuring.http.server;

import io.reactiveuring.http.codec.HttpDateCache;
import org.reactivestreams.Publisher;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * What the connections of one bound server share: the handler, the options, the date cache, the set of open
 * connections (for a graceful shutdown) and whether the server is shutting down.
 *
 * <p>Threading: the fields are final or volatile; the set is concurrent. Ownership: none of the connections' memory.
 */
final class ServerState {
    static final Logger LOG = Loggers.getLogger(UringHttpServer.class);

    final BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler;
    final HttpCallbackHandler callbackHandler;
    final HttpServerOptions options;
    final HttpDateCache dates = HttpDateCache.system();
    final Set<HttpServerConnection> connections = ConcurrentHashMap.newKeySet();
    /** Asked for at bind (not in a static field), so that it follows the logger factory in use then. */
    final Logger accessLog;
    volatile boolean shuttingDown;

    ServerState(BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler,
                HttpCallbackHandler callbackHandler, HttpServerOptions options) {
        this.handler = handler;
        this.callbackHandler = callbackHandler;
        this.options = options;
        this.accessLog = options.accessLog() ? Loggers.getLogger("io.reactiveuring.http.server.AccessLog") : null;
    }

    /** Closes idle connections and makes busy ones close after their current response. */
    void shutDownConnections() {
        shuttingDown = true;
        for (HttpServerConnection c : connections) {
            c.onLoop(c::closeWhenIdle);
        }
    }
}
