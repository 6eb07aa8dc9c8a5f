package io.reactiveuring.core.ops;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One loop per test, an arena for the memory the kernel uses (closed only after the loop, so after every final
 * CQE), fds the test opened closed at the end, and the leak checks: no slot in flight, no stale completion, the
 * process's fd count back to what it was before the test.
 */
abstract class LoopTestBase {
    UringLoop loop;
    Arena arena;
    private long fdsBefore;
    private final List<Integer> fds = new ArrayList<>();

    @BeforeEach
    void startLoop() {
        UringTestSupport.requireUring();
        fdsBefore = UringTestSupport.openFds();
        loop = new UringLoop(LoopOptions.defaults().withQueues(64, 512).withThreadName(getClass().getSimpleName()));
        arena = Arena.ofShared();
    }

    @AfterEach
    void stopLoop() {
        for (int fd : fds) {
            LibC.close(fd);
        }
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
            assertEquals(0, loop.quarantinedOperations(), "quarantined operations");
        }
        if (arena != null) {
            arena.close();
        }
        assertEquals(fdsBefore, UringTestSupport.openFds(), "fd leak: open fds before vs after the test");
    }

    /** Closes {@code fd} at the end of the test. */
    int track(int fd) {
        assertTrue(fd >= 0, () -> "expected an fd, got " + fd);
        fds.add(fd);
        return fd;
    }

    /** Closes a tracked fd now (e.g. to make the peer see EOF). */
    void closeNow(int fd) {
        assertTrue(fds.remove((Integer) fd), "fd " + fd + " is not tracked");
        assertEquals(0, LibC.close(fd));
    }

    /** Runs {@code task} on the loop thread and returns its value. */
    <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    /** Submits {@code spec} and waits for its final completion. */
    Cqe run(OpSpec spec) throws Exception {
        CqeRecorder op = new CqeRecorder(spec);
        loop.submit(op);
        return op.awaitFinal();
    }

    /** Submits {@code spec} with {@code resource} attached and waits for its final completion. */
    Cqe run(OpSpec spec, OwnedResource resource) throws Exception {
        CqeRecorder op = new CqeRecorder(spec);
        op.attach(resource);
        loop.submit(op);
        return op.awaitFinal();
    }

    /** A socketpair of {@code type} (AF_UNIX), both ends tracked. */
    int[] socketpair(int type) {
        MemorySegment pair = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LibSocket.socketpair(Sockets.AF_UNIX, type, 0, pair));
        return new int[] {track(pair.get(JAVA_INT, 0)), track(pair.get(JAVA_INT, 4))};
    }

    /** A pipe (read end, write end), both tracked. */
    int[] pipe() {
        MemorySegment pair = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LibC.pipe2(pair, LibC.O_CLOEXEC));
        return new int[] {track(pair.get(JAVA_INT, 0)), track(pair.get(JAVA_INT, 4))};
    }

    /** A tracked TCP listener on {@code host}, port chosen by the kernel. */
    int listenTcp(InetAddress host) {
        return listen(new InetSocketAddress(host, 0));
    }

    /** A tracked stream listener bound to {@code address}. */
    int listen(SocketAddress address) {
        int fd = track(LibSocket.socket(SocketAddresses.family(address), Sockets.SOCK_STREAM, 0));
        if (!(address instanceof java.net.UnixDomainSocketAddress)) {
            assertEquals(0, LibSocket.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1));
        }
        try (Arena tmp = Arena.ofConfined()) {
            assertEquals(0, LibSocket.bind(fd, SocketAddresses.allocate(address, tmp)));
        }
        assertEquals(0, LibSocket.listen(fd, 512));
        return fd;
    }

    /** {@code n} bytes of a pattern that differs per position and per {@code seed}. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        }
        return b;
    }

    /** A native copy of {@code bytes} from the test arena. */
    MemorySegment nativeBytes(byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }

    /** Sends all of {@code bytes} on {@code fd} through SEND ops (a stream may take it in parts). */
    void sendAll(int fd, byte[] bytes) throws Exception {
        MemorySegment data = nativeBytes(bytes);
        long sent = 0;
        while (sent < bytes.length) {
            Cqe c = run(SocketOps.send(fd, data.asSlice(sent), 0));
            assertTrue(c.res() > 0, () -> "send failed: " + c);
            sent += c.res();
        }
    }

    /** Receives exactly {@code n} bytes from {@code fd} through RECV ops. */
    byte[] recvExactly(int fd, int n) throws Exception {
        MemorySegment buf = arena.allocate(Math.max(n, 1));
        long got = 0;
        while (got < n) {
            Cqe c = run(SocketOps.recv(fd, buf.asSlice(got, n - got), 0));
            assertTrue(c.res() > 0, () -> "recv ended early: " + c);
            got += c.res();
        }
        return buf.asSlice(0, n).toArray(JAVA_BYTE);
    }

    /** Sends {@code bytes} from {@code from} and checks that {@code to} receives exactly them. */
    void assertTransfers(int from, int to, byte[] bytes) throws Exception {
        sendAll(from, bytes);
        assertArrayEquals(bytes, recvExactly(to, bytes.length));
    }
}
