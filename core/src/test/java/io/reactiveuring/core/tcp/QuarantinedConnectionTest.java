package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop that ends without waiting for the kernel (zero shutdown grace) while a connection has a receive in the
 * kernel: the connection still ends (its handler is told, with the loop's end), but the buffer the kernel may still
 * write into is never given back to the allocator. The same connection under a loop that waits gives it back.
 */
class QuarantinedConnectionTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** Asks for {@code demand} bytes' worth of receives on open and tells how it closed. */
    static final class Waiting implements ConnectionHandler {
        final long demand;
        final CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();

        Waiting(long demand) {
            this.demand = demand;
        }

        @Override
        public void onOpen(TcpConnection c) {
            c.requestRead(demand);
            opened.complete(c);
        }

        @Override
        public void onData(TcpConnection c, UringBuffer data) {
            closed.completeExceptionally(new AssertionError("the client sent nothing"));
        }

        @Override
        public void onClose(TcpConnection c, Throwable cause) {
            closed.complete(cause);
        }
    }

    private record Ended(Throwable cause, long liveBuffersAfter, long quarantined) {
    }

    /** A connection waiting in a receive when its loop ends with {@code grace}. */
    private Ended endLoopUnderAReceive(Duration grace, long demand) throws Exception {
        UringTestSupport.requireUring();
        BufferAllocator allocator = BufferAllocator.pooled();
        UringGroup loops = new UringGroup(1, TcpTransport.loopOptions().withShutdownGrace(grace)
                .withThreadName("quarantine-tcp"));
        UringLoop loop = loops.loop(0);
        TcpTransport transport = TcpTransport.over(loops, allocator, TcpTransport.Buffers.defaults());
        Waiting handler = new Waiting(demand);
        TcpServer server = transport.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TcpOptions.defaults(), c -> handler).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try (SocketChannel _ = SocketChannel.open(server.address())) {
            handler.opened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // In the kernel: the server's multishot accept and the connection's receive.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (loop.inFlight() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(loop.inFlight() >= 2, "the receive reached the kernel: " + loop.inFlight());
            long liveBefore = allocator.liveBuffers();
            loops.close();
            assertTrue(loops.awaitTermination(WAIT), "the loop ended");
            Throwable cause = handler.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Ended ended = new Ended(cause, allocator.liveBuffers() - liveBefore, loop.quarantinedOperations());
            if (ended.quarantined() == 0) {
                allocator.close();
            } // else: the kernel may still write into the allocator's memory; it is never freed
            return ended;
        }
    }

    @Test
    void aPlainReceiveQuarantinedAtTheLoopsEndKeepsItsBufferAndTheConnectionStillEnds() throws Exception {
        Ended ended = endLoopUnderAReceive(Duration.ZERO, 1); // demand 1: a plain receive into a pooled buffer
        assertInstanceOf(UringCancelledException.class, ended.cause(), "the handler heard of the loop's end");
        assertTrue(ended.quarantined() >= 1, "quarantined: " + ended.quarantined());
        assertEquals(0, ended.liveBuffersAfter(), "the receive's buffer was kept, not given back");
    }

    @Test
    void aMultishotReceiveQuarantinedAtTheLoopsEndStillEndsTheConnection() throws Exception {
        Ended ended = endLoopUnderAReceive(Duration.ZERO, Long.MAX_VALUE);
        assertInstanceOf(UringCancelledException.class, ended.cause(), "the handler heard of the loop's end");
        assertTrue(ended.quarantined() >= 1, "quarantined: " + ended.quarantined());
    }

    @Test
    void theSameReceiveGivesItsBufferBackWhenTheLoopWaitsForItsFinalCompletion() throws Exception {
        Ended ended = endLoopUnderAReceive(Duration.ofSeconds(5), 1);
        assertInstanceOf(UringCancelledException.class, ended.cause());
        assertEquals(0, ended.quarantined());
        assertTrue(ended.liveBuffersAfter() < 0, "the pooled receive buffer went back: " + ended.liveBuffersAfter());
    }
}
