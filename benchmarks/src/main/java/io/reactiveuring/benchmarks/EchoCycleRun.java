package io.reactiveuring.benchmarks;

import io.reactiveuring.benchmarks.peers.UringEchoServer;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.tcp.ConnectionHandler;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.core.tcp.TcpOptions;
import io.reactiveuring.core.tcp.TcpServer;
import io.reactiveuring.core.tcp.TcpTransport;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The echo cycle measured from inside: an echo server on one loop ({@link UringEchoServer}'s handler) and, on a
 * second loop in the same JVM, {@code conns} closed-loop clients sending {@code size}-byte messages. After a warm-up
 * it reports, per echoed message, what the server's loop thread allocated (bytes, from the JVM's per-thread
 * allocation counter), how often it entered the kernel, and its CPU time, plus the messages per second. It is the
 * allocation and syscall check of the connection's read → handler → write cycle; the side-by-side throughput
 * figures come from {@code run-echo.sh} with an external load generator.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.EchoCycleRun [conns] [size] [seconds]} (64, 64, 5 by default).
 *
 * <p>Threading: {@code main} waits while the loops run. Ownership: both transports are closed at the end.
 */
public final class EchoCycleRun {
    private EchoCycleRun() {
    }

    /**
     * @param args {@code [conns] [size] [seconds]}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int conns = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (TcpTransport server = TcpTransport.create(1); TcpTransport client = TcpTransport.create(1)) {
            TcpServer s = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    TcpOptions.defaults(), c -> UringEchoServerHandler.ECHO).get(10, TimeUnit.SECONDS);
            LongAdder echoed = new LongAdder();
            for (int i = 0; i < conns; i++) {
                client.connect(s.address(), TcpOptions.defaults(), new PingPong(size, echoed)).get(10, TimeUnit.SECONDS);
            }
            UringLoop loop = server.loops().loop(0);
            Thread t = loop.thread();
            Thread.sleep(3000); // warm-up (JIT)
            for (int window = 0; window < 3; window++) {
                long m0 = echoed.sum();
                long a0 = allocated(t);
                long c0 = ThreadCpu.nanos(t);
                long e0 = loop.enterCalls();
                long t0 = System.nanoTime();
                Thread.sleep(seconds * 1000L);
                long m = echoed.sum() - m0;
                long a = allocated(t) - a0;
                long c = ThreadCpu.nanos(t) - c0;
                long e = loop.enterCalls() - e0;
                double wall = (System.nanoTime() - t0) / 1e9;
                System.out.printf("echo_cycle conns=%d size=%d window=%d messages=%d msgs_per_s=%.0f"
                                + " server_alloc_bytes_per_msg=%.4f server_alloc_bytes=%d server_enters_per_msg=%.3f"
                                + " server_cpu_ns_per_msg=%.0f%n", conns, size, window, m, m / wall,
                        (double) a / m, a, (double) e / m, (double) c / m);
            }
            s.dispose();
        }
    }

    private static long allocated(Thread t) throws Exception {
        Object bean = ManagementFactory.getThreadMXBean();
        Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        return (long) m.invoke(bean, t.threadId());
    }

    /** The same handler as the echo peer's. */
    static final class UringEchoServerHandler {
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
    }

    /** Sends a message, waits for all of its echo, sends the next. */
    private static final class PingPong implements ConnectionHandler {
        private final int size;
        private final LongAdder echoed;
        private UringBuffer message;
        private int pending;

        PingPong(int size, LongAdder echoed) {
            this.size = size;
            this.echoed = echoed;
        }

        @Override
        public void onOpen(TcpConnection c) {
            message = c.allocator().allocate(size).writerIndex(size);
            c.requestRead(Long.MAX_VALUE);
            send(c);
        }

        private void send(TcpConnection c) {
            pending = size;
            c.write(message);
        }

        @Override
        public void onData(TcpConnection c, UringBuffer data) {
            pending -= data.readableBytes();
            if (pending <= 0) {
                echoed.increment();
                send(c);
            }
        }

        @Override
        public void onClose(TcpConnection c, Throwable cause) {
            message.release();
        }
    }
}
