package io.reactiveuring.rxjava;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.SocketPair;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.reactive.NetCalls;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Multishot ops as Flowables: demand arms and disarms the kernel op (checked in the ring's in-flight table), exact
 * counts under bounded demand, multishot accept and provided-buffer recv byte-exact, cancellation, the ring's end.
 */
class RxMultishotTest extends RxTestBase {

    /**
     * A pipe holding one byte at a time: each delivered readiness consumes the byte and only then writes the next, so
     * there is never more than one wake-up pending and every item is exactly one byte, whether the poll is armed when
     * the byte arrives (a wake-up) or not (the next arm finds it readable).
     */
    final class OneByteAtATime {
        final Pipe pipe = pipe();
        final MemorySegment oneByte = arena.allocate(1);
        final AtomicInteger consumed = new AtomicInteger();

        OneByteAtATime() {
            assertEquals(0, LibSocket.setNonBlocking(pipe.readFd(), true)); // a broken count must fail, not block
            produce();
        }

        private void produce() {
            assertEquals(1, LibC.write(pipe.writeFd(), oneByte, 1));
        }

        /** The ready masks of the read end; each consumes its byte and produces the next (on the loop thread). */
        Flowable<Integer> masks() {
            return rx.pollMultishot(pipe.readFd(), Poll.POLLIN).doOnNext(mask -> {
                if (LibC.read(pipe.readFd(), oneByte, 1) != 1) {
                    throw new IllegalStateException("a ready mask without its byte: 0x" + Integer.toHexString(mask));
                }
                consumed.incrementAndGet();
                produce();
            });
        }
    }

    static boolean readable(int mask) {
        return (mask & Poll.POLLIN) != 0;
    }

    @Test
    void requestNDeliversExactlyNAndTheOpIsDisarmedAtZeroDemand() throws Exception {
        OneByteAtATime source = new OneByteAtATime();
        long cancelsBefore = loop.cancelsIssued();
        TestSubscriber<Integer> masks = source.masks().test(0);
        barrier();
        assertEquals(List.of(), ownOpsInFlight(), "nothing armed before a request");
        masks.assertEmpty();

        masks.request(3);
        masks.awaitCount(3);
        awaitNothingInFlight(); // demand ran out: the poll was disarmed
        assertEquals(3, source.consumed.get(), "exactly the 3 requested");
        masks.assertValueCount(3).assertNotComplete().assertNoErrors();

        masks.request(2);
        masks.awaitCount(5);
        awaitNothingInFlight();
        assertEquals(5, source.consumed.get());
        masks.assertValueCount(5);
        assertTrue(masks.values().stream().allMatch(RxMultishotTest::readable), "masks: " + masks.values());
        masks.cancel();
        awaitNothingInFlight();
        assertEquals(5, source.consumed.get(), "nothing delivered after cancel");
        assertTrue(loop.cancelsIssued() >= cancelsBefore + 2, "disarmed at zero demand, twice");
    }

    @Test
    void whileArmedTheOpIsInTheRingAndCancelRemovesIt() throws Exception {
        Pipe p = pipe(); // never readable: the poll stays armed
        long cancelsBefore = loop.cancelsIssued();
        TestSubscriber<Integer> masks = rx.pollMultishot(p.readFd(), Poll.POLLIN).test(1);
        barrier();
        List<String> armed = ownOpsInFlight().stream().map(op -> op.op()).toList();
        assertEquals(1, armed.size(), "one POLL_ADD armed for the one request: " + armed);
        assertEquals(p.readFd(), ownOpsInFlight().getFirst().fd());
        masks.cancel();
        awaitNothingInFlight();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "the cancel reached the kernel (POLL_REMOVE)");
        masks.assertEmpty();
    }

    @Test
    void rebatchedDemandDeliversAnExactCount() throws Exception {
        OneByteAtATime source = new OneByteAtATime();
        List<Long> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        source.masks().doOnRequest(requests::add).rebatchRequests(4).take(10).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertValueCount(10)
                .assertComplete();
        awaitNothingInFlight();
        assertEquals(10, source.consumed.get(), "take(10) cancelled right after the 10th item");
        assertTrue(requests.stream().allMatch(n -> n <= 4), "never more than a batch at once: " + requests);
    }

    @Test
    void endOfTheRingReachesAnIdleAndAnArmedSubscriberAsOneCancellation() throws Exception {
        Pipe p = pipe();
        TestSubscriber<Integer> idle = rx.pollMultishot(p.readFd(), Poll.POLLIN).test(0);
        TestSubscriber<Integer> armed = rx.pollMultishot(p.readFd(), Poll.POLLIN).test(1);
        barrier();
        rx.dispose();
        assertTrue(rx.awaitTermination(TIMEOUT));
        for (TestSubscriber<Integer> s : List.of(idle, armed)) {
            s.awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                    .assertNoValues()
                    .assertError(e -> e instanceof UringCancelledException
                            && UringError.errnoOf(e) == Errno.ECANCELED);
        }
        rx.pollMultishot(p.readFd(), Poll.POLLIN).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(UringCancelledException.class); // subscribed after the end
    }

    @Test
    void multishotAcceptTakesEveryConnectionOnceUnderBoundedDemand() throws Exception {
        int listen = tcpListener();
        InetSocketAddress address = localAddress(listen);
        int connections = 20;
        TestSubscriber<NetCalls.Accepted> accepted = rx.acceptMultishot(listen)
                .doOnNext(a -> track(a.fd()))
                .rebatchRequests(4)
                .take(connections)
                .test();
        Single<List<Integer>> clients = Flowable.range(0, connections)
                .concatMapSingle(i -> rx.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0)
                        .doOnSuccess(this::track)
                        .flatMap(fd -> rx.connect(fd, address).toSingleDefault(fd)))
                .toList();
        TestObserver<List<Integer>> connected = clients.test();
        connected.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete();
        assertEquals(connections, connected.values().getFirst().size(), "every connect completed");
        accepted.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertValueCount(connections).assertComplete();
        Set<Integer> fds = new HashSet<>();
        accepted.values().forEach(a -> assertTrue(fds.add(a.fd()), "each connection accepted once"));
        awaitNothingInFlight();
    }

    @Test
    void connectionsAcceptedButNeverDeliveredAreClosedByTheLibrary() throws Exception {
        int listen = tcpListener();
        InetSocketAddress address = localAddress(listen);
        List<Integer> clients = Flowable.range(0, 3)
                .concatMapSingle(i -> rx.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0)
                        .doOnSuccess(this::track)
                        .flatMap(fd -> rx.connect(fd, address).toSingleDefault(fd)))
                .toList().blockingGet();
        TestSubscriber<NetCalls.Accepted> one = rx.acceptMultishot(listen).test(1);
        NetCalls.Accepted first = one.awaitCount(1).values().getFirst();
        track(first.fd());
        one.cancel();
        awaitNothingInFlight();
        // The armed op accepts the queued connections at once; those beyond the one delivered were closed by the
        // library: their clients read EOF. The delivered one is still open, so its client's recv times out, as does
        // one whose handshake the kernel had not finished when the op was disarmed (never accepted).
        int eofs = 0;
        for (int client : clients) {
            TestObserver<UringBuffer> recv = rx.withTimeout(Duration.ofMillis(200)).recv(client, 8).test()
                    .awaitDone(TIMEOUT_S, TimeUnit.SECONDS);
            if (recv.values().isEmpty()) {
                recv.assertError(UringTimeoutException.class);
            } else {
                UringBuffer b = recv.values().getFirst();
                assertEquals(0, b.readableBytes(), "nobody sends on these connections");
                b.release();
                eofs++;
            }
        }
        assertTrue(eofs >= 1 && eofs <= clients.size() - 1, "connections closed by the library: " + eofs);
    }

    @Test
    void multishotRecvThroughAProvidedBufferRingIsByteExactAndCompletesAtEof() throws Exception {
        SocketPair pair = unixPair();
        ProvidedBufferRing buffers = ProvidedBufferRing.registerAsync(loop, 7, 4, 64).get(TIMEOUT_S,
                TimeUnit.SECONDS);
        try {
            byte[] data = new byte[16 * 1024];
            new Random(42).nextBytes(data);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            TestSubscriber<Integer> chunks = rx.recvMultishot(pair.first(), buffers)
                    .map(b -> {
                        byte[] chunk = b.toByteArray();
                        b.release(); // back to the ring
                        received.writeBytes(chunk);
                        return chunk.length;
                    })
                    .test();
            rx.writeStream(pair.second(), data).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                    .assertResult(data.length);
            rx.shutdown(pair.second(), Sockets.SHUT_WR).blockingAwait();
            chunks.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete().assertNoErrors();
            assertTrue(chunks.values().stream().allMatch(n -> n > 0 && n <= 64), "chunks of one buffer at most");
            assertArrayEquals(data, received.toByteArray(), "every byte once, in order");
        } finally {
            buffers.close();
        }
    }
}
