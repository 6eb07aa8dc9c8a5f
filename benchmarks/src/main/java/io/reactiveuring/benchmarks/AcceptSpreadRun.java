package io.reactiveuring.benchmarks;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.tcp.ConnectionHandler;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a server with several loops should spread accepted connections: one acceptor handing sockets round robin to
 * the loops with {@code MSG_RING} ({@link TcpOptions.AcceptSpread#HANDOFF}), or a listener per loop with
 * {@code SO_REUSEPORT} ({@link TcpOptions.AcceptSpread#REUSEPORT}). For each, on a server of {@code loops} loops:
 * the connection rate of a connect-and-close storm ({@code storm} connections, {@code 128} at a time, from a client
 * transport in the same JVM), the server's CPU per connection (all its loop threads), and how evenly the first
 * {@code spread} connections of a fresh server landed on the loops.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.AcceptSpreadRun [loops] [storm] [spread] [rounds]} (2, 20000, 64, 3).
 *
 * <p>Threading: {@code main} drives; connections run on the loops. Ownership: every transport is closed.
 */
public final class AcceptSpreadRun {
    private AcceptSpreadRun() {
    }

    /**
     * @param args {@code [loops] [storm] [spread] [rounds]}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int loops = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int storm = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int spread = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        for (int r = 0; r < rounds; r++) {
            for (TcpOptions.AcceptSpread mode : TcpOptions.AcceptSpread.values()) {
                run(mode, loops, storm, spread);
            }
        }
    }

    private static void run(TcpOptions.AcceptSpread mode, int loops, int storm, int spread) throws Exception {
        try (TcpTransport server = TcpTransport.create(loops); TcpTransport client = TcpTransport.create(1)) {
            Map<UringLoop, AtomicInteger> perLoop = new ConcurrentHashMap<>();
            TcpServer s = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    TcpOptions.defaults().withAcceptSpread(mode).withBacklog(4096), c -> {
                        perLoop.computeIfAbsent(c.loop(), l -> new AtomicInteger()).incrementAndGet();
                        return READ_TO_END;
                    }).get(10, TimeUnit.SECONDS);
            // the spread of the first connections, all kept open
            List<TcpConnection> open = new ArrayList<>();
            for (int i = 0; i < spread; i++) {
                open.add(client.connect(s.address(), TcpOptions.defaults(), IDLE).get(10, TimeUnit.SECONDS));
            }
            while (s.acceptedConnections() < spread) {
                Thread.onSpinWait();
            }
            Thread.sleep(100); // the hand-offs land
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (UringLoop l : server.loops().loops()) {
                int n = perLoop.getOrDefault(l, new AtomicInteger()).get();
                min = Math.min(min, n);
                max = Math.max(max, n);
            }
            open.forEach(TcpConnection::close);
            // the storm
            long cpu0 = serverCpu(server);
            long t0 = System.nanoTime();
            Semaphore window = new Semaphore(128);
            AtomicInteger failed = new AtomicInteger();
            for (int i = 0; i < storm; i++) {
                window.acquire();
                CompletableFuture<TcpConnection> f = client.connect(s.address(), TcpOptions.defaults(), IDLE);
                f.whenComplete((c, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    } else {
                        c.close();
                    }
                    window.release();
                });
            }
            window.acquire(128);
            long wall = System.nanoTime() - t0;
            while (s.activeConnections() > 0 && System.nanoTime() - t0 < 30_000_000_000L) {
                Thread.sleep(1);
            }
            long cpu = serverCpu(server) - cpu0;
            System.out.printf("accept_spread mode=%s loops=%d first_%d_per_loop=min %d max %d storm=%d conns_per_s=%.0f"
                            + " server_cpu_us_per_conn=%.1f failed=%d%n", mode, loops, spread, min, max, storm,
                    storm / (wall / 1e9), cpu / 1e3 / storm, failed.get());
            s.dispose();
            s.onDispose().get(10, TimeUnit.SECONDS);
        }
    }

    private static long serverCpu(TcpTransport t) {
        long sum = 0;
        for (UringLoop l : t.loops().loops()) {
            sum += ThreadCpu.nanos(l.thread());
        }
        return sum;
    }

    /** Reads until the peer closes (then closes too). */
    private static final ConnectionHandler READ_TO_END = new ConnectionHandler() {
        @Override
        public void onOpen(TcpConnection connection) {
            connection.requestRead(Long.MAX_VALUE);
        }

        @Override
        public void onData(TcpConnection connection, UringBuffer data) {
        }
    };

    /** A client connection that does nothing. */
    private static final ConnectionHandler IDLE = new ConnectionHandler() {
        @Override
        public void onData(TcpConnection connection, UringBuffer data) {
        }
    };
}
