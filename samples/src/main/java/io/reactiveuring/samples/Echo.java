package io.reactiveuring.samples;

import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.reactor.tcp.DisposableUringServer;
import io.reactiveuring.reactor.tcp.UringTcpServer;

import java.time.Duration;

/**
 * A TCP echo server on the ring, the Reactor Netty way: {@code out.send(in.receive().retain())}. It prints the
 * address it listens on and runs until Ctrl-C or SIGTERM, then drains gracefully: it stops accepting (new
 * connections are refused), gives open connections up to 5 s to finish, then closes the rest.
 *
 * <pre>
 * mvn -q -B -Pflagship -DskipTests package -Dsample.main=io.reactiveuring.samples.Echo -Dsample.args=7007
 * nc 127.0.0.1 7007
 * </pre>
 * Arguments: {@code [port] [host]}, port 7007 and {@code 127.0.0.1} by default.
 *
 * <p>Threading: {@code main} binds and waits; the connections run on the server's loops (one per core). Ownership:
 * the server owns its loops; the shutdown hook disposes it.
 */
public final class Echo {
    private Echo() {
    }

    /**
     * Starts the server and waits until it was disposed.
     *
     * @param args {@code [port] [host]}
     */
    public static void main(String[] args) {
        int port = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 7007;
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        DisposableUringServer server = UringTcpServer.create()
                .host(host)
                .port(port)
                .handle((in, out) -> out.send(in.receive().retain()))
                .bindNow();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("echo: draining (new connections refused, open ones get 5 s)");
            server.disposeNow(Duration.ofSeconds(5));
            System.out.println("echo: stopped");
        }, "echo-drain"));
        System.out.println("echo: listening on " + TcpConnection.describe(server.address())
                + " (Ctrl-C to stop)");
        server.onDispose().block();
    }
}
