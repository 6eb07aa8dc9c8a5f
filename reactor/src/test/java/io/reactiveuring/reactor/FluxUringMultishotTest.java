package io.reactiveuring.reactor;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.ops.SocketOps;
import io.reactiveuring.core.reactive.MultishotCall;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Multishot ops as a Flux: demand arms and disarms the kernel op (request(n), limitRate), cancellation, items nobody
 * receives to the discard hook, the end of the ring, scan attributes.
 */
class FluxUringMultishotTest extends CatalogueTestBase {

    /**
     * A pipe holding one byte at a time: each delivered readiness consumes the byte and only then writes the next.
     * The kernel posts one multishot-poll CQE per wake-up but merges wake-ups that come before the previous one was
     * processed; here there is never more than one, so every item is exactly one byte, and counts are exact
     * whether the poll is armed when the byte arrives (a wake-up) or disarmed (the next arm finds it readable).
     */
    final class OneByteAtATime {
        final int[] pipe = fx.pipe();
        final MemorySegment oneByte = fx.arena.allocate(1);
        final AtomicInteger consumed = new AtomicInteger();

        OneByteAtATime() {
            assertEquals(0, LibSocket.setNonBlocking(pipe[0], true)); // a broken count must fail, not block
            produce();
        }

        private void produce() {
            assertEquals(1, LibC.write(pipe[1], oneByte, 1));
        }

        /** The ready masks of the read end; each one consumes its byte and produces the next (loop thread). */
        Flux<Integer> masks() {
            return ring.pollMultishot(pipe[0], Poll.POLLIN).doOnNext(mask -> {
                if (LibC.read(pipe[0], oneByte, 1) != 1) {
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
        StepVerifier.create(source.masks(), 0)
                .expectSubscription()
                .then(() -> assertEquals(0, source.consumed.get(), "nothing armed before a request"))
                .thenRequest(3)
                .expectNextMatches(FluxUringMultishotTest::readable)
                .expectNextMatches(FluxUringMultishotTest::readable)
                .expectNextMatches(FluxUringMultishotTest::readable)
                .then(() -> {
                    awaitOrFail(this::awaitNothingInFlight); // the poll was disarmed once demand ran out
                    assertEquals(3, source.consumed.get(), "exactly the 3 requested");
                })
                .thenRequest(2)
                .expectNextMatches(FluxUringMultishotTest::readable)
                .expectNextMatches(FluxUringMultishotTest::readable)
                .thenCancel()
                .verify(TIMEOUT);
        awaitNothingInFlight();
        assertEquals(5, source.consumed.get(), "nothing delivered after cancel");
        assertTrue(loop.cancelsIssued() >= cancelsBefore + 2, "disarmed at zero demand and at cancel");
    }

    @Test
    void limitRateDrivesTheArmInBatchesAndDeliversAnExactCount() throws Exception {
        OneByteAtATime source = new OneByteAtATime();
        List<Long> requests = new CopyOnWriteArrayList<>();
        StepVerifier.create(source.masks().doOnRequest(requests::add).limitRate(4).take(10))
                .expectNextCount(10)
                .expectComplete()
                .verify(TIMEOUT);
        awaitNothingInFlight();
        assertEquals(10, source.consumed.get(), "take(10) cancelled right after the 10th item");
        assertEquals(4L, requests.getFirst(), "limitRate's first batch");
        assertTrue(requests.stream().allMatch(n -> n <= 4), "never more than a batch at once: " + requests);
        assertTrue(requests.stream().mapToLong(Long::longValue).sum() >= 10, "requests " + requests);
    }

    @Test
    void unboundedDemandKeepsOneArmForEveryItem() throws Exception {
        OneByteAtATime source = new OneByteAtATime();
        long submittedBefore = loop.submittedOperations();
        StepVerifier.create(source.masks().take(50, false))
                .expectNextCount(50)
                .expectComplete()
                .verify(TIMEOUT);
        awaitNothingInFlight();
        assertEquals(50, source.consumed.get());
        // one POLL_ADD for the whole stream, plus the disarm at cancel
        assertTrue(loop.submittedOperations() - submittedBefore <= 3,
                "re-armed needlessly: " + (loop.submittedOperations() - submittedBefore) + " submissions");
    }

    @Test
    void disposingTheRingEndsTheFluxWithOneCancellation() throws Exception {
        int[] p = fx.pipe();
        AtomicInteger signals = new AtomicInteger();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        ring.pollMultishot(p[0], Poll.POLLIN).subscribe(m -> signals.incrementAndGet(), e -> {
            signals.incrementAndGet();
            error.complete(e);
        }, signals::incrementAndGet);
        barrier();
        ring.dispose();
        assertTrue(UringCancelledException.isCancellation(error.get(10, TimeUnit.SECONDS)));
        assertTrue(ring.awaitTermination(TIMEOUT));
        assertEquals(1, signals.get(), "exactly one signal");
        StepVerifier.create(ring.pollMultishot(p[0], Poll.POLLIN))
                .expectError(UringCancelledException.class)
                .verify(TIMEOUT);
    }

    /** Test-only multishot accept (core's own call is being written): each CQE is an accepted fd. */
    static final class MultishotAccept implements MultishotCall<Integer> {
        private final OpSpec spec;
        final List<Integer> discardedByCall = new CopyOnWriteArrayList<>();

        MultishotAccept(int listenFd) {
            spec = SocketOps.acceptMultishot(listenFd, 0);
        }

        @Override
        public OpSpec spec() {
            return spec;
        }

        @Override
        public Integer item(int res, int flags) {
            return res;
        }

        @Override
        public void discard(Integer fd) {
            discardedByCall.add(fd);
            LibC.close(fd);
        }
    }

    /** Three connections wait in the listener's backlog: one arm of a multishot accept takes them in one go. */
    int listenerWithThreePendingConnections() {
        int listen = tcpListener();
        for (int i = 0; i < 3; i++) {
            int client = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0));
            StepVerifier.create(ring.connect(client, localAddress(listen))).expectNext(0).expectComplete()
                    .verify(TIMEOUT);
        }
        return listen;
    }

    @Test
    void itemsQueuedWithoutDemandGoToTheDiscardHookAtCancel() throws Exception {
        int listen = listenerWithThreePendingConnections();
        MultishotAccept call = new MultishotAccept(listen);
        List<Object> discarded = new CopyOnWriteArrayList<>();
        Flux<Integer> accepts = ring.multishot(() -> call)
                .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add));
        StepVerifier.create(accepts, 1)
                .assertNext(this::track)
                .then(() -> awaitOrFail(this::awaitNothingInFlight)) // disarmed; the rest of the batch is queued
                .thenCancel()
                .verify(TIMEOUT);
        awaitNothingInFlight();
        discarded.forEach(fd -> track((Integer) fd)); // the hook owns them: the test closes them
        assertEquals(List.of(), call.discardedByCall, "the hook, not the call, received them");
        assertEquals(2, discarded.size(), "the two accepted without demand were queued, then discarded");
    }

    @Test
    void withoutAHookQueuedItemsGoToTheCallsOwnDiscard() throws Exception {
        int listen = listenerWithThreePendingConnections();
        MultishotAccept call = new MultishotAccept(listen);
        CompletableFuture<Subscription> subscription = new CompletableFuture<>();
        StepVerifier.create(ring.multishot(() -> call), 1)
                .consumeSubscriptionWith(subscription::complete)
                .assertNext(this::track)
                .then(() -> {
                    awaitOrFail(this::awaitNothingInFlight);
                    assertEquals(2, Scannable.from(subscription.join()).scan(Scannable.Attr.BUFFERED),
                            "accepted in the same batch as the first, waiting for demand");
                })
                .thenCancel()
                .verify(TIMEOUT);
        awaitNothingInFlight();
        assertEquals(2, call.discardedByCall.size(), "queued accepts closed by the call");
    }

    @Test
    void scanAnswersParentActualDemandBufferAndState() throws Exception {
        int[] p = fx.pipe();
        Flux<Integer> polls = ring.pollMultishot(p[0], Poll.POLLIN);
        Scannable source = Scannable.from(polls);
        assertEquals(Scannable.Attr.RunStyle.ASYNC, source.scan(Scannable.Attr.RUN_STYLE));
        assertSame(ring.scheduler(), source.scan(Scannable.Attr.RUN_ON));

        CompletableFuture<Subscription> subscription = new CompletableFuture<>();
        CountDownLatch firstItem = new CountDownLatch(1);
        CoreSubscriber<Integer> subscriber = new CoreSubscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscription.complete(s);
            }

            @Override
            public void onNext(Integer mask) {
                firstItem.countDown();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }

            @Override
            public Context currentContext() {
                return Context.empty();
            }
        };
        polls.subscribe(subscriber);
        Scannable scan = Scannable.from(subscription.get(10, TimeUnit.SECONDS));
        assertInstanceOf(FluxUringMultishot.MultishotOpSubscription.class, scan);
        assertSame(polls, scan.scan(Scannable.Attr.PARENT));
        assertSame(subscriber, scan.scanUnsafe(Scannable.Attr.ACTUAL));
        assertEquals(0L, scan.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM));
        assertEquals(0, scan.scan(Scannable.Attr.BUFFERED));
        subscription.get().request(5);
        assertEquals(5L, scan.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM));
        fx.writeAll(p[1], "x");
        assertTrue(firstItem.await(10, TimeUnit.SECONDS));
        assertEquals(Boolean.FALSE, scan.scan(Scannable.Attr.CANCELLED));
        assertEquals(Boolean.FALSE, scan.scan(Scannable.Attr.TERMINATED));
        subscription.get().cancel();
        assertEquals(Boolean.TRUE, scan.scan(Scannable.Attr.CANCELLED));
        assertEquals(Boolean.FALSE, scan.scan(Scannable.Attr.TERMINATED), "cancelled is not terminated");
        awaitNothingInFlight();
    }

    /** Runs a check that may throw checked exceptions from inside a StepVerifier task. */
    interface Check {
        void run() throws Exception;
    }

    static void awaitOrFail(Check check) {
        try {
            check.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
