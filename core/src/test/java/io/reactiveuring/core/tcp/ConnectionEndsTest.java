package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.Test;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How connections end: resets, a vanished peer, timeouts, the connection limit, failing handlers, disposal. */
class ConnectionEndsTest extends TcpTestBase {

    /** Records how each server-side connection closed. */
    static final class Closes implements java.util.function.Function<TcpConnection, ConnectionHandler> {
        final List<CompletableFuture<Throwable>> causes = new ArrayList<>();
        final ConnectionHandler inner;

        Closes(ConnectionHandler inner) {
            this.inner = inner;
        }

        @Override
        public synchronized ConnectionHandler apply(TcpConnection c) {
            CompletableFuture<Throwable> f = new CompletableFuture<>();
            causes.add(f);
            return new ConnectionHandler() {
                @Override
                public void onOpen(TcpConnection connection) {
                    inner.onOpen(connection);
                }

                @Override
                public void onData(TcpConnection connection, UringBuffer data) {
                    inner.onData(connection, data);
                }

                @Override
                public void onWritable(TcpConnection connection) {
                    inner.onWritable(connection);
                }

                @Override
                public void onClose(TcpConnection connection, Throwable cause) {
                    f.complete(cause);
                }
            };
        }

        synchronized CompletableFuture<Throwable> first() throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (causes.isEmpty() && System.nanoTime() < deadline) {
                wait(100);
            }
            return causes.get(0);
        }
    }

    private static SocketChannel resetOnClose(SocketChannel ch) throws Exception {
        ch.setOption(StandardSocketOptions.SO_LINGER, 0); // close() sends RST
        return ch;
    }

    @Test
    void peerResetMidStreamIsATypedError() throws Exception {
        Closes closes = new Closes(ECHO);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), closes);
        try (SocketChannel ch = resetOnClose(SocketChannel.open(s.address()))) {
            ch.write(ByteBuffer.wrap(pattern(1000, 1)));
            ByteBuffer back = ByteBuffer.allocate(1000);
            while (back.hasRemaining()) {
                ch.read(back);
            }
        }
        Throwable cause = closes.first().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(java.net.SocketException.class, cause);
        assertEquals(Errno.ECONNRESET, UringError.errnoOf(cause));
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void clientGoneWhileTheServerWritesEndsTheWritesWithATypedError() throws Exception {
        ConnectionHandler flood = new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection c) {
                c.requestRead(Long.MAX_VALUE);
                pump(c);
            }

            private void pump(TcpConnection c) {
                while (c.isWritable() && c.isOpen()) {
                    c.writeOwned(c.allocator().allocate(8192).writerIndex(8192));
                }
            }

            @Override
            public void onWritable(TcpConnection c) {
                pump(c);
            }

            @Override
            public void onData(TcpConnection c, UringBuffer data) {
            }
        };
        Closes closes = new Closes(flood);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), closes);
        try (SocketChannel ch = resetOnClose(SocketChannel.open(s.address()))) {
            ByteBuffer some = ByteBuffer.allocate(65536);
            ch.read(some); // the flood has started
        }
        Throwable cause = closes.first().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(java.net.SocketException.class, cause);
        int errno = UringError.errnoOf(cause);
        assertTrue(errno == Errno.ECONNRESET || errno == Errno.EPIPE, cause.toString());
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void idleConnectionIsClosedByItsTimeout() throws Exception {
        Closes closes = new Closes(ECHO);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults().withIdleTimeout(Duration.ofMillis(300)), closes);
        Collector cl = new Collector();
        TcpConnection c = connect(s.address(), cl);
        c.write(new byte[] {42});
        assertArrayEquals(new byte[] {42}, cl.awaitBytes(1)); // activity, then nothing
        long start = System.nanoTime();
        Throwable cause = closes.first().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        ConnectionTimeoutException t = assertInstanceOf(ConnectionTimeoutException.class, cause);
        assertEquals(ConnectionTimeoutException.Kind.IDLE, t.kind());
        assertEquals(Errno.ETIMEDOUT, UringError.errnoOf(t));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos(), "not before the timeout");
        cl.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS); // the client sees the close
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void readTimeoutClosesAConnectionThatWantsDataAndGetsNone() throws Exception {
        Closes closes = new Closes(ECHO);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults().withReadTimeout(Duration.ofMillis(200)), closes);
        Collector cl = new Collector();
        connect(s.address(), cl);
        Throwable cause = closes.first().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(ConnectionTimeoutException.Kind.READ,
                assertInstanceOf(ConnectionTimeoutException.class, cause).kind());
        cl.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void writeTimeoutClosesAConnectionWhosePeerDoesNotRead() throws Exception {
        ConnectionHandler flood = new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection c) {
                for (int i = 0; i < 256; i++) {
                    c.writeOwned(c.allocator().allocate(16384).writerIndex(16384)); // 4 MiB, more than fits
                }
            }

            @Override
            public void onData(TcpConnection c, UringBuffer data) {
            }
        };
        Closes closes = new Closes(flood);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults().withWriteTimeout(Duration.ofMillis(300))
                .withSendBufferSize(16384), closes);
        Collector cl = new Collector();
        cl.readOnOpen = false; // never reads
        TcpConnection c = client.connect(s.address(), TcpOptions.defaults().withReceiveBufferSize(16384), cl).get();
        Throwable cause = closes.first().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(ConnectionTimeoutException.Kind.WRITE,
                assertInstanceOf(ConnectionTimeoutException.class, cause).kind());
        c.close(null);
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndCounted() throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults().withMaxConnections(2), c -> ECHO);
        Collector a = new Collector();
        Collector b = new Collector();
        Collector over = new Collector();
        TcpConnection ca = connect(s.address(), a);
        TcpConnection cb = connect(s.address(), b);
        ca.write(new byte[] {1});
        cb.write(new byte[] {2});
        a.awaitBytes(1);
        b.awaitBytes(1); // both are open on the server
        connect(s.address(), over);
        over.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS); // accepted and closed at once
        assertEquals(1, s.rejectedConnections());
        assertEquals(2, s.activeConnections());
        ca.close();
        a.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // a place is free again
        Collector again = new Collector();
        TcpConnection cc = connect(s.address(), again);
        cc.write(new byte[] {3});
        assertArrayEquals(new byte[] {3}, again.awaitBytes(1));
        assertEquals(1, s.rejectedConnections());
        cb.close();
        cc.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aFailingHandlerClosesOnlyItsConnection() throws Exception {
        RuntimeException boom = new IllegalStateException("boom");
        ConnectionHandler failOnBang = new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection c) {
                c.requestRead(Long.MAX_VALUE);
            }

            @Override
            public void onData(TcpConnection c, UringBuffer data) {
                if (data.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, data.readerIndex()) == '!') {
                    throw boom;
                }
                c.write(data);
            }
        };
        Closes closes = new Closes(failOnBang);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), closes);
        Collector good = new Collector();
        Collector bad = new Collector();
        TcpConnection g = connect(s.address(), good);
        g.write(new byte[] {'a'});
        good.awaitBytes(1);
        TcpConnection b = connect(s.address(), bad);
        b.write(new byte[] {'!'});
        bad.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Throwable cause = closes.causes.get(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertSame(boom, cause);
        g.write(new byte[] {'b'});
        assertArrayEquals(new byte[] {'a', 'b'}, good.awaitBytes(2));
        assertTrue(g.isOpen());
        g.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void gracefulDisposeLetsExchangesFinishAndRefusesNewConnections() throws Exception {
        // the server answers each request only after the test says so: an exchange "in flight"
        CompletableFuture<TcpConnection> pending = new CompletableFuture<>();
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.requestRead(1);
            }

            @Override
            public void onData(TcpConnection connection, UringBuffer data) {
                pending.complete(connection);
            }
        });
        Collector cl = new Collector();
        TcpConnection c = connect(s.address(), cl);
        c.write("request".getBytes());
        TcpConnection serverSide = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        CompletableFuture<Void> disposed = s.disposeGracefully(Duration.ofSeconds(10));
        s.stopAccepting().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        ExecutionExceptionAssert.assertCause(java.net.ConnectException.class,
                () -> client.connect(s.address(), TcpOptions.defaults(), new Collector()).get());
        assertTrue(!disposed.isDone(), "the exchange is still in flight");

        serverSide.write("response".getBytes()); // the exchange finishes, then the server closes it
        serverSide.close();
        assertArrayEquals("response".getBytes(), cl.awaitBytes(8));
        disposed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNull(cl.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void gracefulDisposeClosesWhatIsLeftAtTheDeadline() throws Exception {
        Closes closes = new Closes(ECHO);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), closes);
        Collector cl = new Collector();
        connect(s.address(), cl);
        // The client's connect can return before the server took the connection in: wait for the server's side.
        CompletableFuture<Throwable> serverSide = closes.first();
        long start = System.nanoTime();
        s.disposeGracefully(Duration.ofMillis(300)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long took = System.nanoTime() - start;
        assertTrue(took >= Duration.ofMillis(250).toNanos(), "the open connection had its 300 ms: " + took + " ns");
        assertInstanceOf(io.reactiveuring.core.UringCancelledException.class,
                serverSide.get(WAIT.toSeconds(), TimeUnit.SECONDS), "closed at the deadline by the disposal");
        cl.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void bindingABusyPortFailsWithEaddrinuseNamingTheAddress() throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults().withReuseAddress(false), c -> ECHO);
        Throwable e = ExecutionExceptionAssert.assertCause(java.net.BindException.class,
                () -> server.bind(s.address(), TcpOptions.defaults().withReuseAddress(false), c -> ECHO).get());
        assertEquals(Errno.EADDRINUSE, UringError.errnoOf(e));
        assertTrue(e.getMessage().contains(TcpConnection.describe(s.address())), e.getMessage());
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> ECHO);
        java.net.SocketAddress gone = s.address();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Throwable e = ExecutionExceptionAssert.assertCause(java.net.ConnectException.class,
                () -> client.connect(gone, TcpOptions.defaults(), new Collector()).get());
        assertEquals(Errno.ECONNREFUSED, UringError.errnoOf(e));
        assertTrue(e.getMessage().contains(TcpConnection.describe(gone)), e.getMessage());
    }

    /** Unwraps the cause of a future's failure. */
    static final class ExecutionExceptionAssert {
        interface Call {
            Object call() throws Exception;
        }

        static Throwable assertCause(Class<? extends Throwable> type, Call call) {
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    call::call);
            return assertInstanceOf(type, e.getCause());
        }
    }
}
