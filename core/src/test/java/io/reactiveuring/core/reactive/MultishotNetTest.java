package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.reactive.MultishotPublisherTest.RecordingCall;
import io.reactiveuring.core.reactive.NetCalls.Accepted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.reactiveuring.core.linux.Sockets.AF_INET;
import static io.reactiveuring.core.linux.Sockets.AF_UNIX;
import static io.reactiveuring.core.linux.Sockets.SOCK_SEQPACKET;
import static io.reactiveuring.core.linux.Sockets.SOCK_STREAM;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

/** Multishot accept and multishot recv (provided-buffer ring) through {@link MultishotPublisher}. */
class MultishotNetTest {
    static {
        // NIO keeps one fd of its own once first used (for async close); open it before any fd baseline is taken.
        try {
            SocketChannel.open().close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int GROUP = 11;

    UringLoop loop;
    LeakDetector leaks;
    BufferAllocator allocator;
    long fdsBefore;
    final List<Integer> fds = new ArrayList<>();
    final List<SocketChannel> clients = new ArrayList<>();
    final List<Throwable> hookErrors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        fdsBefore = UringTestSupport.openFds();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("multishot-net-test").withErrorHook(hookErrors::add));
        leaks = new LeakDetector();
        allocator = BufferAllocator.pooled(leaks);
    }

    @AfterEach
    void stop() throws IOException {
        if (loop == null) {
            return;
        }
        loop.close();
        assertEquals(0, loop.staleCompletions(), "stale completions");
        assertEquals(0, loop.inFlight(), "ops still in flight");
        assertEquals(0, loop.quarantinedOperations(), "quarantined operations");
        fds.forEach(LibC::close);
        for (SocketChannel c : clients) {
            c.close();
        }
        leaks.assertNoLeaks();
        allocator.close();
        assertEquals(fdsBefore, UringTestSupport.openFds(), "file descriptors leaked");
        assertTrue(hookErrors.isEmpty(), hookErrors.toString());
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Records every item and hands each to the test thread in arrival order. */
    static class Items<T> extends TestSubscriber<T> {
        final BlockingQueue<T> arrived = new LinkedBlockingQueue<>();

        Items(long initialRequest) {
            super(initialRequest);
        }

        @Override
        public void onNext(T item) {
            super.onNext(item);
            arrived.add(item);
        }

        T next() throws InterruptedException {
            T item = arrived.poll(10, TimeUnit.SECONDS);
            assertNotNull(item, "no item within 10 s; have " + values.size());
            return item;
        }
    }

    int track(int fd) {
        assertTrue(fd >= 0, "fd: " + fd);
        fds.add(fd);
        return fd;
    }

    int tcpListener() {
        int fd = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
        assertEquals(0, LibSocket.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1));
        bindAndListen(fd, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return fd;
    }

    static void bindAndListen(int fd, SocketAddress address) {
        try (Arena a = Arena.ofConfined()) {
            assertEquals(0, LibSocket.bind(fd, SocketAddresses.allocate(address, a)));
        }
        assertEquals(0, LibSocket.listen(fd, 512));
    }

    /** A client connected to {@code server}; until accepted, the connection waits in the listener's backlog. */
    SocketChannel connect(SocketAddress server) throws IOException {
        SocketChannel c = SocketChannel.open(server);
        clients.add(c);
        return c;
    }

    int[] socketpair(int type) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            assertEquals(0, LibSocket.socketpair(AF_UNIX, type, 0, sv));
            return new int[] {track(sv.get(JAVA_INT, 0)), track(sv.get(JAVA_INT, 4))};
        }
    }

    static void write(int fd, byte[] bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Math.max(bytes.length, 1));
            MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
            assertEquals(bytes.length, LibC.write(fd, s, bytes.length));
        }
    }

    ProvidedBufferRing ring(int group, int entries, int bufferSize) throws Exception {
        return ProvidedBufferRing.registerAsync(loop, group, entries, bufferSize).get(10, TimeUnit.SECONDS);
    }

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

    <T> MultishotPublisher<T> publisher(RecordingCall<T> call) {
        return new MultishotPublisher<>(loop, () -> call);
    }

    static RecordingCall<Accepted> acceptCall(int listener) {
        return new RecordingCall<>(MultishotCalls.accept(listener).get());
    }

    RecordingCall<UringBuffer> recvCall(int fd, ProvidedBufferRing ring) {
        return new RecordingCall<>(MultishotCalls.recv(fd, ring, allocator, null).get());
    }

    /** A recv call that counts down {@code enobufs} each time its ring ran dry (-ENOBUFS). */
    RecordingCall<UringBuffer> recvCall(int fd, ProvidedBufferRing ring, Runnable onEnobufs) {
        return new RecordingCall<>(MultishotCalls.recv(fd, ring, allocator, null).get()) {
            @Override
            public boolean awaitBufferReturn(Runnable onReturned) {
                boolean waits = super.awaitBufferReturn(onReturned);
                onEnobufs.run();
                return waits;
            }
        };
    }

    static void assertEof(SocketChannel client) throws IOException {
        assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the accepted socket was closed: the client sees EOF");
    }

    void closeAndAwaitFreed(ProvidedBufferRing ring) throws Exception {
        ring.close();
        assertTrue(onLoop(ring::isFreed), "unregistered and freed: no arm holds a lease");
    }

    // ------------------------------------------------------------------------------------------- accept

    @Test
    void hundredConnectionsAreEachAcceptedExactlyOnceWithDemandOfTenAtATime() throws Exception {
        int listener = tcpListener();
        SocketAddress server = SocketAddresses.localAddress(listener);
        RecordingCall<Accepted> call = acceptCall(listener);
        Items<Accepted> s = new Items<>(0);
        publisher(call).subscribe(s);

        Set<SocketAddress> clientAddresses = new HashSet<>();
        for (int round = 1; round <= 10; round++) {
            // Five connect while the accept is disarmed (they wait in the backlog), five more once it is asked for.
            for (int i = 0; i < 5; i++) {
                clientAddresses.add(connect(server).getLocalAddress());
            }
            s.subscription.request(10);
            for (int i = 0; i < 5; i++) {
                clientAddresses.add(connect(server).getLocalAddress());
            }
            for (int i = 0; i < 10; i++) {
                track(s.next().fd());
            }
            LoopRoundTrips.awaitInFlight(loop, 0); // zero demand: disarmed
        }
        LoopRoundTrips.barrier(loop);
        assertEquals(100, s.values.size(), "no more than requested");
        Set<Integer> distinct = new HashSet<>();
        Set<SocketAddress> peers = new HashSet<>();
        for (Accepted a : s.values) {
            assertTrue(distinct.add(a.fd()), "accepted fds are distinct");
            assertEquals(Sockets.FD_CLOEXEC,
                    LibSocket.fcntl(a.fd(), Sockets.F_GETFD, 0) & Sockets.FD_CLOEXEC);
            peers.add(a.peer());
        }
        assertEquals(clientAddresses, peers, "every client accepted once, none lost while disarmed");
        assertEquals(10, call.arms.get(), "one arm per round: each round's demand met by its own connections");
        assertEquals(0, subscriptionOf(s).bufferedItems());

        s.subscription.cancel();
        call.awaitReleased();
        assertEquals(0, s.terminals.get());
        assertTrue(call.discarded.isEmpty());
    }

    @Test
    void connectionsQueuedAtZeroDemandAreClosedOnCancel() throws Exception {
        int listener = tcpListener();
        SocketAddress server = SocketAddresses.localAddress(listener);
        List<SocketChannel> waiting = List.of(connect(server), connect(server), connect(server));
        RecordingCall<Accepted> call = acceptCall(listener);
        Items<Accepted> s = new Items<>(1);
        publisher(call).subscribe(s);
        Accepted first = s.next();
        track(first.fd());
        LoopRoundTrips.awaitInFlight(loop, 0);
        assertEquals(2, subscriptionOf(s).bufferedItems(), "the other two were accepted and queued, not dropped");
        long fdsWithQueued = UringTestSupport.openFds();

        s.subscription.cancel();
        call.awaitReleased();
        LoopRoundTrips.barrier(loop);
        assertEquals(2, call.discarded.size());
        assertEquals(fdsWithQueued - 2, UringTestSupport.openFds(), "the queued fds were closed");
        assertEquals(List.of(first), s.values);
        assertEquals(0, s.terminals.get(), "nothing signalled after cancel");
        for (SocketChannel c : waiting) {
            if (!c.getLocalAddress().equals(first.peer())) {
                assertEof(c);
            }
        }
    }

    @Test
    void connectionsAcceptedAfterCancelAreClosedAndNothingIsSignalled() throws Exception {
        int listener = tcpListener();
        SocketAddress server = SocketAddresses.localAddress(listener);
        List<SocketChannel> waiting = List.of(connect(server), connect(server), connect(server));
        long fdsWithConnections = UringTestSupport.openFds();
        RecordingCall<Accepted> call = acceptCall(listener);
        Items<Accepted> s = new Items<>(Long.MAX_VALUE);
        // Subscribe and cancel in one turn of the loop, the arm handed to the kernel first: it accepts the three
        // waiting connections before the cancel that follows it, so all three fds arrive after cancel().
        onLoop(() -> {
            publisher(call).subscribe(s);
            loop.submitPending();
            s.subscription.cancel();
            return null;
        });
        call.awaitReleased();
        LoopRoundTrips.barrier(loop);
        assertEquals(3, call.discarded.size(), "three accepted after cancel");
        assertTrue(s.values.isEmpty());
        assertEquals(0, s.terminals.get());
        assertEquals(fdsWithConnections, UringTestSupport.openFds(), "every late fd was closed");
        for (SocketChannel c : waiting) {
            assertEof(c);
        }
    }

    @Test
    void shuttingDownTheTcpListenerCompletesTheStreamAfterTheConnectionsBeforeIt() throws Exception {
        int listener = tcpListener();
        SocketAddress server = SocketAddresses.localAddress(listener);
        RecordingCall<Accepted> call = acceptCall(listener);
        Items<Accepted> s = new Items<>(Long.MAX_VALUE);
        publisher(call).subscribe(s);
        connect(server);
        connect(server);
        track(s.next().fd());
        track(s.next().fd());

        // The kernel ends the armed accept with -EINVAL (no F_MORE) once the listener stops listening.
        assertEquals(0, LibSocket.shutdown(listener, Sockets.SHUT_RDWR));
        assertTrue(s.await());
        assertNull(s.error);
        assertTrue(s.completed);
        assertEquals(2, s.values.size());
        call.awaitReleased();
        assertEquals(1, call.arms.get());
        assertEquals(0, loop.inFlight());
    }

    @Test
    void shuttingDownAnAfUnixListenerDoesNotEndTheStreamButCancelDoes() throws Exception {
        Path path = Files.createTempFile("multishot-net", ".sock");
        Files.delete(path);
        try {
            int listener = track(LibSocket.socket(AF_UNIX, SOCK_STREAM, 0));
            bindAndListen(listener, UnixDomainSocketAddress.of(path));
            RecordingCall<Accepted> call = acceptCall(listener);
            Items<Accepted> s = new Items<>(Long.MAX_VALUE);
            publisher(call).subscribe(s);
            LoopRoundTrips.awaitInFlight(loop, 1);
            assertEquals(0, LibSocket.shutdown(listener, Sockets.SHUT_RDWR));
            LoopRoundTrips.awaitInFlight(loop, 1);
            assertEquals(0, s.terminals.get(), "the kernel does not wake an AF_UNIX accept on shutdown");

            s.subscription.cancel();
            call.awaitReleased();
            assertEquals(0, s.terminals.get());
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void acceptOnASocketThatIsNotListeningFailsWithIllegalArgument() throws Exception {
        int notListening = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
        Items<Accepted> s = new Items<>(1);
        new MultishotPublisher<>(loop, MultishotCalls.accept(notListening)).subscribe(s);
        assertTrue(s.await());
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, s.error);
        assertTrue(e.getMessage().contains("not a listening socket"), e.getMessage());

        int notASocket = track(LibC.eventfd(0, LibC.EFD_CLOEXEC));
        Items<Accepted> t = new Items<>(1);
        new MultishotPublisher<>(loop, MultishotCalls.accept(notASocket)).subscribe(t);
        assertTrue(t.await());
        e = assertInstanceOf(IllegalArgumentException.class, t.error);
        assertTrue(e.getMessage().contains("ENOTSOCK"), e.getMessage());
        assertEquals(0, loop.inFlight());
    }

    // ------------------------------------------------------------------------------------------- recv

    /** An -ENOBUFS as the loop saw it: buffers the subscriber held then, and arms so far. */
    record RanDry(int held, int arms) {
    }

    @Test
    void largeTransferThroughASmallRingArrivesByteExactAndReArmsOnlyOnceHeldBuffersCameBack() throws Exception {
        ProvidedBufferRing ring = ring(GROUP, 4, 16);
        int[] pair = socketpair(SOCK_STREAM);
        byte[] data = new byte[64 * 1024];
        new Random(20240611).nextBytes(data);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        BlockingQueue<UringBuffer> held = new LinkedBlockingQueue<>();
        AtomicInteger heldOut = new AtomicInteger(); // held by the subscriber, not yet released by the test
        ByteArrayOutputStream received = new ByteArrayOutputStream(); // loop thread until the stream ended
        AtomicReference<RecordingCall<UringBuffer>> recording = new AtomicReference<>();
        RecordingCall<UringBuffer> call = recvCall(pair[1], ring,
                () -> events.add(new RanDry(heldOut.get(), recording.get().arms.get())));
        recording.set(call);
        TestSubscriber<UringBuffer> s = new TestSubscriber<>(Long.MAX_VALUE) {
            int items;
            int toHold;

            @Override
            public void onNext(UringBuffer b) {
                received.writeBytes(b.toByteArray());
                if (items++ % 50 == 0 && heldOut.get() == 0 && received.size() < 48 * 1024) {
                    toHold = 4; // keep every buffer of the ring: it stays dry until the test gives them back
                }
                if (toHold > 0) {
                    toHold--;
                    heldOut.incrementAndGet();
                    held.add(b);
                } else {
                    b.release();
                }
            }

            @Override
            public void onError(Throwable t) {
                super.onError(t);
                events.add("END");
            }

            @Override
            public void onComplete() {
                super.onComplete();
                events.add("END");
            }
        };
        publisher(call).subscribe(s);
        Thread writer = new Thread(() -> {
            for (int off = 0; off < data.length; off += 4096) {
                write(pair[0], Arrays.copyOfRange(data, off, off + 4096));
            }
            assertEquals(0, LibSocket.shutdown(pair[0], Sockets.SHUT_WR));
        }, "multishot-net-writer");
        writer.setDaemon(true);
        writer.start();

        // The kernel fills all four buffers before the loop sees the first CQE, so the ring also runs dry while
        // nobody holds anything: then the buffers are back by the time the -ENOBUFS is processed, and it re-arms
        // at once. While the subscriber holds all four, it must wait for the test to give them back.
        int starved = 0;
        int ranDry = 0;
        while (true) {
            Object event = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(event, "neither -ENOBUFS nor the end within 10 s");
            if (event.equals("END")) {
                break;
            }
            ranDry++;
            RanDry dry = (RanDry) event;
            if (dry.held() == 4) {
                starved++;
                LoopRoundTrips.barrier(loop);
                assertEquals(dry.arms(), call.arms.get(), "not re-armed while every buffer is held");
                assertEquals(0, s.terminals.get());
                for (int i = 0; i < 4; i++) {
                    UringBuffer b = held.remove();
                    heldOut.decrementAndGet(); // first: an -ENOBUFS after this release must not look starved
                    b.release(); // from this thread: recycled on the loop, which then re-arms
                }
            }
        }
        writer.join(10_000);
        assertNull(s.error);
        assertTrue(s.completed, "EOF completes the stream");
        assertArrayEquals(data, received.toByteArray(), "every byte exactly once, in order");
        assertTrue(starved >= 10, "the subscriber starved the ring " + starved + " times");
        assertEquals(ranDry + 1, call.arms.get(), "armed once, then once per -ENOBUFS");
        assertTrue(held.isEmpty());
        call.awaitReleased();
        assertEquals(4, onLoop(ring::available), "every buffer is back in the ring");
        assertEquals(0, onLoop(ring::leases), "no arm and no lent buffer holds the ring any more");
        closeAndAwaitFreed(ring);
    }

    @Test
    void retainedCopyOutlivesTheRingReusingItsBuffer() throws Exception {
        ProvidedBufferRing ring = ring(GROUP, 1, 16);
        int[] pair = socketpair(SOCK_SEQPACKET);
        RecordingCall<UringBuffer> call = recvCall(pair[1], ring);
        Items<UringBuffer> s = new Items<>(Long.MAX_VALUE);
        publisher(call).subscribe(s);
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        Arrays.fill(a, (byte) 'a');
        Arrays.fill(b, (byte) 'b');

        write(pair[0], a);
        UringBuffer first = s.next();
        assertTrue(first.isBorrowed());
        long address = first.segment().address();
        UringBuffer kept = first.retain();
        assertNotSame(first, kept);
        assertFalse(kept.isBorrowed(), "retain() of a ring buffer copies");
        assertEquals(1, first.refCnt(), "the borrowed view's count is unchanged");
        first.release(); // the ring's only buffer goes back

        write(pair[0], b);
        UringBuffer second = s.next();
        assertEquals(address, second.segment().address(), "the ring reused its one buffer");
        assertArrayEquals(b, second.toByteArray());
        assertArrayEquals(a, kept.toByteArray(), "the copy still holds the first message");
        second.release();
        kept.release();

        s.subscription.cancel();
        call.awaitReleased();
        assertEquals(1, onLoop(ring::available));
        closeAndAwaitFreed(ring);
    }

    @Test
    void buffersQueuedAtCancelGoBackToTheRing() throws Exception {
        ProvidedBufferRing ring = ring(GROUP, 4, 16);
        int[] pair = socketpair(SOCK_SEQPACKET);
        for (int i = 0; i < 3; i++) {
            write(pair[0], new byte[] {(byte) i});
        }
        RecordingCall<UringBuffer> call = recvCall(pair[1], ring);
        Items<UringBuffer> s = new Items<>(1);
        publisher(call).subscribe(s);
        UringBuffer first = s.next();
        assertArrayEquals(new byte[] {0}, first.toByteArray());
        LoopRoundTrips.awaitInFlight(loop, 0);
        int queued = subscriptionOf(s).bufferedItems();
        assertTrue(queued >= 1 && queued <= 2, "queued at zero demand: " + queued);

        s.subscription.cancel();
        call.awaitReleased();
        assertEquals(queued, call.discarded.size());
        assertEquals(3, onLoop(ring::available), "discarded buffers were recycled; one is still held");
        first.release();
        assertEquals(4, onLoop(ring::available));
        assertEquals(0, s.terminals.get());
        closeAndAwaitFreed(ring);
    }

    @Test
    void closingTheBufferRingFailsTheNextArmAndFreesItOnceTheLentBuffersCameBack() throws Exception {
        ProvidedBufferRing ring = ring(GROUP, 2, 16);
        int[] pair = socketpair(SOCK_SEQPACKET);
        RecordingCall<UringBuffer> call = recvCall(pair[1], ring);
        Items<UringBuffer> s = new Items<>(Long.MAX_VALUE);
        publisher(call).subscribe(s);
        LoopRoundTrips.awaitInFlight(loop, 1);

        ring.close();
        LoopRoundTrips.barrier(loop);
        assertTrue(ring.isClosed());
        assertFalse(onLoop(ring::isFreed), "the armed recv holds a lease: the kernel may still pick buffers");
        write(pair[0], new byte[] {1});
        write(pair[0], new byte[] {2});
        UringBuffer one = s.next();
        UringBuffer two = s.next(); // the ring is dry now: the kernel may end the op with -ENOBUFS at once

        write(pair[0], new byte[] {3}); // no buffer left: -ENOBUFS, and a closed ring is not armed again
        assertTrue(s.await());
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, s.error);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        call.awaitReleased();
        assertFalse(onLoop(ring::isFreed), "the lent buffers keep the ring's memory");
        assertArrayEquals(new byte[] {1}, one.toByteArray());
        one.release();
        assertFalse(onLoop(ring::isFreed));
        two.release();
        assertTrue(onLoop(ring::isFreed), "freed once the last lent buffer came back");
    }

    @Test
    void disposingTheLoopGivesEverySubscriberExactlyOneCancellation() throws Exception {
        ProvidedBufferRing quietRing = ring(GROUP, 4, 16);
        ProvidedBufferRing smallRing = ring(GROUP + 1, 1, 16);
        int[] quiet = socketpair(SOCK_STREAM);
        int[] busy = socketpair(SOCK_SEQPACKET);
        int idleListener = tcpListener();
        int busyListener = tcpListener();

        RecordingCall<UringBuffer> armedRecvCall = recvCall(quiet[1], quietRing);
        Items<UringBuffer> armedRecv = new Items<>(Long.MAX_VALUE);
        publisher(armedRecvCall).subscribe(armedRecv);

        CountDownLatch ranDry = new CountDownLatch(1);
        RecordingCall<UringBuffer> starvedCall = recvCall(busy[1], smallRing, ranDry::countDown);
        Items<UringBuffer> starved = new Items<>(Long.MAX_VALUE);
        publisher(starvedCall).subscribe(starved);
        write(busy[0], new byte[] {1});
        write(busy[0], new byte[] {2});
        UringBuffer kept = starved.next();
        assertTrue(ranDry.await(10, TimeUnit.SECONDS), "the second message found no buffer");

        RecordingCall<Accepted> armedAcceptCall = acceptCall(idleListener);
        Items<Accepted> armedAccept = new Items<>(Long.MAX_VALUE);
        publisher(armedAcceptCall).subscribe(armedAccept);

        SocketAddress server = SocketAddresses.localAddress(busyListener);
        connect(server);
        connect(server);
        RecordingCall<Accepted> queuedAcceptCall = acceptCall(busyListener);
        Items<Accepted> queuedAccept = new Items<>(1);
        publisher(queuedAcceptCall).subscribe(queuedAccept);
        track(queuedAccept.next().fd());
        LoopRoundTrips.awaitInFlight(loop, 2); // the armed recv and the armed accept
        assertEquals(1, subscriptionOf(queuedAccept).bufferedItems());

        loop.close();
        for (Items<?> s : List.of(armedRecv, starved, armedAccept, queuedAccept)) {
            assertTrue(s.await());
            assertInstanceOf(UringCancelledException.class, s.error);
            assertEquals(1, s.terminals.get());
            assertFalse(s.completed);
        }
        for (RecordingCall<?> c : List.of(armedRecvCall, starvedCall, armedAcceptCall, queuedAcceptCall)) {
            c.awaitReleased();
            assertEquals(1, c.releases.get());
        }
        assertEquals(1, queuedAcceptCall.discarded.size(), "the queued connection was closed");
        quietRing.close();
        smallRing.close();
        assertTrue(quietRing.isFreed());
        assertFalse(smallRing.isFreed(), "a lent buffer is still out");
        assertArrayEquals(new byte[] {1}, kept.toByteArray());
        kept.release(); // after the loop ended: counted here, no error
        assertTrue(smallRing.isFreed(), "freed with the last lent buffer");
        assertEquals(0, loop.quarantinedOperations());
    }

    // ------------------------------------------------------------------------------------------- assembly

    @Test
    void badArgumentsFailAtAssembly() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> MultishotCalls.accept(-1));
        assertThrows(IllegalArgumentException.class, () -> MultishotCalls.accept(3, 0x1));
        ProvidedBufferRing ring = ring(GROUP, 1, 16);
        assertThrows(NullPointerException.class, () -> MultishotCalls.recv(3, null, allocator, null));
        assertThrows(NullPointerException.class, () -> MultishotCalls.recv(3, ring, null, null));
        assertThrows(IllegalArgumentException.class, () -> MultishotCalls.recv(-1, ring, allocator, null));
        closeAndAwaitFreed(ring);
        assertThrows(IllegalStateException.class, () -> MultishotCalls.recv(3, ring, allocator, null));
    }

    static MultishotSubscription<?> subscriptionOf(TestSubscriber<?> s) {
        return (MultishotSubscription<?>) s.subscription;
    }
}
