package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A server transport and a client transport per test, each over loops and a leak-tracking allocator of the test's
 * own; after the test both end, and every check must hold: no buffer leaked, no op in flight, no stale or
 * quarantined completion, no callback error the test did not expect, and the process's fd count back to what it
 * was before.
 */
abstract class TcpTestBase {
    static {
        // NIO keeps one fd of its own once first used: open it before any fd baseline is taken.
        try {
            SocketChannel.open().close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final Duration WAIT = Duration.ofSeconds(20);
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    final LeakDetector leaks = new LeakDetector();
    final List<Throwable> callbackErrors = new CopyOnWriteArrayList<>();
    BufferAllocator allocator;
    UringGroup serverLoops;
    UringGroup clientLoops;
    TcpTransport server;
    TcpTransport client;
    private long fdsBefore;

    /** Loops per side; override for multi-loop tests. */
    int serverLoopCount() {
        return 1;
    }

    TcpTransport.Buffers buffers() {
        return TcpTransport.Buffers.defaults();
    }

    @BeforeEach
    void startTransports() {
        UringTestSupport.requireUring();
        fdsBefore = UringTestSupport.openFds();
        allocator = BufferAllocator.pooled(leaks);
        LoopOptions o = TcpTransport.loopOptions().withErrorHook(callbackErrors::add)
                .withShutdownGrace(Duration.ofSeconds(5));
        serverLoops = new UringGroup(serverLoopCount(), o.withThreadName("server"));
        clientLoops = new UringGroup(1, o.withThreadName("client"));
        server = TcpTransport.over(serverLoops, allocator, buffers());
        client = TcpTransport.over(clientLoops, allocator, buffers());
    }

    @AfterEach
    void checkEverythingReleased() throws Exception {
        closeAll();
        List<UringLoop> all = new java.util.ArrayList<>(serverLoops.loops());
        all.addAll(clientLoops.loops());
        for (UringLoop l : all) {
            assertEquals(0, l.staleCompletions(), "stale completions on " + l);
            assertEquals(0, l.inFlight(), "ops still in flight on " + l);
            assertEquals(0, l.quarantinedOperations(), "quarantined ops on " + l);
        }
        leaks.assertNoLeaks();
        allocator.close();
        assertEquals(fdsBefore, UringTestSupport.openFds(), "fd leak: open fds before vs after the test");
        assertTrue(callbackErrors.isEmpty(), () -> "callback errors: " + callbackErrors);
    }

    void closeAll() throws InterruptedException {
        if (serverLoops != null) {
            serverLoops.close();
            clientLoops.close();
            serverLoops.awaitTermination(WAIT);
            clientLoops.awaitTermination(WAIT);
        }
    }

    /** Fails clearly when the fd limit cannot hold {@code fds} more descriptors. */
    static void requireFdLimit(long fds) {
        long limit = maxOpenFiles();
        long needed = fds + UringTestSupport.openFds() + 256;
        if (limit < needed) {
            fail("this test needs " + needed + " file descriptors but the limit is " + limit
                    + " (raise it with `ulimit -n " + needed + "`)");
        }
    }

    static long maxOpenFiles() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Long.MAX_VALUE;
    }

    // ------------------------------------------------------------------------------------------ servers

    TcpServer bind(SocketAddress at, TcpOptions options, Function<TcpConnection, ConnectionHandler> handlers)
            throws Exception {
        return server.bind(at, options, handlers).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Writes back what it receives, reading with unbounded demand (multishot receives). */
    static final ConnectionHandler ECHO = new ConnectionHandler() {
        @Override
        public void onOpen(TcpConnection c) {
            c.requestRead(Long.MAX_VALUE);
        }

        @Override
        public void onData(TcpConnection c, UringBuffer data) {
            c.write(data);
        }
    };

    /** Echo that asks for one receive at a time (plain receives into the connection's pooled buffers). */
    static final ConnectionHandler ECHO_ONE_AT_A_TIME = new ConnectionHandler() {
        @Override
        public void onOpen(TcpConnection c) {
            c.requestRead(1);
        }

        @Override
        public void onData(TcpConnection c, UringBuffer data) {
            c.write(data);
            c.requestRead(1);
        }
    };

    // ------------------------------------------------------------------------------------------ clients

    /** A client connection that collects what it receives and tells when enough arrived or it closed. */
    static class Collector implements ConnectionHandler {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        volatile TcpConnection connection;
        private long expected = Long.MAX_VALUE;
        private CountDownLatch enough;
        boolean readOnOpen = true;

        @Override
        public void onOpen(TcpConnection c) {
            connection = c;
            if (readOnOpen) {
                c.requestRead(Long.MAX_VALUE);
            }
        }

        @Override
        public synchronized void onData(TcpConnection c, UringBuffer data) {
            byte[] b = data.toByteArray();
            received.write(b, 0, b.length);
            if (enough != null && received.size() >= expected) {
                enough.countDown();
            }
        }

        @Override
        public void onEnd(TcpConnection c) {
            ended.complete(null);
            c.close();
        }

        @Override
        public void onClose(TcpConnection c, Throwable cause) {
            closed.complete(cause);
        }

        synchronized CountDownLatch expect(long bytes) {
            expected = bytes;
            enough = new CountDownLatch(1);
            if (received.size() >= bytes) {
                enough.countDown();
            }
            return enough;
        }

        synchronized byte[] bytes() {
            return received.toByteArray();
        }

        byte[] awaitBytes(int n) throws InterruptedException {
            CountDownLatch l = expect(n);
            assertTrue(l.await(WAIT.toSeconds(), TimeUnit.SECONDS), () -> "received " + bytes().length + " of " + n
                    + " bytes");
            return bytes();
        }
    }

    TcpConnection connect(SocketAddress to, ConnectionHandler handler) throws Exception {
        return client.connect(to, TcpOptions.defaults(), handler).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** {@code n} bytes of a pattern that differs per position and per {@code seed}. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        }
        return b;
    }

    /** Queues {@code bytes} on {@code c} in chunks of at most 64 KiB (owned copies). */
    void send(TcpConnection c, byte[] bytes) {
        for (int off = 0; off < bytes.length; off += 65536) {
            int n = Math.min(65536, bytes.length - off);
            UringBuffer b = allocator.allocate(n).writeBytes(bytes, off, n);
            c.writeOwned(b);
        }
    }

    /** Runs {@code task} on {@code loop} and waits for it. */
    static <T> T onLoop(UringLoop loop, java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
