package io.reactiveuring.samples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.http.codec.HttpHeader;
import io.reactiveuring.http.server.DisposableHttpServer;
import io.reactiveuring.http.server.UringHttpServer;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An HTTP/1.1 server on the ring, the Reactor Netty way: {@code /plaintext} ("Hello, World!"), {@code /json} (a
 * small object serialised with Jackson), {@code /static} (a file sent with {@code sendFile}: spliced from the file
 * to the socket, no bytes through the JVM) and {@code /hello/{name}} (a path variable). It prints its address and
 * runs until Ctrl-C or SIGTERM, then drains gracefully (idle connections closed, requests in progress get 5 s).
 *
 * <pre>
 * mvn -q -B -Pflagship -DskipTests package -Dsample.main=io.reactiveuring.samples.Http -Dsample.args=8080
 * curl -i http://127.0.0.1:8080/plaintext
 * </pre>
 * Arguments: {@code [port] [host]}, port 8080 and {@code 127.0.0.1} by default. Not served: TLS, HTTP/2.
 *
 * <p>Threading: {@code main} binds and waits; the connections run on the server's loops (one per core), where the
 * handlers run too. Ownership: the server owns its loops; the shutdown hook disposes it; the static file is a
 * temporary file deleted at exit.
 */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The body of {@code /json}.
     *
     * @param message a greeting
     * @param server  who answers
     */
    public record Greeting(String message, String server) {
    }

    private Http() {
    }

    /**
     * The sample's server on {@code port}.
     *
     * @param host       where to bind
     * @param port       the port (0: any)
     * @param staticFile the file served at {@code /static}
     * @return the configured server
     */
    static UringHttpServer server(String host, int port, Path staticFile) {
        return UringHttpServer.create()
                .host(host)
                .port(port)
                .route(routes -> routes
                        .get("/plaintext", (req, res) -> res.header(HttpHeader.CONTENT_TYPE, "text/plain")
                                .sendString(Mono.just("Hello, World!")))
                        .get("/json", (req, res) -> res.header(HttpHeader.CONTENT_TYPE, "application/json")
                                .sendByteArray(Mono.fromCallable(() -> json(new Greeting("Hello, World!",
                                        "reactive-uring")))))
                        .get("/hello/{name}", (req, res) -> res.header(HttpHeader.CONTENT_TYPE, "text/plain")
                                .sendString(Mono.just("Hello, " + req.param("name") + "!")))
                        .get("/static", (req, res) -> res.header(HttpHeader.CONTENT_TYPE, "text/html")
                                .sendFile(staticFile)));
    }

    static byte[] json(Object value) throws JsonProcessingException {
        return JSON.writeValueAsBytes(value);
    }

    /** @return a small HTML file for {@code /static}, deleted when the JVM exits */
    static Path staticFile() throws IOException {
        Path file = Files.createTempFile("reactive-uring-http", ".html");
        file.toFile().deleteOnExit();
        Files.writeString(file, "<!doctype html><title>reactive-uring</title><p>Served by sendFile (splice).</p>\n");
        return file;
    }

    /**
     * Starts the server and waits until it was disposed.
     *
     * @param args {@code [port] [host]}
     * @throws IOException if the static file cannot be written
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 8080;
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        DisposableHttpServer server = server(host, port, staticFile()).bindNow();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("http: draining (idle connections closed, requests in progress get 5 s)");
            server.disposeNow(Duration.ofSeconds(5));
            System.out.println("http: stopped");
        }, "http-drain"));
        String base = "http://" + TcpConnection.describe(server.address());
        System.out.println("http: listening on " + base + " — /plaintext /json /static /hello/{name} (Ctrl-C to stop)");
        server.onDispose().block();
    }
}
