package io.reactiveuring.http.server;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;
import io.reactiveuring.http.codec.HttpDecoderOptions;
import io.reactiveuring.reactor.NonBlockingLoopThreads;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * An HTTP/1.1 server on the ring, configured like Reactor Netty's {@code HttpServer}:
 * <pre>{@code
 * DisposableHttpServer server = UringHttpServer.create()
 *         .port(8080)
 *         .route(routes -> routes
 *                 .get("/hello", (req, res) -> res.sendString(Mono.just("Hello")))
 *                 .get("/users/{id}", (req, res) -> res.sendString(Mono.just("user " + req.param("id")))))
 *         .bindNow();
 * }</pre>
 * Each connection is a TCP connection of the ring driven by the server's callbacks (decoder, handler, encoder,
 * writes gathered per loop turn); the handler runs on the connection's loop thread. See the package documentation
 * for the connection rules. Out of scope: TLS and HTTP/2.
 *
 * <p>Immutable: every method returns a new configured server; {@link #bind()} may be called any number of times.
 *
 * <p>Threading: safe from any thread; {@link #bindNow()} blocks (not on a loop thread). Ownership: a bound server
 * owns the loops it made (ended by its disposal), not a transport given to {@link #runOn(TcpTransport)}.
 */
public final class UringHttpServer {
    private static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(45);

    private final String host;
    private final int port;
    private final SocketAddress bindAddress;
    private final HttpServerOptions options;
    private final TcpOptions tcp;
    private final int loops;
    private final TcpTransport transport;
    private final BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler;
    private final HttpCallbackHandler callbackHandler;

    private UringHttpServer(String host, int port, SocketAddress bindAddress, HttpServerOptions options,
                            TcpOptions tcp, int loops, TcpTransport transport,
                            BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler,
                            HttpCallbackHandler callbackHandler) {
        this.host = host;
        this.port = port;
        this.bindAddress = bindAddress;
        this.options = options;
        this.tcp = tcp;
        this.loops = loops;
        this.transport = transport;
        this.handler = handler;
        this.callbackHandler = callbackHandler;
    }

    /**
     * @return a server for {@code localhost}, port 0 (the kernel picks one), default options, one loop per core,
     * answering {@code 404} to everything until a handler or routes are set
     */
    public static UringHttpServer create() {
        return new UringHttpServer(null, 0, null, HttpServerOptions.defaults(), TcpOptions.defaults(),
                Runtime.getRuntime().availableProcessors(), null, null, null);
    }

    private UringHttpServer with(String h, int p, SocketAddress a, HttpServerOptions o, TcpOptions t, int l,
                                 TcpTransport tr,
                                 BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> hd,
                                 HttpCallbackHandler cb) {
        return new UringHttpServer(h, p, a, o, t, l, tr, hd, cb);
    }

    /**
     * @param host a host name or address to bind (resolved at bind)
     * @return a copy binding there
     */
    public UringHttpServer host(String host) {
        return with(Objects.requireNonNull(host, "host"), port, null, options, tcp, loops, transport, handler,
                callbackHandler);
    }

    /**
     * @param port the TCP port, 0 for any
     * @return a copy binding it
     */
    public UringHttpServer port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
        }
        return with(host, port, null, options, tcp, loops, transport, handler, callbackHandler);
    }

    /**
     * @param address where to listen (an {@link InetSocketAddress}); replaces host and port
     * @return a copy binding there
     */
    public UringHttpServer bindAddress(SocketAddress address) {
        return with(host, port, Objects.requireNonNull(address, "address"), options, tcp, loops, transport, handler,
                callbackHandler);
    }

    /**
     * @param handler answers every request; its {@code Publisher<Void>} ending (or failing) ends the response
     * @return a copy with it (replacing routes or a callback handler)
     */
    public UringHttpServer handle(
            BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return with(host, port, bindAddress, options, tcp, loops, transport, Objects.requireNonNull(handler, "handler"),
                null);
    }

    /**
     * @param routes configures the routes
     * @return a copy routing with them (replacing a handler)
     */
    public UringHttpServer route(Consumer<? super HttpServerRoutes> routes) {
        HttpServerRoutes r = new HttpServerRoutes();
        Objects.requireNonNull(routes, "routes").accept(r);
        return handle(r);
    }

    /**
     * @param handler the native handler, called on the loop thread with no {@code Publisher}
     * @return a copy with it (replacing a handler or routes)
     */
    public UringHttpServer handleNative(HttpCallbackHandler handler) {
        return with(host, port, bindAddress, options, tcp, loops, transport, null,
                Objects.requireNonNull(handler, "handler"));
    }

    /**
     * @param options the HTTP settings
     * @return a copy with them
     */
    public UringHttpServer options(HttpServerOptions options) {
        return with(host, port, bindAddress, Objects.requireNonNull(options, "options"), tcp, loops, transport,
                handler, callbackHandler);
    }

    /**
     * @param value the decoder's limits
     * @return a copy with them
     */
    public UringHttpServer decoderOptions(HttpDecoderOptions value) {
        return options(options.withDecoder(value));
    }

    /**
     * @param timeout idle timeout of a connection, null for none
     * @return a copy with it
     */
    public UringHttpServer idleTimeout(Duration timeout) {
        return options(options.withIdleTimeout(timeout));
    }

    /**
     * @param timeout how long a request's header section may take from its first byte (slowloris), null for none
     * @return a copy with it
     */
    public UringHttpServer readTimeout(Duration timeout) {
        return options(options.withHeaderTimeout(timeout));
    }

    /**
     * @param n requests per connection, 0 for no limit
     * @return a copy with it
     */
    public UringHttpServer maxKeepAliveRequests(int n) {
        return options(options.withMaxKeepAliveRequests(n));
    }

    /**
     * @param n connections open at once, 0 for no limit
     * @return a copy with it
     */
    public UringHttpServer maxConnections(int n) {
        return options(options.withMaxConnections(n));
    }

    /**
     * @param on true to log each response to {@code io.reactiveuring.http.server.AccessLog}
     * @return a copy with it
     */
    public UringHttpServer accessLog(boolean on) {
        return options(options.withAccessLog(on));
    }

    /**
     * @param options socket settings (backlog, {@code TCP_NODELAY}, buffer sizes, watermarks); the idle timeout and
     *                connection limit come from the HTTP options
     * @return a copy with them
     */
    public UringHttpServer tcpOptions(TcpOptions options) {
        return with(host, port, bindAddress, this.options, Objects.requireNonNull(options, "options"), loops,
                transport, handler, callbackHandler);
    }

    /**
     * @param n the number of loops (threads with a ring each) of the server's own transport
     * @return a copy with it
     */
    public UringHttpServer loops(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("loops must be positive: " + n);
        }
        return with(host, port, bindAddress, options, tcp, n, transport, handler, callbackHandler);
    }

    /**
     * @param transport loops to run on (not closed by the server's disposal)
     * @return a copy running there
     */
    public UringHttpServer runOn(TcpTransport transport) {
        return with(host, port, bindAddress, options, tcp, loops, Objects.requireNonNull(transport, "transport"),
                handler, callbackHandler);
    }

    /** @return the HTTP settings so far */
    public HttpServerOptions configuration() {
        return options;
    }

    /**
     * Binds when subscribed.
     *
     * @return the bound server, or an error: a {@link java.net.BindException} naming the address, an
     * {@link UnknownHostException}, ...
     */
    public Mono<DisposableHttpServer> bind() {
        return Mono.defer(() -> {
            SocketAddress address;
            try {
                address = address();
            } catch (UnknownHostException e) {
                return Mono.error(e);
            }
            ServerState state = new ServerState(
                    handler == null && callbackHandler == null ? (req, res) -> res.sendNotFound() : handler,
                    callbackHandler, options);
            TcpOptions socket = tcp.withMaxConnections(options.maxConnections())
                    .withIdleTimeout(options.idleTimeout());
            TcpTransport own = transport == null ? TcpTransport.create(loops, loopOptions(), TcpTransport.Buffers
                    .defaults()) : null;
            TcpTransport on = own != null ? own : transport;
            return Mono.fromFuture(on.bind(address, socket, c -> new HttpServerConnection(state, c)))
                    .map((TcpServer s) -> new DisposableHttpServer(s, own, state))
                    .doOnError(e -> {
                        if (own != null) {
                            own.close();
                        }
                    });
        });
    }

    /** @return {@link #bind()}, waited for up to 45 s */
    public DisposableHttpServer bindNow() {
        return bindNow(DEFAULT_BIND_TIMEOUT);
    }

    /**
     * @param timeout how long to wait
     * @return the bound server
     */
    public DisposableHttpServer bindNow(Duration timeout) {
        return Objects.requireNonNull(bind().block(timeout), "bind completed empty");
    }

    private SocketAddress address() throws UnknownHostException {
        if (bindAddress != null) {
            return bindAddress;
        }
        InetAddress a = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        return new InetSocketAddress(a, port);
    }

    private static LoopOptions loopOptions() {
        return TcpTransport.loopOptions()
                .withThreadName("uring-http")
                .withThreadFactory(NonBlockingLoopThreads.INSTANCE)
                .withErrorHook(t -> Operators.onErrorDropped(t, Context.empty()));
    }
}
