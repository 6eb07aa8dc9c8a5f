package io.reactiveuring.http.server;

import io.reactiveuring.core.Uring;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.tcp.TcpTransport;
import io.reactiveuring.reactor.NonBlockingLoopThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A server transport per test over loops and a leak-tracking allocator of the test's own; after the test every
 * server is disposed, every buffer released, nothing in flight, and the process's socket, pipe and ring fds are back
 * to what they were.
 */
abstract class HttpServerTestBase {
    static {
        // NIO keeps one fd of its own once first used: open it before any fd baseline is taken.
        try {
            java.nio.channels.SocketChannel.open().close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final Duration WAIT = Duration.ofSeconds(20);

    final LeakDetector leaks = new LeakDetector();
    BufferAllocator allocator;
    UringGroup loops;
    TcpTransport transport;
    private final List<DisposableHttpServer> servers = new ArrayList<>();
    private long fdsBefore;

    @BeforeEach
    void startTransport() {
        requireUring();
        fdsBefore = openIoFds();
        allocator = newAllocator();
        loops = new UringGroup(1, TcpTransport.loopOptions().withThreadName("http-server")
                .withThreadFactory(NonBlockingLoopThreads.INSTANCE));
        transport = TcpTransport.over(loops, allocator, TcpTransport.Buffers.defaults());
    }

    @AfterEach
    void checkEverythingReleased() throws Exception {
        for (DisposableHttpServer s : servers) {
            s.dispose();
            s.onDispose().block(WAIT);
        }
        loops.close();
        for (UringLoop l : loops.loops()) {
            assertEquals(0, l.inFlight(), "ops in flight on " + l);
            assertEquals(0, l.quarantinedOperations(), "quarantined ops on " + l);
        }
        leaks.assertNoLeaks();
        assertEquals(0, allocator.liveBuffers(), "live buffers after the test");
        allocator.close();
        assertEquals(fdsBefore, openIoFds(), "socket, pipe and ring fds before vs after the test");
    }

    /** @return the test's allocator: every buffer tracked by {@link #leaks} */
    BufferAllocator newAllocator() {
        return BufferAllocator.pooled(leaks);
    }

    UringHttpServer server() {
        return UringHttpServer.create().runOn(transport);
    }

    DisposableHttpServer bind(UringHttpServer s) {
        DisposableHttpServer d = s.bindNow(WAIT);
        servers.add(d);
        return d;
    }

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

    /** Open fds of kinds the library makes: sockets, pipes, anonymous inodes (rings, eventfds). */
    static long openIoFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(HttpServerTestBase::target)
                    .filter(t -> t.startsWith("pipe:") || t.startsWith("socket:") || t.startsWith("anon_inode:"))
                    .count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** Fails clearly when the fd limit cannot hold {@code fds} more descriptors. */
    static void requireFdLimit(long fds) throws IOException {
        long limit = Long.MAX_VALUE;
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                limit = soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        long needed;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            needed = fds + s.count() + 256;
        }
        if (limit < needed) {
            fail("this test needs " + needed + " file descriptors but the limit is " + limit);
        }
    }
}
