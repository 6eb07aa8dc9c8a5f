package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;
import io.reactiveuring.reactor.NonBlockingLoopThreads;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A TCP server on io_uring with the shape Reactor Netty users know:
 * <pre>{@code
 * DisposableUringServer server = UringTcpServer.create()
 *         .host("127.0.0.1").port(8080)
 *         .option(UringTcpOption.MAX_CONNECTIONS, 10_000)
 *         .handle((in, out) -> out.send(in.receive().retain()))   // echo
 *         .bindNow();
 * ...
 * server.disposeNow(Duration.ofSeconds(5));                      // graceful drain
 * }</pre>
 * Each connection runs on one of the server's loops (one per core by default, {@link #loops(int)}); the handler
 * and every signal of the connection run on that loop's thread (a Reactor {@code NonBlocking} thread). The
 * handler's {@code Publisher<Void>} ending closes the connection (in order: what was queued is sent first); its
 * error, or a reset by the peer, closes only that connection. Addresses: IPv4, IPv6 ({@link #host(String)}) and Unix
 * domain sockets ({@link #bindAddress(SocketAddress)} with a {@link UnixDomainSocketAddress}, or {@link #path}).
 *
 * <p>Immutable: every method returns a new configured server; {@link #bind()} may be called any number of times.
 *
 * <p>Threading: safe from any thread; {@link #bindNow()} blocks (not on a loop thread). Ownership: a bound server
 * owns the loops it made (closed by its disposal), not a transport given to {@link #runOn(TcpTransport)}.
 */
public final class UringTcpServer {
    private static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(45);

    private final String host;
    private final int port;
    private final SocketAddress bindAddress;
    private final TcpOptions options;
    private final int loops;
    private final TcpTransport.Buffers buffers;
    private final TcpTransport transport;
    private final BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler;
    private final Consumer<? super UringConnection> doOnConnection;
    private final Consumer<? super DisposableUringServer> doOnBound;
    private final Consumer<? super DisposableUringServer> doOnUnbound;

    private UringTcpServer(String host, int port, SocketAddress bindAddress, TcpOptions options, int loops,
                           TcpTransport.Buffers buffers, TcpTransport transport,
                           BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler,
                           Consumer<? super UringConnection> doOnConnection,
                           Consumer<? super DisposableUringServer> doOnBound,
                           Consumer<? super DisposableUringServer> doOnUnbound) {
        this.host = host;
        this.port = port;
        this.bindAddress = bindAddress;
        this.options = options;
        this.loops = loops;
        this.buffers = buffers;
        this.transport = transport;
        this.handler = handler;
        this.doOnConnection = doOnConnection;
        this.doOnBound = doOnBound;
        this.doOnUnbound = doOnUnbound;
    }

    /**
     * @return a server for {@code localhost}, port 0 (the kernel picks one), default options, one loop per core,
     * no handler (connections stay open until a side closes them)
     */
    public static UringTcpServer create() {
        return new UringTcpServer(null, 0, null, TcpOptions.defaults(), Runtime.getRuntime().availableProcessors(),
                TcpTransport.Buffers.defaults(), null, null, null, null, null);
    }

    private UringTcpServer with(String host, int port, SocketAddress bindAddress, TcpOptions options, int loops,
                                TcpTransport.Buffers buffers, TcpTransport transport) {
        return new UringTcpServer(host, port, bindAddress, options, loops, buffers, transport, handler,
                doOnConnection, doOnBound, doOnUnbound);
    }

    /**
     * @param host a host name or address to bind (resolved at bind)
     * @return a copy binding there
     */
    public UringTcpServer host(String host) {
        return with(Objects.requireNonNull(host, "host"), port, null, options, loops, buffers, transport);
    }

    /**
     * @param port the TCP port, 0 for any
     * @return a copy binding it
     */
    public UringTcpServer port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
        }
        return with(host, port, null, options, loops, buffers, transport);
    }

    /**
     * @param address an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}; replaces host and port
     * @return a copy binding there
     */
    public UringTcpServer bindAddress(SocketAddress address) {
        return with(host, port, Objects.requireNonNull(address, "address"), options, loops, buffers, transport);
    }

    /**
     * @param path a Unix domain socket path (must not exist yet)
     * @return a copy listening there
     */
    public UringTcpServer path(Path path) {
        return bindAddress(UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")));
    }

    /**
     * @param option an option
     * @param value  its value
     * @param <T>    its type
     * @return a copy with it
     */
    public <T> UringTcpServer option(UringTcpOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        return with(host, port, bindAddress, option.apply(options, value), loops, buffers, transport);
    }

    /**
     * @param options every option at once
     * @return a copy with them
     */
    public UringTcpServer options(TcpOptions options) {
        return with(host, port, bindAddress, Objects.requireNonNull(options, "options"), loops, buffers, transport);
    }

    /**
     * @param n how many loops (threads, rings) the server makes, at least 1
     * @return a copy with them
     */
    public UringTcpServer loops(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("loops must be at least 1: " + n);
        }
        return with(host, port, bindAddress, options, n, buffers, transport);
    }

    /**
     * @param entries buffers in each loop's provided-buffer ring (a power of two)
     * @param size    bytes per buffer
     * @return a copy with that ring size
     */
    public UringTcpServer ringBuffers(int entries, int size) {
        TcpTransport.Buffers b = new TcpTransport.Buffers(entries, size, buffers.plainBufferSize());
        return with(host, port, bindAddress, options, loops, b, transport);
    }

    /**
     * @param transport existing loops to run on (not closed by the server)
     * @return a copy running there
     */
    public UringTcpServer runOn(TcpTransport transport) {
        return with(host, port, bindAddress, options, loops, buffers, Objects.requireNonNull(transport, "transport"));
    }

    /**
     * @param handler for each connection: receives from the inbound, returns what to send; its end closes the
     *                connection
     * @return a copy with it
     */
    public UringTcpServer handle(
            BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler) {
        return new UringTcpServer(host, port, bindAddress, options, loops, buffers, transport,
                Objects.requireNonNull(handler, "handler"), doOnConnection, doOnBound, doOnUnbound);
    }

    /**
     * @param hook runs for each connection before the handler, on its loop
     * @return a copy with it
     */
    public UringTcpServer doOnConnection(Consumer<? super UringConnection> hook) {
        return new UringTcpServer(host, port, bindAddress, options, loops, buffers, transport, handler,
                Objects.requireNonNull(hook, "hook"), doOnBound, doOnUnbound);
    }

    /**
     * @param hook runs once the server is bound
     * @return a copy with it
     */
    public UringTcpServer doOnBound(Consumer<? super DisposableUringServer> hook) {
        return new UringTcpServer(host, port, bindAddress, options, loops, buffers, transport, handler,
                doOnConnection, Objects.requireNonNull(hook, "hook"), doOnUnbound);
    }

    /**
     * @param hook runs once the server stopped listening
     * @return a copy with it
     */
    public UringTcpServer doOnUnbound(Consumer<? super DisposableUringServer> hook) {
        return new UringTcpServer(host, port, bindAddress, options, loops, buffers, transport, handler,
                doOnConnection, doOnBound, Objects.requireNonNull(hook, "hook"));
    }

    /** @return the options so far */
    public TcpOptions configuration() {
        return options;
    }

    /**
     * Binds when subscribed: the address is resolved, the listener bound and the accepts armed.
     *
     * @return the bound server, or an error: a {@link java.net.BindException} naming the
     * address ({@code EADDRINUSE}), an {@link UnknownHostException}, ...
     */
    public Mono<DisposableUringServer> bind() {
        return Mono.defer(() -> {
            SocketAddress address;
            try {
                address = address();
            } catch (UnknownHostException e) {
                return Mono.error(e);
            }
            TcpTransport own = transport == null ? TcpTransport.create(loops, loopOptions(), buffers) : null;
            TcpTransport on = own != null ? own : transport;
            return Mono.fromFuture(on.bind(address, options, Handling.handlers(doOnConnection, handler)))
                    .map(s -> bound(s, own))
                    .doOnError(e -> {
                        if (own != null) {
                            own.close();
                        }
                    });
        });
    }

    private DisposableUringServer bound(TcpServer s, TcpTransport own) {
        DisposableUringServer d = new DisposableUringServer(s, own, doOnUnbound);
        if (doOnBound != null) {
            try {
                doOnBound.accept(d);
            } catch (RuntimeException e) {
                d.dispose();
                throw e;
            }
        }
        return d;
    }

    /** @return {@link #bind()}, waited for up to 45 s */
    public DisposableUringServer bindNow() {
        return bindNow(DEFAULT_BIND_TIMEOUT);
    }

    /**
     * @param timeout how long to wait
     * @return the bound server
     */
    public DisposableUringServer bindNow(Duration timeout) {
        return Objects.requireNonNull(bind().block(timeout), "bind completed empty");
    }

    private SocketAddress address() throws UnknownHostException {
        if (bindAddress != null) {
            return bindAddress;
        }
        InetAddress a = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        return new InetSocketAddress(a, port);
    }

    /** The transport's loop options with Reactor's thread marker and error hook. */
    static LoopOptions loopOptions() {
        return TcpTransport.loopOptions()
                .withThreadName("uring-tcp")
                .withThreadFactory(NonBlockingLoopThreads.INSTANCE)
                .withErrorHook(t -> Operators.onErrorDropped(t, Context.empty()));
    }
}
