package io.reactiveuring.reactor;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One ring with a leak-tracking allocator per test, and the end-of-test checks every catalogue test shares: no buffer
 * live (while the ring still runs and after it ended), the allocator closed after the rings, no slot in flight, no
 * stale completion, no fd left open.
 */
abstract class CatalogueTestBase {
    long fdsBefore;
    LeakDetector leaks;
    BufferAllocator allocator;
    ReactorUring ring;
    UringLoop loop;
    Fixtures fx;
    private final List<Integer> sockets = new CopyOnWriteArrayList<>(); // also tracked from loop threads

    @BeforeEach
    void startRing() {
        Fixtures.requireUring();
        fdsBefore = Fixtures.openIoFds();
        leaks = new LeakDetector();
        allocator = BufferAllocator.pooled(leaks);
        ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName(getClass().getSimpleName()), allocator);
        loop = ring.loops().getFirst();
        fx = new Fixtures();
    }

    @AfterEach
    void stopRing() throws Exception {
        if (ring == null) {
            return;
        }
        try {
            assertEquals(0, allocator.liveBuffers(), "every buffer was released while the ring ran");
        } finally {
            ring.dispose();
            assertTrue(ring.awaitTermination(TIMEOUT));
            sockets.forEach(LibC::close);
            fx.close();
        }
        assertEquals(0, loop.inFlight());
        assertEquals(0, loop.staleCompletions());
        leaks.assertNoLeaks();
        assertTrue(allocator.isClosed(), "the allocator is closed once the rings have ended");
        assertEquals(fdsBefore, Fixtures.openIoFds(), "no fd leaked");
    }

    /** Waits until the loop has processed everything handed over so far. */
    void barrier() {
        assertEquals(0, ring.nop().block(TIMEOUT));
    }

    /** Waits for the final CQE of every op of the test, then checks that each op's buffer went back. */
    void awaitBuffersReleased() throws Exception {
        awaitNothingInFlight();
        assertEquals(0, allocator.liveBuffers(), "buffers released at their op's final CQE");
    }

    /**
     * Requests and cancels in one loop task, the op handed to the kernel in between ({@code submitPending}): an op
     * that can complete at once (data ready, a connection waiting) then always completes after its cancel was asked.
     * Returns once that task ran.
     */
    void requestAndCancelInOneLoopTask(Mono<?> op) throws Exception {
        onLoop(() -> {
            op.subscribe(new BaseSubscriber<Object>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    subscription.request(1);
                    loop.submitPending();
                    subscription.cancel();
                }
            });
            return null;
        });
    }

    /**
     * Requests and cancels in one loop task before the batch goes to the kernel: the op never runs (its SQE
     * becomes a NOP), so whatever it would have consumed stays.
     */
    void requestAndCancelBeforeTheBatchIsEntered(Mono<?> op) throws Exception {
        onLoop(() -> {
            op.subscribe(new BaseSubscriber<Object>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    subscription.request(1);
                    subscription.cancel();
                }
            });
            return null;
        });
    }

    <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    /**
     * Waits, one loop-thread snapshot at a time, until the ring has no op of the test in flight (its own wake-up read
     * aside): every op has had its final CQE and its completion ran, cancelled ones included.
     */
    void awaitNothingInFlight() throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<UringLoop.InFlightOp> ops;
        while (!(ops = ownOpsInFlight()).isEmpty()) {
            assertTrue(System.nanoTime() - deadline < 0, "still in flight: " + ops);
        }
    }

    private List<UringLoop.InFlightOp> ownOpsInFlight() throws Exception {
        return loop.inFlightSnapshot().get(10, TimeUnit.SECONDS).stream().filter(op -> !op.internal()).toList();
    }

    static String ascii(UringBuffer b) {
        return new String(b.toByteArray(), StandardCharsets.US_ASCII);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads {@code b}'s readable bytes as ASCII and releases it. */
    static String consume(UringBuffer b) {
        try {
            return ascii(b);
        } finally {
            b.release();
        }
    }

    /** Remembers {@code fd} so that the test's end closes it (unless the test did and called {@link #forget}). */
    int track(int fd) {
        assertTrue(fd >= 0, "fd: " + fd);
        sockets.add(fd);
        return fd;
    }

    void forget(int fd) {
        sockets.remove(Integer.valueOf(fd));
    }

    /** A TCP socket listening on an ephemeral loopback port (plain syscalls, not the ring). */
    int tcpListener() {
        int fd = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0));
        assertEquals(0, LibSocket.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1));
        bind(fd);
        assertEquals(0, LibSocket.listen(fd, 16));
        return fd;
    }

    /** A UDP socket bound to an ephemeral loopback port. */
    int udpSocket() {
        int fd = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM, 0));
        bind(fd);
        return fd;
    }

    private static void bind(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment any = SocketAddresses.allocate(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), a);
            assertEquals(0, LibSocket.bind(fd, any));
        }
    }

    /** A connected AF_UNIX stream socket pair. */
    int[] unixSocketPair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            assertEquals(0, LibSocket.socketpair(Sockets.AF_UNIX,
                    Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0, sv));
            return new int[] {track(sv.get(JAVA_INT, 0)), track(sv.get(JAVA_INT, 4))};
        }
    }

    static InetSocketAddress localAddress(int fd) {
        return (InetSocketAddress) SocketAddresses.localAddress(fd);
    }
}
