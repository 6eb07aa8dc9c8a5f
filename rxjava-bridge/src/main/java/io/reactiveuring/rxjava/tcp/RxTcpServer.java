package io.reactiveuring.rxjava.tcp;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpServer;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A TCP server on io_uring for RxJava:
 * <pre>{@code
 * RxDisposableServer server = RxTcpServer.create()
 *         .host("127.0.0.1").port(8080)
 *         .options(o -> o.withMaxConnections(10_000))
 *         .handle(c -> c.send(c.receiveRetained()))        // echo
 *         .bind().blockingGet();
 * ...
 * server.disposeNow(Duration.ofSeconds(5));               // graceful drain
 * }</pre>
 * Each connection runs on one of the server's loops (one per core by default, {@link #loops(int)}); the handler and
 * every signal of the connection run on that loop's thread. The handler's {@code Completable} ending closes the
 * connection (in order: what was queued is sent first); its error, or a reset by the peer, closes only that
 * connection; a handler's error goes to {@code RxJavaPlugins.onError} (as a {@link ConnectionHandlerException}).
 * Addresses: IPv4, IPv6 ({@link #host(String)}) and Unix domain sockets ({@link #path}).
 *
 * <p>Immutable: every method returns a new configured server; {@link #bind()} may be subscribed any number of times.
 *
 * <p>Threading: safe from any thread; {@link #bindNow(Duration)} blocks (not on a loop thread). Ownership: a bound
 * server owns the loops it made (closed by its disposal), not a transport given to {@link #runOn(TcpTransport)}.
 */
public final class RxTcpServer {
    private static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(45);

    private final String host;
    private final int port;
    private final SocketAddress bindAddress;
    private final TcpOptions options;
    private final int loops;
    private final TcpTransport.Buffers buffers;
    private final TcpTransport transport;
    private final Function<? super RxConnection, ? extends CompletableSource> handler;
    private final Consumer<? super RxConnection> doOnConnection;

    private RxTcpServer(String host, int port, SocketAddress bindAddress, TcpOptions options, int loops,
                        TcpTransport.Buffers buffers, TcpTransport transport,
                        Function<? super RxConnection, ? extends CompletableSource> handler,
                        Consumer<? super RxConnection> doOnConnection) {
        this.host = host;
        this.port = port;
        this.bindAddress = bindAddress;
        this.options = options;
        this.loops = loops;
        this.buffers = buffers;
        this.transport = transport;
        this.handler = handler;
        this.doOnConnection = doOnConnection;
    }

    /**
     * A server for the loopback address, port 0 (the kernel picks one), default options, one loop per core, no
     * handler (connections stay open until a side closes them).
     *
     * @return the server, unbound
     */
    public static RxTcpServer create() {
        return new RxTcpServer(null, 0, null, TcpOptions.defaults(), Runtime.getRuntime().availableProcessors(),
                TcpTransport.Buffers.defaults(), null, null, null);
    }

    private RxTcpServer with(String host, int port, SocketAddress bindAddress, TcpOptions options, int loops,
                             TcpTransport.Buffers buffers, TcpTransport transport) {
        return new RxTcpServer(host, port, bindAddress, options, loops, buffers, transport, handler, doOnConnection);
    }

    /**
     * Where to bind.
     *
     * @param host a host name or address to bind (resolved at bind)
     * @return a copy binding there
     */
    public RxTcpServer host(String host) {
        return with(Objects.requireNonNull(host, "host"), port, null, options, loops, buffers, transport);
    }

    /**
     * Which port.
     *
     * @param port the TCP port, 0 for any
     * @return a copy binding it
     */
    public RxTcpServer port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
        }
        return with(host, port, null, options, loops, buffers, transport);
    }

    /**
     * Where to bind, as an address.
     *
     * @param address an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}; replaces host and port
     * @return a copy binding there
     */
    public RxTcpServer bindAddress(SocketAddress address) {
        return with(host, port, Objects.requireNonNull(address, "address"), options, loops, buffers, transport);
    }

    /**
     * A Unix domain socket.
     *
     * @param path a Unix domain socket path (must not exist yet)
     * @return a copy listening there
     */
    public RxTcpServer path(Path path) {
        return bindAddress(UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")));
    }

    /**
     * Every option at once.
     *
     * @param options socket and connection options
     * @return a copy with them
     */
    public RxTcpServer options(TcpOptions options) {
        return with(host, port, bindAddress, Objects.requireNonNull(options, "options"), loops, buffers, transport);
    }

    /**
     * Changed options, e.g. {@code options(o -> o.withBacklog(1024))}.
     *
     * @param change from the options so far to the new ones
     * @return a copy with them
     */
    public RxTcpServer options(UnaryOperator<TcpOptions> change) {
        return options(Objects.requireNonNull(change, "change").apply(options));
    }

    /**
     * How many loops the server makes.
     *
     * @param n how many loops (threads, rings), at least 1
     * @return a copy with them
     */
    public RxTcpServer loops(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("loops must be at least 1: " + n);
        }
        return with(host, port, bindAddress, options, n, buffers, transport);
    }

    /**
     * The provided-buffer rings of the server's own loops.
     *
     * @param entries buffers in each loop's provided-buffer ring (a power of two)
     * @param size    bytes per buffer
     * @return a copy with that ring size
     */
    public RxTcpServer ringBuffers(int entries, int size) {
        TcpTransport.Buffers b = new TcpTransport.Buffers(entries, size, buffers.plainBufferSize());
        return with(host, port, bindAddress, options, loops, b, transport);
    }

    /**
     * Existing loops to run on.
     *
     * @param transport existing loops (not closed by the server)
     * @return a copy running there
     */
    public RxTcpServer runOn(TcpTransport transport) {
        return with(host, port, bindAddress, options, loops, buffers, Objects.requireNonNull(transport, "transport"));
    }

    /**
     * What each connection does.
     *
     * @param handler for each connection, on its loop: receives and sends, returns a {@code Completable} whose end
     *                closes the connection
     * @return a copy with it
     */
    public RxTcpServer handle(Function<? super RxConnection, ? extends CompletableSource> handler) {
        return new RxTcpServer(host, port, bindAddress, options, loops, buffers, transport,
                Objects.requireNonNull(handler, "handler"), doOnConnection);
    }

    /**
     * A hook per connection.
     *
     * @param hook runs for each connection before the handler, on its loop
     * @return a copy with it
     */
    public RxTcpServer doOnConnection(Consumer<? super RxConnection> hook) {
        return new RxTcpServer(host, port, bindAddress, options, loops, buffers, transport, handler,
                Objects.requireNonNull(hook, "hook"));
    }

    /**
     * The options so far.
     *
     * @return the options so far
     */
    public TcpOptions configuration() {
        return options;
    }

    /**
     * Binds when subscribed: the address is resolved, the listener bound and the accepts armed. Disposing before
     * the bind completed disposes the server once it is bound.
     *
     * @return the bound server, or an error: a {@link java.net.BindException} naming the address
     * ({@code EADDRINUSE}), an {@link UnknownHostException}, ...
     */
    public Single<RxDisposableServer> bind() {
        return Single.defer(() -> {
            SocketAddress address = address();
            TcpTransport own = transport == null ? TcpTransport.create(loops, loopOptions(), buffers) : null;
            TcpTransport on = own != null ? own : transport;
            return Stages.<TcpServer>single(on.bind(address, options, Handling.handlers(doOnConnection, handler)),
                            s -> new RxDisposableServer(s, own).dispose(),
                            () -> {
                                if (own != null) {
                                    own.close();
                                }
                            })
                    .map(s -> new RxDisposableServer(s, own));
        });
    }

    /**
     * {@link #bind()}, waited for.
     *
     * @param timeout how long to wait
     * @return the bound server
     */
    public RxDisposableServer bindNow(Duration timeout) {
        return bind().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS).blockingGet();
    }

    /**
     * {@link #bind()}, waited for up to 45 s.
     *
     * @return the bound server
     */
    public RxDisposableServer bindNow() {
        return bindNow(DEFAULT_BIND_TIMEOUT);
    }

    private SocketAddress address() throws UnknownHostException {
        if (bindAddress != null) {
            return bindAddress;
        }
        InetAddress a = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        return new InetSocketAddress(a, port);
    }

    /** The transport's loop options, with errors thrown on a loop thread sent to {@code RxJavaPlugins.onError}. */
    static LoopOptions loopOptions() {
        return TcpTransport.loopOptions()
                .withThreadName("uring-rx-tcp")
                .withErrorHook(TcpErrors::undeliverable);
    }
}
