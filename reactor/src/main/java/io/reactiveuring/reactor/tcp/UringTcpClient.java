package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.tcp.ReactiveConnection;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpTransport;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A TCP client on io_uring with the shape Reactor Netty users know:
 * <pre>{@code
 * UringConnection c = UringTcpClient.create().host("127.0.0.1").port(8080).connectNow();
 * c.outbound().sendString(Mono.just("hello")).then().subscribe();
 * c.inbound().receive().asString().subscribe(System.out::println);
 * }</pre>
 * Connections run on a transport shared by every client that is not given one ({@link #runOn}): one loop per core,
 * made on first use, ended with the JVM. A handler ({@link #handle}) runs like a server's: its end closes the
 * connection.
 *
 * <p>Immutable: every method returns a new configured client; {@link #connect()} may be called any number of times.
 *
 * <p>Threading: safe from any thread; {@link #connectNow()} blocks. Ownership: a connection is closed by its
 * {@code dispose()}, by its handler's end, or with its transport.
 */
public final class UringTcpClient {
    private static final Duration DEFAULT_CONNECT_WAIT = Duration.ofSeconds(45);

    private final String host;
    private final int port;
    private final SocketAddress remote;
    private final TcpOptions options;
    private final TcpTransport transport;
    private final BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler;
    private final Consumer<? super UringConnection> doOnConnected;

    private UringTcpClient(String host, int port, SocketAddress remote, TcpOptions options, TcpTransport transport,
                           BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler,
                           Consumer<? super UringConnection> doOnConnected) {
        this.host = host;
        this.port = port;
        this.remote = remote;
        this.options = options;
        this.transport = transport;
        this.handler = handler;
        this.doOnConnected = doOnConnected;
    }

    /** @return a client for {@code localhost}, no port yet, default options, the shared transport */
    public static UringTcpClient create() {
        return new UringTcpClient(null, -1, null, TcpOptions.defaults(), null, null, null);
    }

    /**
     * @param host a host name or address (resolved at connect)
     * @return a copy connecting there
     */
    public UringTcpClient host(String host) {
        return new UringTcpClient(Objects.requireNonNull(host, "host"), port, null, options, transport, handler,
                doOnConnected);
    }

    /**
     * @param port the TCP port
     * @return a copy connecting to it
     */
    public UringTcpClient port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in [1, 65535]: " + port);
        }
        return new UringTcpClient(host, port, null, options, transport, handler, doOnConnected);
    }

    /**
     * @param address an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}; replaces host and port
     * @return a copy connecting there
     */
    public UringTcpClient remoteAddress(SocketAddress address) {
        return new UringTcpClient(host, port, Objects.requireNonNull(address, "address"), options, transport, handler,
                doOnConnected);
    }

    /**
     * @param path a Unix domain socket path
     * @return a copy connecting there
     */
    public UringTcpClient path(Path path) {
        return remoteAddress(UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")));
    }

    /**
     * @param option an option
     * @param value  its value
     * @param <T>    its type
     * @return a copy with it
     */
    public <T> UringTcpClient option(UringTcpOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        return new UringTcpClient(host, port, remote, option.apply(options, value), transport, handler,
                doOnConnected);
    }

    /**
     * @param transport the loops to connect from
     * @return a copy using them
     */
    public UringTcpClient runOn(TcpTransport transport) {
        return new UringTcpClient(host, port, remote, options, Objects.requireNonNull(transport, "transport"), handler,
                doOnConnected);
    }

    /**
     * @param handler runs once connected; its end closes the connection
     * @return a copy with it
     */
    public UringTcpClient handle(
            BiFunction<? super UringInbound, ? super UringOutbound, ? extends Publisher<Void>> handler) {
        return new UringTcpClient(host, port, remote, options, transport, Objects.requireNonNull(handler, "handler"),
                doOnConnected);
    }

    /**
     * @param hook runs once connected, before the handler, on the connection's loop
     * @return a copy with it
     */
    public UringTcpClient doOnConnected(Consumer<? super UringConnection> hook) {
        return new UringTcpClient(host, port, remote, options, transport, handler, Objects.requireNonNull(hook, "hook"));
    }

    /**
     * Connects when subscribed.
     *
     * @return the connection, or an error: a {@link java.net.ConnectException}
     * ({@code ECONNREFUSED}, ...), a {@link io.reactiveuring.core.tcp.ConnectionTimeoutException}, ...
     */
    public Mono<UringConnection> connect() {
        return Mono.defer(() -> {
            SocketAddress address;
            try {
                address = address();
            } catch (UnknownHostException | IllegalStateException e) {
                return Mono.error(e);
            }
            TcpTransport on = transport != null ? transport : SharedTransport.get();
            CompletableFuture<UringConnection> made = new CompletableFuture<>();
            ReactiveConnection reactive = new ReactiveConnection(rc -> {
                UringConnection c = new UringConnection(rc);
                made.complete(c);
                Handling.run(c, doOnConnected, handler);
            });
            return Mono.fromFuture(on.connect(address, options, reactive).thenCompose(core -> made));
        });
    }

    /** @return {@link #connect()}, waited for up to 45 s */
    public UringConnection connectNow() {
        return connectNow(DEFAULT_CONNECT_WAIT);
    }

    /**
     * @param timeout how long to wait
     * @return the connection
     */
    public UringConnection connectNow(Duration timeout) {
        return Objects.requireNonNull(connect().block(timeout), "connect completed empty");
    }

    private SocketAddress address() throws UnknownHostException {
        if (remote != null) {
            return remote;
        }
        if (port < 0) {
            throw new IllegalStateException("no port: set port(..) or remoteAddress(..)");
        }
        InetAddress a = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        return new InetSocketAddress(a, port);
    }

    /** The transport of clients that were not given one: one loop per core, made on first use. */
    static final class SharedTransport {
        private static volatile TcpTransport shared;

        private SharedTransport() {
        }

        static TcpTransport get() {
            TcpTransport t = shared;
            if (t == null || t.isClosed()) {
                synchronized (SharedTransport.class) {
                    t = shared;
                    if (t == null || t.isClosed()) {
                        t = TcpTransport.create(Runtime.getRuntime().availableProcessors(),
                                UringTcpServer.loopOptions().withThreadName("uring-tcp-client"),
                                TcpTransport.Buffers.defaults());
                        shared = t;
                    }
                }
            }
            return t;
        }
    }
}
