package io.reactiveuring.benchmarks.peers;

import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.http.codec.HttpHeader;
import io.reactiveuring.http.server.DisposableHttpServer;
import reactor.core.publisher.Mono;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * HTTP/1.1 "plaintext" server on reactive-uring's own HTTP server, the library's peer in the side-by-side HTTP
 * benchmark: one loop thread; {@code GET /plaintext} answers
 * {@code HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\nDate: <IMF-fixdate>\r\n\r\nHello, World!}
 * (the bytes of the C ceiling {@code native/http_plain.c}), pipelined requests too; any other target a 404.
 *
 * <p>Two handlers, chosen by the second argument: {@code native} (the default) is the server's callback handler,
 * answering from the loop thread with no {@code Publisher}; {@code reactor} is what a Reactor user writes,
 * {@code routes.get("/plaintext", (req, res) -> res.header(..).sendByteArray(Mono.just(BODY)))}.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.peers.UringHttpServer <port> [native|reactor] [--host ADDRESS]}. Prints
 * {@code ready UringHttpServer handler=... port=...} once it listens and runs until SIGTERM (the shutdown hook
 * disposes the server with a short drain).
 *
 * <p>Threading: {@code main} binds and waits; everything else runs on the one loop thread. Ownership: the body is
 * one global segment (copied into each response's buffer); the server owns its loop and is disposed by the hook.
 */
public final class UringHttpServer {
    private static final byte[] BODY_BYTES = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private UringHttpServer() {
    }

    /**
     * Starts the server and blocks until the JVM stops.
     *
     * @param args {@code <port> [native|reactor] [--host ADDRESS]}
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = -1;
        String handler = "native";
        String host = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "native", "reactor" -> handler = args[i];
                default -> port = Integer.parseInt(args[i]);
            }
        }
        if (port < 0 || port > 65535) {
            System.err.println("usage: UringHttpServer <port> [native|reactor] [--host ADDRESS]");
            System.exit(2);
        }
        MemorySegment body = Arena.global().allocate(BODY_BYTES.length);
        MemorySegment.copy(MemorySegment.ofArray(BODY_BYTES), 0, body, 0, BODY_BYTES.length);
        MemorySegment empty = MemorySegment.ofArray(new byte[0]);
        io.reactiveuring.http.server.UringHttpServer server = io.reactiveuring.http.server.UringHttpServer.create()
                .host(host)
                .port(port)
                .loops(1);
        if (handler.equals("native")) {
            server = server.handleNative((req, res) -> {
                if (req.head().targetEquals("/plaintext")) {
                    res.header(HttpHeader.CONTENT_TYPE, "text/plain").respond(body);
                } else {
                    res.status(404).respond(empty);
                }
            });
        } else {
            server = server.route(routes -> routes.get("/plaintext", (req, res) -> res
                    .header(HttpHeader.CONTENT_TYPE, "text/plain")
                    .sendByteArray(Mono.just(BODY_BYTES))));
        }
        DisposableHttpServer bound = server.bindNow(Duration.ofSeconds(10));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                bound.disposeNow(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                bound.dispose();
            } finally {
                stopped.countDown();
            }
        }, "http-shutdown"));
        System.out.println("ready UringHttpServer handler=" + handler + " listening on "
                + TcpConnection.describe(bound.address()) + " loops=1 port=" + bound.port() + " java="
                + Runtime.version());
        System.out.flush();
        stopped.await();
    }
}
