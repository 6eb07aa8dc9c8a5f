package io.reactiveuring.rxjava;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.SocketPair;
import io.reactiveuring.core.Uring;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One ring with a leak-tracking allocator per test, the fixtures the tests share (pipes, socket pairs, TCP and UDP
 * loopback sockets, native memory), and the end-of-test checks: no buffer live while the ring runs, the allocator
 * closed after the ring, no slot in flight, no stale completion, no leaked buffer or fd, no RxJava hook left behind.
 */
abstract class RxTestBase {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final long TIMEOUT_S = TIMEOUT.toSeconds();

    long fdsBefore;
    LeakDetector leaks;
    BufferAllocator allocator;
    RxUring rx;
    UringLoop loop;
    final Arena arena = Arena.ofShared();
    private final List<Integer> fds = new CopyOnWriteArrayList<>(); // also tracked from loop threads

    @BeforeEach
    void startRing() {
        requireUring();
        fdsBefore = openIoFds();
        leaks = new LeakDetector();
        allocator = BufferAllocator.pooled(leaks);
        rx = RxUring.create(1, LoopOptions.defaults().withThreadName(getClass().getSimpleName()), allocator);
        loop = rx.loops().getFirst();
    }

    @AfterEach
    void stopRing() throws Exception {
        RxJavaPlugins.reset();
        if (rx == null) {
            arena.close();
            return;
        }
        try {
            assertEquals(0, allocator.liveBuffers(), "every buffer was released while the ring ran");
        } finally {
            rx.dispose();
            assertTrue(rx.awaitTermination(TIMEOUT));
            fds.forEach(LibC::close);
            arena.close();
        }
        assertEquals(0, loop.inFlight());
        assertEquals(0, loop.staleCompletions());
        leaks.assertNoLeaks();
        assertTrue(allocator.isClosed(), "the allocator is closed once the rings have ended");
        assertEquals(fdsBefore, openIoFds(), "no fd leaked");
    }

    /** Skips the test when io_uring is unavailable, except under CI, where that is a failure. */
    static void requireUring() {
        if (Uring.isAvailable()) {
            return;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equals("false")) {
            fail("CI is set but io_uring is unavailable: " + Uring.unavailabilityCause());
        }
        Assumptions.abort("io_uring unavailable: " + Uring.unavailabilityCause());
    }

    // ------------------------------------------------------------------------------------------- the ring

    /** Waits until the loop has processed everything handed over so far. */
    void barrier() throws InterruptedException {
        assertTrue(rx.nop().blockingAwait(TIMEOUT_S, TimeUnit.SECONDS), "the barrier NOP completed");
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
        return result.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /**
     * Waits, one loop-thread snapshot at a time, until the ring has no op of the test in flight (its own ops aside):
     * every op has had its final CQE and its completion ran, cancelled ones included.
     */
    void awaitNothingInFlight() throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<UringLoop.InFlightOp> ops;
        while (!(ops = ownOpsInFlight()).isEmpty()) {
            assertTrue(System.nanoTime() - deadline < 0, "still in flight: " + ops);
        }
    }

    List<UringLoop.InFlightOp> ownOpsInFlight() throws Exception {
        return loop.inFlightSnapshot().get(TIMEOUT_S, TimeUnit.SECONDS).stream()
                .filter(op -> !op.internal())
                .toList();
    }

    /** Waits for the final CQE of every op of the test, then checks that each op's buffer went back. */
    void awaitBuffersReleased() throws Exception {
        awaitNothingInFlight();
        assertEquals(0, allocator.liveBuffers(), "buffers released at their op's final CQE");
    }

    // ------------------------------------------------------------------------------------------- fds

    /** Remembers {@code fd} so that the test's end closes it (unless the test did and called {@link #forget}). */
    int track(int fd) {
        assertTrue(fd >= 0, "fd: " + fd);
        fds.add(fd);
        return fd;
    }

    void forget(int fd) {
        fds.remove(Integer.valueOf(fd));
    }

    /** A CLOEXEC pipe, closed at the end of the test. */
    Pipe pipe() {
        Pipe p = Pipe.open();
        track(p.readFd());
        track(p.writeFd());
        return p;
    }

    /** A connected AF_UNIX stream pair, closed at the end of the test. */
    SocketPair unixPair() {
        SocketPair p = SocketPair.open();
        track(p.first());
        track(p.second());
        return p;
    }

    /** A TCP socket listening on an ephemeral loopback port (plain syscalls, not the ring). */
    int tcpListener() {
        int fd = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0));
        assertEquals(0, LibSocket.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1));
        bindToLoopback(fd);
        assertEquals(0, LibSocket.listen(fd, 64));
        return fd;
    }

    /** A UDP socket bound to an ephemeral loopback port. */
    int udpSocket() {
        int fd = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0));
        bindToLoopback(fd);
        return fd;
    }

    static void bindToLoopback(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment any = SocketAddresses.allocate(loopbackAnyPort(), a);
            assertEquals(0, LibSocket.bind(fd, any));
        }
    }

    static InetSocketAddress loopbackAnyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    static InetSocketAddress localAddress(int fd) {
        return (InetSocketAddress) SocketAddresses.localAddress(fd);
    }

    /**
     * Open fds of this process that tests and rings create: pipes, sockets, anonymous inodes (rings, eventfds) and
     * files under the temp directory. Jars the JVM opens lazily while loading classes are not counted.
     */
    static long openIoFds() {
        String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(RxTestBase::target)
                    .filter(t -> t.startsWith("pipe:") || t.startsWith("socket:") || t.startsWith("anon_inode:")
                            || t.startsWith(tmp))
                    .count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed meanwhile (e.g. the directory stream's own fd)
        }
    }

    // ------------------------------------------------------------------------------------------- bytes

    /** Writes {@code text} with a plain write(2), not through a ring. */
    void writeAll(int fd, String text) {
        MemorySegment m = bytes(text);
        assertEquals(m.byteSize(), LibC.write(fd, m, m.byteSize()));
    }

    /** {@code text} as ASCII in native memory owned by the test (no terminating NUL). */
    MemorySegment bytes(String text) {
        byte[] b = ascii(text);
        MemorySegment m = arena.allocate(Math.max(1, b.length));
        m.copyFrom(MemorySegment.ofArray(b));
        return m.asSlice(0, b.length);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static String ascii(MemorySegment m, int length) {
        return new String(m.asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII);
    }

    /** Reads {@code b}'s readable bytes as ASCII and releases it. */
    static String consume(UringBuffer b) {
        try {
            return new String(b.toByteArray(), StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }
}
