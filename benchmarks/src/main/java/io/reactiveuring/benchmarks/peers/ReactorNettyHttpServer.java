package io.reactiveuring.benchmarks.peers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * HTTP/1.1 "plaintext" server on Reactor Netty, on exactly one event-loop thread of the transport given on the
 * command line: {@code GET /plaintext} answers {@code 200} with the same status line, headers (same names, same
 * order) and body as the C ceiling {@code native/http_plain.c}:
 * {@code HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\nDate: <IMF-fixdate>\r\n\r\nHello, World!}.
 * Any other path gets Reactor Netty's 404. Written as a Reactor Netty user would: {@code HttpServer.route}, headers
 * set on the response, the body sent as a {@code Mono} (which Reactor Netty writes as one full response).
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.peers.ReactorNettyHttpServer <epoll|io_uring> <port> [ipv4-address]}. Prints
 * {@code ready ReactorNettyHttpServer transport=... channel=... port=...} once it listens, and the class of the first
 * accepted connection's channel; nothing else per connection or request. Stops on SIGTERM.
 *
 * <p>Threading: {@code main} binds and then waits; everything else runs on the one event-loop thread.
 * Ownership: the body is one unreleasable read-only buffer shared by all responses (each gets a duplicate); the
 * server and its event-loop group are released by the JVM's shutdown hook.
 */
public final class ReactorNettyHttpServer {

    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString DATE = AsciiString.cached("Date");
    private static final AsciiString THIRTEEN = AsciiString.cached("13");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(13).writeBytes("Hello, World!".getBytes(StandardCharsets.US_ASCII)).asReadOnly());

    private ReactorNettyHttpServer() {
    }

    /**
     * Starts the server and blocks until the JVM stops.
     *
     * @param args {@code <epoll|io_uring> <port> [ipv4-address]}
     */
    public static void main(String[] args) {
        PeerArguments arguments = PeerArguments.parseOrExit(ReactorNettyHttpServer.class, args);
        EventLoopGroup group = arguments.transport().newEventLoopGroup("rn-http");
        HttpDate date = new HttpDate();
        AtomicBoolean firstConnection = new AtomicBoolean(true);
        DisposableServer server = HttpServer.create()
                .host(arguments.host())
                .port(arguments.port())
                .runOn(group)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnConnection(connection -> {
                    if (firstConnection.get() && firstConnection.compareAndSet(true, false)) {
                        System.out.println("first connection channel=" + connection.channel().getClass().getName());
                    }
                })
                .route(routes -> routes.get("/plaintext", (request, response) -> response
                        .header(CONTENT_LENGTH, THIRTEEN)
                        .header(CONTENT_TYPE, TEXT_PLAIN)
                        .header(DATE, date.current())
                        .send(Mono.just(BODY.duplicate()))))
                .bindNow(Duration.ofSeconds(10));
        PeerLifecycle.announce("ReactorNettyHttpServer", arguments, server);
        PeerLifecycle.awaitShutdown(server, group);
    }
}
