package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A thousand connections at once: each exchanges a hundred messages; the end of the ring closes every one. */
class ManyConnectionsTest extends TcpTestBase {
    private static final int CONNECTIONS = 1000;
    private static final int MESSAGES = 100;

    @Override
    int serverLoopCount() {
        return 2;
    }

    @Test
    void thousandConnectionsExchangeHundredMessagesEach() throws Exception {
        requireFdLimit(2L * CONNECTIONS);
        java.util.Map<UringLoop, AtomicInteger> perLoop = new java.util.concurrent.ConcurrentHashMap<>();
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> {
            perLoop.computeIfAbsent(c.loop(), l -> new AtomicInteger()).incrementAndGet();
            return ECHO;
        });
        CountDownLatch done = new CountDownLatch(CONNECTIONS);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<TcpConnection>> connects = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            connects.add(client.connect(s.address(), TcpOptions.defaults(), new PingPong(i, done, failures)));
        }
        for (CompletableFuture<TcpConnection> f : connects) {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), () -> done.getCount() + " connections unfinished; "
                + failures.size() + " failures, e.g. " + failures.peek());
        assertTrue(failures.isEmpty(), () -> "failures: " + failures.size() + ", e.g. " + failures.peek());
        assertEquals(CONNECTIONS, s.acceptedConnections());
        // the hand-off spreads them round robin: both loops served half
        for (UringLoop l : serverLoops.loops()) {
            assertEquals(CONNECTIONS / 2, perLoop.get(l).get(), "connections on " + l);
        }
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, s.activeConnections());
    }

    @Test
    void endOfTheRingClosesThousandConnectionsWithTheCancellationError() throws Exception {
        requireFdLimit(2L * CONNECTIONS);
        List<CompletableFuture<Throwable>> serverSide = new ArrayList<>();
        CountDownLatch opened = new CountDownLatch(CONNECTIONS);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> {
            CompletableFuture<Throwable> closed = new CompletableFuture<>();
            synchronized (serverSide) {
                serverSide.add(closed);
            }
            return new ConnectionHandler() {
                @Override
                public void onOpen(TcpConnection connection) {
                    connection.requestRead(Long.MAX_VALUE); // an inbound waiting for data on every connection
                    opened.countDown();
                }

                @Override
                public void onData(TcpConnection connection, UringBuffer data) {
                }

                @Override
                public void onClose(TcpConnection connection, Throwable cause) {
                    closed.complete(cause);
                }
            };
        });
        List<Collector> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Collector c = new Collector();
            clients.add(c);
            client.connect(s.address(), TcpOptions.defaults(), c).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(opened.await(WAIT.toSeconds(), TimeUnit.SECONDS), "every server-side connection opened");

        serverLoops.close(); // the server's rings end with every connection open

        synchronized (serverSide) {
            assertEquals(CONNECTIONS, serverSide.size());
            for (CompletableFuture<Throwable> f : serverSide) {
                assertInstanceOf(UringCancelledException.class, f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        }
        for (Collector c : clients) {
            c.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS); // the server's fds were closed: every client sees EOF
        }
    }

    /** Sends message i, waits for its echo, checks it, sends the next; closes after the last. */
    private static final class PingPong implements ConnectionHandler {
        private final int id;
        private final CountDownLatch done;
        private final ConcurrentLinkedQueue<String> failures;
        private int sent;
        private ByteBuffer expected;

        PingPong(int id, CountDownLatch done, ConcurrentLinkedQueue<String> failures) {
            this.id = id;
            this.done = done;
            this.failures = failures;
        }

        @Override
        public void onOpen(TcpConnection c) {
            c.requestRead(Long.MAX_VALUE);
            next(c);
        }

        private void next(TcpConnection c) {
            byte[] m = ("connection " + id + " message " + sent++ + ";").getBytes(StandardCharsets.US_ASCII);
            expected = ByteBuffer.wrap(m);
            c.write(m);
        }

        @Override
        public void onData(TcpConnection c, UringBuffer data) {
            while (data.readableBytes() > 0) {
                byte got = data.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, data.readerIndex());
                data.advanceReaderIndex(1);
                if (!expected.hasRemaining() || expected.get() != got) {
                    failures.add("connection " + id + ": unexpected byte in echo of message " + (sent - 1));
                    c.close(new IllegalStateException("bad echo"));
                    return;
                }
            }
            if (!expected.hasRemaining()) {
                if (sent == MESSAGES) {
                    c.close();
                } else {
                    next(c);
                }
            }
        }

        @Override
        public void onClose(TcpConnection c, Throwable cause) {
            if (cause != null) {
                failures.add("connection " + id + " closed with " + cause);
            } else if (sent != MESSAGES || expected.hasRemaining()) {
                failures.add("connection " + id + " closed after " + sent + " messages");
            }
            done.countDown();
        }
    }
}
