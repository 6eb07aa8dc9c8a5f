package io.reactiveuring.samples;

import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.rxjava.tcp.RxDisposableServer;
import io.reactiveuring.rxjava.tcp.RxTcpServer;

import java.time.Duration;
import java.util.List;

/**
 * A TCP echo server on the ring for RxJava 3 users, with no Reactor in the code: {@code c.send(c.receiveRetained())},
 * each connection's handler a {@code Completable}. It prints the address it listens on and runs until Ctrl-C or
 * SIGTERM, then drains gracefully: it stops accepting (new connections are refused), gives open connections up to
 * 5 s to finish, then closes the rest.
 *
 * <pre>
 * mvn -q -B -Pflagship -DskipTests package -Dsample.main=io.reactiveuring.samples.RxEcho -Dsample.args=7008
 * nc 127.0.0.1 7008
 * </pre>
 * Arguments: {@code [port] [host]}, port 7008 and {@code 127.0.0.1} by default; port 0 lets the kernel pick one
 * (the printed line names it).
 *
 * <p>Threading: {@code main} binds and waits; the connections run on the server's loops (one per core). Ownership:
 * the server owns its loops; the shutdown hook disposes it.
 */
public final class RxEcho {
    private RxEcho() {
    }

    /**
     * Binds the echo server.
     *
     * @param port the port, 0 for any
     * @param host the address to bind
     * @return the bound server
     */
    static RxDisposableServer start(int port, String host) {
        return RxTcpServer.create()
                .host(host)
                .port(port)
                .handle(c -> c.send(c.receiveRetained()))
                .bindNow();
    }

    /**
     * Starts the server and waits until it was disposed.
     *
     * @param args {@code [port] [host]}
     */
    public static void main(String[] args) {
        List<String> a = SampleArgs.of(args);
        int port = a.isEmpty() ? 7008 : Integer.parseInt(a.getFirst());
        String host = a.size() > 1 ? a.get(1) : "127.0.0.1";
        RxDisposableServer server = start(port, host);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("rx-echo: draining (new connections refused, open ones get 5 s)");
            server.disposeNow(Duration.ofSeconds(5));
            System.out.println("rx-echo: stopped");
        }, "rx-echo-drain"));
        System.out.println("rx-echo: listening on " + TcpConnection.describe(server.address())
                + " port " + server.port() + " (Ctrl-C to stop)");
        server.onDispose().blockingAwait();
    }
}
