package io.reactiveuring.benchmarks.peers;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopStats;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.tcp.ConnectionHandler;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * TCP echo server on reactive-uring's core callback API, the library's peer in the side-by-side echo benchmark:
 * each connection asks for unbounded read demand (a multishot receive over the loop's provided-buffer ring, armed
 * once) and writes every received buffer back as it is (the ring buffer is sent in place, no copy); everything a
 * turn of the loop received goes out in one send per connection. Nothing is allocated per message.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.peers.UringEchoServer <port> [--loops N] [--host ADDRESS]}: binds {@code 127.0.0.1}
 * (SO_REUSEADDR, TCP_NODELAY on accepted connections), one loop thread unless {@code --loops} says otherwise, prints
 * {@code ready UringEchoServer listening on 127.0.0.1:<port> loops=1 ...} once it accepts, and runs until SIGTERM
 * (the shutdown hook prints one {@code loop-stats} line per loop, then disposes the server with a short drain and
 * closes the transport).
 *
 * <p>Threading: {@code main} binds and waits; accepting, receiving and sending run on the loop threads.
 * Ownership: the transport (loops, allocator, rings) is the server's and is closed by the shutdown hook.
 */
public final class UringEchoServer {
    private UringEchoServer() {
    }

    /** Echo: write back what came in; the read demand is unbounded, so the receive stays armed. */
    static final ConnectionHandler ECHO = new ConnectionHandler() {
        @Override
        public void onOpen(TcpConnection connection) {
            connection.requestRead(Long.MAX_VALUE);
        }

        @Override
        public void onData(TcpConnection connection, UringBuffer data) {
            connection.write(data);
        }
    };

    /**
     * One line per loop on stdout (the benchmark scripts keep it in the server log): how many completions, enters and
     * wake-ups the run took, so a run's syscalls per request can be read next to its throughput.
     */
    private static void printLoopStats(TcpTransport transport) {
        for (UringLoop loop : transport.loops().loops()) {
            LoopStats s = loop.stats();
            long completions = s.completions();
            System.out.printf("loop-stats %s completions=%d submitted=%d enters=%d wakeups=%d"
                            + " completions_per_enter=%.2f%n", loop.thread().getName(), completions,
                    s.submittedOperations(), s.enterCalls(), s.wakeups(),
                    s.enterCalls() == 0 ? 0.0 : (double) completions / s.enterCalls());
        }
        System.out.flush();
    }

    /**
     * Starts the server and blocks until the JVM stops.
     *
     * @param args {@code <port> [--loops N] [--host ADDRESS]}
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = -1;
        int loops = 1;
        String host = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--loops" -> loops = Integer.parseInt(args[++i]);
                case "--host" -> host = args[++i];
                default -> port = Integer.parseInt(args[i]);
            }
        }
        if (port < 0 || port > 65535 || loops < 1) {
            System.err.println("usage: UringEchoServer <port> [--loops N] [--host ADDRESS]");
            System.exit(2);
        }
        TcpTransport transport = TcpTransport.create(loops);
        TcpServer server = transport.bind(new InetSocketAddress(InetAddress.getByName(host), port),
                TcpOptions.defaults(), c -> ECHO).get(10, TimeUnit.SECONDS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            printLoopStats(transport);
            try {
                server.disposeGracefully(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                server.dispose();
            } finally {
                transport.close();
                stopped.countDown();
            }
        }, "echo-shutdown"));
        System.out.println("ready UringEchoServer listening on " + TcpConnection.describe(server.address())
                + " loops=" + loops + " port=" + server.port() + " java=" + Runtime.version());
        System.out.flush();
        stopped.await();
    }
}
