package io.reactiveuring.rxjava.tcp;

import io.reactiveuring.core.tcp.ReactiveConnection;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpTransport;
import io.reactivex.rxjava3.core.CompletableSource;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.functions.Function;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A TCP client on io_uring for RxJava:
 * <pre>{@code
 * RxConnection c = RxTcpClient.create().port(8080).connect().blockingGet();
 * c.sendString(Flowable.just("hello")).subscribe();
 * c.receiveBytes().subscribe(b -> System.out.println(new String(b)));
 * }</pre>
 * Connections run on a transport shared by every client that is not given one ({@link #runOn}): one loop per core,
 * made on first use, ended with the JVM. A handler ({@link #handle}) runs like a server's: its end closes the
 * connection, its error goes to {@code RxJavaPlugins.onError}.
 *
 * <p>Immutable: every method returns a new configured client; {@link #connect()} may be subscribed any number of
 * times.
 *
 * <p>Threading: safe from any thread; {@link #connectNow(Duration)} blocks. Ownership: a connection is closed by its
 * {@code dispose()}, by its handler's end, or with its transport; one whose connect completes after the subscriber
 * disposed is closed by the client.
 */
public final class RxTcpClient {
    private static final Duration DEFAULT_CONNECT_WAIT = Duration.ofSeconds(45);

    private final String host;
    private final int port;
    private final SocketAddress remote;
    private final TcpOptions options;
    private final TcpTransport transport;
    private final Function<? super RxConnection, ? extends CompletableSource> handler;
    private final Consumer<? super RxConnection> doOnConnected;

    private RxTcpClient(String host, int port, SocketAddress remote, TcpOptions options, TcpTransport transport,
                        Function<? super RxConnection, ? extends CompletableSource> handler,
                        Consumer<? super RxConnection> doOnConnected) {
        this.host = host;
        this.port = port;
        this.remote = remote;
        this.options = options;
        this.transport = transport;
        this.handler = handler;
        this.doOnConnected = doOnConnected;
    }

    /**
     * A client for the loopback address, no port yet, default options, the shared transport.
     *
     * @return the client
     */
    public static RxTcpClient create() {
        return new RxTcpClient(null, -1, null, TcpOptions.defaults(), null, null, null);
    }

    /**
     * Where to connect.
     *
     * @param host a host name or address (resolved at connect)
     * @return a copy connecting there
     */
    public RxTcpClient host(String host) {
        return new RxTcpClient(Objects.requireNonNull(host, "host"), port, null, options, transport, handler,
                doOnConnected);
    }

    /**
     * Which port.
     *
     * @param port the TCP port
     * @return a copy connecting to it
     */
    public RxTcpClient port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in [1, 65535]: " + port);
        }
        return new RxTcpClient(host, port, null, options, transport, handler, doOnConnected);
    }

    /**
     * Where to connect, as an address.
     *
     * @param address an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}; replaces host and port
     * @return a copy connecting there
     */
    public RxTcpClient remoteAddress(SocketAddress address) {
        return new RxTcpClient(host, port, Objects.requireNonNull(address, "address"), options, transport, handler,
                doOnConnected);
    }

    /**
     * A Unix domain socket.
     *
     * @param path a Unix domain socket path
     * @return a copy connecting there
     */
    public RxTcpClient path(Path path) {
        return remoteAddress(UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")));
    }

    /**
     * Every option at once.
     *
     * @param options socket and connection options (connect timeout, ...)
     * @return a copy with them
     */
    public RxTcpClient options(TcpOptions options) {
        return new RxTcpClient(host, port, remote, Objects.requireNonNull(options, "options"), transport, handler,
                doOnConnected);
    }

    /**
     * Changed options, e.g. {@code options(o -> o.withConnectTimeout(Duration.ofSeconds(2)))}.
     *
     * @param change from the options so far to the new ones
     * @return a copy with them
     */
    public RxTcpClient options(UnaryOperator<TcpOptions> change) {
        return options(Objects.requireNonNull(change, "change").apply(options));
    }

    /**
     * Loops to connect from.
     *
     * @param transport the loops (not closed by the client)
     * @return a copy using them
     */
    public RxTcpClient runOn(TcpTransport transport) {
        return new RxTcpClient(host, port, remote, options, Objects.requireNonNull(transport, "transport"), handler,
                doOnConnected);
    }

    /**
     * What the connection does once connected.
     *
     * @param handler runs once connected, on the connection's loop; its end closes the connection
     * @return a copy with it
     */
    public RxTcpClient handle(Function<? super RxConnection, ? extends CompletableSource> handler) {
        return new RxTcpClient(host, port, remote, options, transport, Objects.requireNonNull(handler, "handler"),
                doOnConnected);
    }

    /**
     * A hook once connected.
     *
     * @param hook runs once connected, before the handler, on the connection's loop
     * @return a copy with it
     */
    public RxTcpClient doOnConnected(Consumer<? super RxConnection> hook) {
        return new RxTcpClient(host, port, remote, options, transport, handler, Objects.requireNonNull(hook, "hook"));
    }

    /**
     * Connects when subscribed.
     *
     * @return the connection, or an error: a {@link java.net.ConnectException} ({@code ECONNREFUSED}, ...), a
     * {@link java.net.SocketTimeoutException} for the connect timeout, an {@link UnknownHostException}, ...
     */
    public Single<RxConnection> connect() {
        return Single.defer(() -> {
            SocketAddress address = address();
            TcpTransport on = transport != null ? transport : SharedTransport.get();
            CompletableFuture<RxConnection> made = new CompletableFuture<>();
            ReactiveConnection reactive = new ReactiveConnection(rc -> {
                RxConnection c = new RxConnection(rc);
                made.complete(c);
                Handling.run(c, doOnConnected, handler);
            });
            return Stages.single(on.connect(address, options, reactive).thenCompose(core -> made),
                    RxConnection::dispose, () -> {
                    });
        });
    }

    /**
     * {@link #connect()}, waited for.
     *
     * @param timeout how long to wait
     * @return the connection
     */
    public RxConnection connectNow(Duration timeout) {
        return connect().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS).blockingGet();
    }

    /**
     * {@link #connect()}, waited for up to 45 s.
     *
     * @return the connection
     */
    public RxConnection connectNow() {
        return connectNow(DEFAULT_CONNECT_WAIT);
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
                                RxTcpServer.loopOptions().withThreadName("uring-rx-tcp-client"),
                                TcpTransport.Buffers.defaults());
                        shared = t;
                    }
                }
            }
            return t;
        }
    }
}
