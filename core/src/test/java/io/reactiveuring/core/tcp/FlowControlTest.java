package io.reactiveuring.core.tcp;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Demand and backpressure: reads follow demand, a slow reader throttles a fast writer within a memory bound. */
class FlowControlTest extends TcpTestBase {
    private static final int CHUNK = 16 * 1024;

    @Test
    void slowConsumerThrottlesFastSenderWithinTheWatermark() throws Exception {
        int total = 32 << 20;
        TcpOptions options = TcpOptions.defaults().withWriteWatermarks(32 * 1024, 64 * 1024)
                .withSendBufferSize(64 * 1024);
        AtomicLong maxQueued = new AtomicLong();
        AtomicLong maxLiveBuffers = new AtomicLong();
        CompletableFuture<Throwable> senderClosed = new CompletableFuture<>();
        CountDownLatch blocked = new CountDownLatch(1);
        TcpServer s = bind(LOOPBACK, options, c -> new ConnectionHandler() {
            long written;

            @Override
            public void onOpen(TcpConnection connection) {
                pump(connection);
            }

            /** Writes while the connection is writable; onWritable resumes. */
            private void pump(TcpConnection connection) {
                while (written < total && connection.isWritable()) {
                    int n = (int) Math.min(CHUNK, total - written);
                    UringBuffer b = connection.allocator().allocate(n).writeBytes(chunk(written, n));
                    written += n;
                    connection.writeOwned(b);
                    maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
                    maxLiveBuffers.accumulateAndGet(allocator.liveBuffers(), Math::max);
                }
                if (written == total) {
                    connection.close();
                } else {
                    blocked.countDown(); // not writable: the queue is at its high watermark
                }
            }

            @Override
            public void onWritable(TcpConnection connection) {
                pump(connection);
            }

            @Override
            public void onData(TcpConnection connection, UringBuffer data) {
            }

            @Override
            public void onClose(TcpConnection connection, Throwable cause) {
                senderClosed.complete(cause);
            }
        });
        Collector reader = new Collector();
        reader.readOnOpen = false;
        TcpConnection c = client.connect(s.address(), options.withReceiveBufferSize(64 * 1024), reader)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // The reader reads nothing yet: the sender fills the socket buffers and its own queue, then stops.
        assertTrue(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the sender reached its high watermark");

        // Now read, a receive at a time, until everything arrived.
        c.requestRead(Long.MAX_VALUE);
        byte[] got = reader.awaitBytes(total);
        for (long off = 0; off < total; off += CHUNK) {
            int n = (int) Math.min(CHUNK, total - off);
            byte[] expected = chunk(off, n);
            for (int i = 0; i < n; i++) {
                if (got[(int) off + i] != expected[i]) {
                    throw new AssertionError("byte " + (off + i) + " differs");
                }
            }
        }
        assertEquals(null, senderClosed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        // The bound: never more than the high watermark plus one chunk queued, and a handful of buffers live.
        assertTrue(maxQueued.get() <= options.writeHighWatermark() + CHUNK, "max queued " + maxQueued.get());
        assertTrue(maxLiveBuffers.get() <= (options.writeHighWatermark() + CHUNK) / CHUNK + 64,
                "max live buffers " + maxLiveBuffers.get());
        c.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void dataArrivingWithoutDemandWaitsForTheNextRequest() throws Exception {
        CompletableFuture<TcpConnection> serverSide = new CompletableFuture<>();
        Collector serverCollector = new Collector();
        serverCollector.readOnOpen = false;
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                serverCollector.onOpen(connection);
                connection.requestRead(3); // multishot for three receives, then the demand runs out
                serverSide.complete(connection);
            }

            @Override
            public void onData(TcpConnection connection, UringBuffer data) {
                serverCollector.onData(connection, data);
            }
        });
        Collector cl = new Collector();
        TcpConnection c = connect(s.address(), cl);
        TcpConnection server = serverSide.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        byte[] all = pattern(200_000, 9);
        for (int off = 0; off < all.length; off += 1000) {
            c.write(java.util.Arrays.copyOfRange(all, off, off + 1000));
        }
        // whatever arrived beyond the demand is queued (copied out of the ring), never lost
        CountDownLatch some = serverCollector.expect(1);
        assertTrue(some.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        server.requestRead(Long.MAX_VALUE);
        assertArrayEquals(all, serverCollector.awaitBytes(all.length));
        c.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void unboundedDemandKeepsOneMultishotReceiveArmed() throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> ECHO);
        Collector cl = new Collector();
        TcpConnection c = connect(s.address(), cl);
        UringLoop serverLoop = serverLoops.loop(0);
        c.write(new byte[] {1});
        cl.awaitBytes(1);
        long submittedBefore = onLoop(serverLoop, serverLoop::submittedOperations);
        int messages = 500;
        for (int i = 0; i < messages; i++) {
            c.write(new byte[] {(byte) i});
            cl.awaitBytes(2 + i); // one at a time: one receive completion per message
        }
        long submitted = onLoop(serverLoop, serverLoop::submittedOperations) - submittedBefore;
        // one send per message and no receive re-armed: the multishot stayed armed
        assertTrue(submitted <= messages + 5, "ops submitted for " + messages + " messages: " + submitted);
        c.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void pausingAndResumingWithinATurnKeepsTheMultishotArmed() throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.requestRead(Long.MAX_VALUE);
            }

            @Override
            public void onData(TcpConnection connection, UringBuffer data) {
                connection.pauseReading(); // e.g. "a request is being handled"
                connection.write(data);
                connection.requestRead(Long.MAX_VALUE); // and resumed in the same turn
            }
        });
        Collector cl = new Collector();
        TcpConnection c = connect(s.address(), cl);
        UringLoop serverLoop = serverLoops.loop(0);
        c.write(new byte[] {1});
        cl.awaitBytes(1);
        long submittedBefore = onLoop(serverLoop, serverLoop::submittedOperations);
        int messages = 200;
        for (int i = 0; i < messages; i++) {
            c.write(new byte[] {(byte) i});
            cl.awaitBytes(2 + i);
        }
        long submitted = onLoop(serverLoop, serverLoop::submittedOperations) - submittedBefore;
        assertTrue(submitted <= messages + 5, "ops submitted for " + messages + " messages: " + submitted);
        c.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyRingBufferGoesBackOnceDeliveredOrSent(boolean reused) throws Exception {
        // echo (the ring buffer sent in place) on one connection, a plain reader on another
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.receiveBuffersReused(reused);
                connection.requestRead(Long.MAX_VALUE);
            }

            @Override
            public void onData(TcpConnection connection, UringBuffer data) {
                connection.write(data);
            }
        });
        Collector cl = new Collector();
        TcpConnection c = connect(s.address(), cl);
        byte[] data = pattern(200_000, 2);
        send(c, data);
        assertArrayEquals(data, cl.awaitBytes(data.length));
        UringLoop serverLoop = serverLoops.loop(0);
        int entries = buffers().ringEntries();
        assertEquals(entries, (int) onLoop(serverLoop, () -> server.loopTcp(serverLoop).ringAvailable()),
                "every ring buffer is back in the ring");
        c.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aDryRingFallsBackToPlainReceivesWithoutLosingData() throws Exception {
        // tiny ring: 2 buffers of 64 bytes shared by 8 connections; the multishots run dry at once
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> ECHO);
        Collector[] cls = new Collector[8];
        TcpConnection[] cs = new TcpConnection[8];
        byte[][] data = new byte[8][];
        for (int i = 0; i < 8; i++) {
            cls[i] = new Collector();
            cs[i] = connect(s.address(), cls[i]);
            data[i] = pattern(300_000, i);
        }
        for (int i = 0; i < 8; i++) {
            send(cs[i], data[i]);
        }
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(data[i], cls[i].awaitBytes(data[i].length));
            cs[i].close();
        }
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    TcpTransport.Buffers buffers() {
        return new TcpTransport.Buffers(2, 64, 4096);
    }

    private static byte[] chunk(long offset, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            long p = offset + i;
            b[i] = (byte) (p * 7 + (p >>> 10));
        }
        return b;
    }
}
