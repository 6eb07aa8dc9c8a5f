package io.reactiveuring.benchmarks;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.tcp.ConnectionHandler;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whether {@code SEND_ZC} pays: a server streams {@code total} bytes in buffers of {@code size} bytes (a new pooled
 * buffer written whenever the previous one was sent, so that every send is one buffer) to a client in the same JVM that reads
 * and drops them, once with plain sends and once with every buffer sent zero-copy; it reports the throughput and the
 * server loop's CPU time per MiB. Over loopback the kernel copies zero-copy data anyway (and adds the notification),
 * so this is the pessimistic case; a real NIC may do better.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.ZeroCopySendRun [size] [totalMiB] [rounds]} (262144, 2048, 3).
 *
 * <p>Threading: {@code main} drives; the connections run on their loops. Ownership: transports closed at the end.
 */
public final class ZeroCopySendRun {
    private ZeroCopySendRun() {
    }

    /**
     * @param args {@code [size] [totalMiB] [rounds]}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 256 * 1024;
        long total = (args.length > 1 ? Long.parseLong(args[1]) : 2048) << 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int r = 0; r < rounds; r++) {
            run(size, total, 0);
            run(size, total, size);
        }
    }

    private static void run(int size, long total, int threshold) throws Exception {
        try (TcpTransport server = TcpTransport.create(1); TcpTransport client = TcpTransport.create(1)) {
            TcpOptions options = TcpOptions.defaults().withZeroCopySendThreshold(threshold)
                    .withWriteWatermarks(0, size); // one buffer at a time: each send is a single buffer
            CompletableFuture<Long> done = new CompletableFuture<>();
            TcpServer s = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options,
                    c -> new Streamer(size, total)).get(10, TimeUnit.SECONDS);
            client.connect(s.address(), TcpOptions.defaults(), new ConnectionHandler() {
                long received;

                @Override
                public void onOpen(TcpConnection c) {
                    c.requestRead(Long.MAX_VALUE);
                }

                @Override
                public void onData(TcpConnection c, UringBuffer data) {
                    received += data.readableBytes();
                }

                @Override
                public void onClose(TcpConnection c, Throwable cause) {
                    done.complete(received);
                }
            }).get(10, TimeUnit.SECONDS);
            Thread loop = server.loops().loop(0).thread();
            long cpu0 = ThreadCpu.nanos(loop);
            long t0 = System.nanoTime();
            long got = done.get(120, TimeUnit.SECONDS);
            double wall = (System.nanoTime() - t0) / 1e9;
            long cpu = ThreadCpu.nanos(loop) - cpu0;
            System.out.printf("send size=%d zero_copy=%s MiB=%d MiB_per_s=%.0f server_cpu_us_per_MiB=%.1f%n", size,
                    threshold > 0, got >> 20, (got / 1048576.0) / wall, cpu / 1e3 / (got / 1048576.0));
            s.dispose();
        }
    }

    /** Writes a buffer whenever the connection is writable again, until {@code total} bytes; then closes. */
    private static final class Streamer implements ConnectionHandler {
        private final int size;
        private final long total;
        private long queued;

        Streamer(int size, long total) {
            this.size = size;
            this.total = total;
        }

        @Override
        public void onOpen(TcpConnection c) {
            pump(c);
        }

        @Override
        public void onWritable(TcpConnection c) {
            pump(c);
        }

        private void pump(TcpConnection c) {
            while (queued < total && c.isWritable()) {
                c.writeOwned(c.allocator().allocate(size).writerIndex(size));
                queued += size;
            }
            if (queued >= total) {
                c.close();
            }
        }

        @Override
        public void onData(TcpConnection c, UringBuffer data) {
        }
    }
}
