package io.reactiveuring.reactor;

import io.reactiveuring.core.reactive.FdKind;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.OpCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static io.reactiveuring.reactor.Fixtures.text;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The life of one op as a Mono: demand, cancellation (ASYNC_CANCEL, discard and dropped-error hooks), retry modes,
 * kernel-side timeouts, the end of the ring, Context, scan attributes and misbehaving subscribers.
 */
class MonoUringOpTest {
    long fdsBefore;
    ReactorUring ring;
    UringLoop loop;
    Fixtures fx;

    @BeforeEach
    void start() {
        Fixtures.requireUring();
        fdsBefore = Fixtures.openIoFds();
        ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("mono-op-test"));
        loop = ring.loops().getFirst();
        fx = new Fixtures();
    }

    @AfterEach
    void stop() throws Exception {
        Hooks.resetOnErrorDropped();
        if (ring == null) {
            return;
        }
        ring.dispose();
        assertTrue(ring.awaitTermination(TIMEOUT));
        assertEquals(0, loop.staleCompletions());
        assertEquals(0, loop.inFlight());
        fx.close();
        assertEquals(fdsBefore, Fixtures.openIoFds(), "no fd leaked");
    }

    void barrier() {
        assertEquals(0, ring.nop().block(TIMEOUT));
    }

    /** A read result that owns native memory: whoever receives it must free it. */
    static final class Buf {
        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        int length;

        Buf(int capacity) {
            segment = arena.allocate(capacity);
        }

        String text() {
            return Fixtures.text(segment, length);
        }

        void free() {
            arena.close();
        }
    }

    /**
     * A pipe read into a buffer the call allocates at the first request and owns until it hands it out; records
     * what happened to it, and when, in {@code events} (on the loop thread).
     */
    final class BufferRead implements OpCall<Buf> {
        final Buf buf = new Buf(64);
        final List<String> events;
        final CountDownLatch released;
        boolean handedOut;
        volatile long completionsAtRelease = -1;

        BufferRead(List<String> events, CountDownLatch released) {
            this.events = events;
            this.released = released;
        }

        int fd;

        BufferRead on(int fd) {
            this.fd = fd;
            return this;
        }

        @Override
        public OpSpec spec() {
            return OpSpec.read(fd, buf.segment, -1);
        }

        @Override
        public OpSpec nowaitSpec() {
            return OpSpec.read(fd, buf.segment, -1).withOpFlags(Poll.RWF_NOWAIT);
        }

        @Override
        public int readiness() {
            return Poll.READABLE;
        }

        @Override
        public Buf result(int res, int flags) {
            handedOut = true;
            buf.length = res;
            return buf;
        }

        @Override
        public void discardResult(int res, int flags) {
            events.add("discardResult");
        }

        @Override
        public void release() {
            completionsAtRelease = loop.completionCount();
            events.add(loop.inLoop() ? "release" : "release off the loop thread");
            if (!handedOut) {
                buf.free();
            }
            released.countDown();
        }
    }

    // ------------------------------------------------------------------------------------------- demand

    @Test
    void nothingIsSubmittedBeforeRequest() {
        AtomicInteger callsMade = new AtomicInteger();
        Mono<Integer> nop = ring.op(() -> {
            callsMade.incrementAndGet();
            return io.reactiveuring.core.reactive.Call.of(OpSpec.nop());
        });
        StepVerifier.create(nop, 0)
                .then(() -> {
                    barrier();
                    long before = loop.submittedOperations();
                    barrier();
                    assertEquals(before + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
                    assertEquals(0, callsMade.get(), "no call prepared before request");
                })
                .expectNoEvent(Duration.ZERO)
                .thenRequest(1)
                .expectNext(0)
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(1, callsMade.get());
    }

    // ------------------------------------------------------------------------------------------- cancellation

    @Test
    void cancelOfPendingPipeReadIssuesAsyncCancelAndReleasesTheBufferAfterTheFinalCqe() throws Exception {
        int[] p = fx.pipe();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch released = new CountDownLatch(1);
        AtomicReference<BufferRead> call = new AtomicReference<>();
        long cancelsBefore = loop.cancelsIssued();
        AtomicInteger completionsAtCancel = new AtomicInteger();
        StepVerifier.create(ring.op(() -> {
                            call.set(new BufferRead(events, released).on(p[0]));
                            return call.get();
                        })
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, d -> events.add("discard hook"))))
                .then(() -> {
                    barrier();
                    assertEquals(List.of(), events, "the kernel still owns the buffer while the read is pending");
                    completionsAtCancel.set((int) loop.completionCount());
                })
                .thenCancel()
                .verify(TIMEOUT);
        assertTrue(released.await(10, TimeUnit.SECONDS));
        barrier();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "ASYNC_CANCEL was submitted");
        assertEquals(List.of("release"), events, "released on the loop thread; no value, so nothing discarded");
        assertTrue(call.get().completionsAtRelease > completionsAtCancel.get(), "released after a CQE, not at cancel");
    }

    @Test
    void valueArrivingAfterCancelGoesToTheContextDiscardHookBeforeTheCallIsReleased() throws Exception {
        int[] p = fx.pipe();
        fx.writeAll(p[1], "late data");
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch released = new CountDownLatch(1);
        CompletableFuture<Buf> discarded = new CompletableFuture<>();
        AtomicInteger signals = new AtomicInteger();
        Mono<Buf> read = ring.op(() -> new BufferRead(events, released).on(p[0]))
                .contextWrite(ctx -> Operators.enableOnDiscard(ctx, d -> {
                    events.add(loop.inLoop() ? "discard hook" : "discard hook off the loop thread");
                    discarded.complete((Buf) d);
                }));
        // Request and cancel in one loop task, the read handed to the kernel in between: it completes at once (data
        // ready), and its value always arrives after the cancel.
        ring.scheduler().schedule(() -> read.subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(1);
                loop.submitPending(); // the op reaches the kernel before its cancel
                subscription.cancel();
            }

            @Override
            protected void hookOnNext(Buf value) {
                signals.incrementAndGet();
            }

            @Override
            protected void hookOnError(Throwable throwable) {
                signals.incrementAndGet();
            }
        }));
        Buf buf = discarded.get(10, TimeUnit.SECONDS);
        assertTrue(released.await(10, TimeUnit.SECONDS));
        try {
            assertEquals("late data", buf.text(), "the discarded value is the buffer with the bytes read");
            assertEquals(List.of("discard hook", "release"), events, "ownership went to the hook, then released");
            barrier();
            assertEquals(0, signals.get(), "nothing signalled after cancel");
        } finally {
            buf.free();
        }
    }

    @Test
    void valueAfterCancelWithoutDiscardHookIsCleanedUpByTheCall() throws Exception {
        int[] p = fx.pipe();
        fx.writeAll(p[1], "nobody");
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch released = new CountDownLatch(1);
        Mono<Buf> read = ring.op(() -> new BufferRead(events, released).on(p[0]));
        ring.scheduler().schedule(() -> read.subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(1);
                loop.submitPending(); // the op reaches the kernel before its cancel
                subscription.cancel();
            }
        }));
        assertTrue(released.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("discardResult", "release"), events);
    }

    @Test
    void errorArrivingAfterCancelGoesToTheDroppedErrorHook() throws Exception {
        CompletableFuture<Throwable> dropped = new CompletableFuture<>();
        Hooks.onErrorDropped(dropped::complete);
        int notAnFd = 99_999;
        // A read fails inline at submission (fsync would go to io-wq, where the cancel could still catch it).
        Mono<Integer> read = ring.read(notAnFd, fx.arena.allocate(8), -1, FdKind.POLLABLE);
        ring.scheduler().schedule(() -> read.subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(1);
                loop.submitPending(); // the op reaches the kernel before its cancel
                subscription.cancel();
            }
        }));
        UringException e = assertInstanceOf(UringException.class, dropped.get(10, TimeUnit.SECONDS));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("READ fd=" + notAnFd, e.operation());
    }

    @Test
    void disposingTheRingGivesEachOfAThousandPendingMonosOneCancellation() throws Exception {
        int[] p = fx.pipe();
        MemorySegment buf = fx.arena.allocate(16);
        int n = 1000;
        CountDownLatch terminated = new CountDownLatch(n);
        List<AtomicInteger> signals = new ArrayList<>();
        List<AtomicReference<Throwable>> errors = new ArrayList<>();
        Mono<Integer> read = ring.read(p[0], buf, -1, FdKind.POLLABLE);
        for (int i = 0; i < n; i++) {
            AtomicInteger count = new AtomicInteger();
            AtomicReference<Throwable> error = new AtomicReference<>();
            signals.add(count);
            errors.add(error);
            read.subscribe(v -> count.incrementAndGet(), t -> {
                error.set(t);
                count.incrementAndGet();
                terminated.countDown();
            }, count::incrementAndGet);
        }
        barrier();
        assertEquals(n, loop.inFlight(), "all reads wait in the kernel");
        ring.dispose();
        assertTrue(terminated.await(10, TimeUnit.SECONDS));
        assertTrue(ring.awaitTermination(TIMEOUT));
        for (int i = 0; i < n; i++) {
            assertInstanceOf(UringCancelledException.class, errors.get(i).get());
            assertEquals(1, signals.get(i).get(), "exactly one signal");
        }
        StepVerifier.create(ring.nop()).expectError(UringCancelledException.class).verify(TIMEOUT);
    }

    // ------------------------------------------------------------------------------------------- retry modes

    @Test
    void userModeReadOnEmptyPipeArmsAPollAndCompletesWhenDataArrives() {
        int[] p = fx.pipe();
        MemorySegment buf = fx.arena.allocate(64);
        long armedBefore = loop.stats().pollArmedCount();
        long resubmittedBefore = loop.stats().pollResubmittedCount();
        StepVerifier.create(ring.withPollRetry(PollRetry.USER).read(p[0], buf, -1, FdKind.POLLABLE))
                .then(() -> {
                    barrier();
                    assertEquals(armedBefore + 1, loop.stats().pollArmedCount(), "EAGAIN armed a poll");
                    assertEquals(resubmittedBefore, loop.stats().pollResubmittedCount());
                    fx.writeAll(p[1], "arrived later");
                })
                .expectNext(13)
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals("arrived later", text(buf, 13));
        assertEquals(resubmittedBefore + 1, loop.stats().pollResubmittedCount(), "re-submitted on readiness");
    }

    @Test
    void userModeReadOnRegularFileNeverArmsAPoll(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        Files.writeString(file, "regular file content");
        int fd = fx.open(ring, file, Fixtures.O_RDONLY);
        MemorySegment buf = fx.arena.allocate(64);
        long armedBefore = loop.stats().pollArmedCount();
        StepVerifier.create(ring.withPollRetry(PollRetry.USER).read(fd, buf, 0, FdKind.REGULAR_FILE))
                .expectNext(20)
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals("regular file content", text(buf, 20));
        assertEquals(armedBefore, loop.stats().pollArmedCount(), "a regular file is never polled");
    }

    // ------------------------------------------------------------------------------------------- timeouts

    @Test
    void kernelSideTimeoutExpiryIsUringTimeoutException() {
        int[] p = fx.pipe();
        MemorySegment buf = fx.arena.allocate(16);
        StepVerifier.create(ring.withTimeout(Duration.ofMillis(40)).read(p[0], buf, -1, FdKind.POLLABLE))
                .expectErrorSatisfies(e -> {
                    UringTimeoutException t = assertInstanceOf(UringTimeoutException.class, e);
                    assertEquals(Errno.ETIME, t.errno());
                    assertFalse(UringCancelledException.isCancellation(t), "a timeout is not a cancellation");
                })
                .verify(TIMEOUT);
    }

    @Test
    void kernelSideTimeoutCoversTheUserModePollRetry() {
        int[] p = fx.pipe();
        MemorySegment buf = fx.arena.allocate(16);
        long armedBefore = loop.stats().pollArmedCount();
        StepVerifier.create(ring.withPollRetry(PollRetry.USER).withTimeout(Duration.ofMillis(40))
                        .read(p[0], buf, -1, FdKind.POLLABLE))
                .expectError(UringTimeoutException.class)
                .verify(TIMEOUT);
        assertEquals(armedBefore + 1, loop.stats().pollArmedCount(), "the timeout ran out while the poll waited");
    }

    @Test
    void reactorTimeoutCancelsTheOpThroughTheRing() {
        int[] p = fx.pipe();
        MemorySegment buf = fx.arena.allocate(16);
        long cancelsBefore = loop.cancelsIssued();
        StepVerifier.create(ring.read(p[0], buf, -1, FdKind.POLLABLE).timeout(Duration.ofMillis(30)))
                .expectError(TimeoutException.class)
                .verify(TIMEOUT);
        barrier();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "Reactor's timeout cancelled: one ASYNC_CANCEL");
    }

    // ------------------------------------------------------------------------------------------- Reactor view

    /** Captures its subscription; requests only when told. */
    static final class Capturing<T> implements CoreSubscriber<T> {
        final Context context;
        final CompletableFuture<Subscription> subscription = new CompletableFuture<>();
        final CountDownLatch done = new CountDownLatch(1);

        Capturing(Context context) {
            this.context = context;
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(T t) {
        }

        @Override
        public void onError(Throwable t) {
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }
    }

    @Test
    void contextReachesTheSubscriberSeenByTheOp() throws Exception {
        Capturing<Integer> s = new Capturing<>(Context.empty());
        ring.nop().contextWrite(Context.of("tenant", "blue")).subscribe(s);
        // The subscriber sees contextWrite's subscription; its parent is the op's own.
        Scannable contextWrite = Scannable.from(s.subscription.get(10, TimeUnit.SECONDS));
        Scannable op = contextWrite.scan(Scannable.Attr.PARENT);
        assertInstanceOf(MonoUringOp.OpSubscription.class, op);
        CoreSubscriber<?> actual = (CoreSubscriber<?>) op.scanUnsafe(Scannable.Attr.ACTUAL);
        assertEquals("blue", actual.currentContext().get("tenant"));
        StepVerifier.create(Mono.deferContextual(ctx -> ring.nop().map(v -> ctx.<String>get("tenant") + v))
                        .contextWrite(Context.of("tenant", "red")))
                .expectNext("red0")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void scanAnswersParentActualDemandAndState() throws Exception {
        int[] p = fx.pipe();
        MemorySegment buf = fx.arena.allocate(16);
        Mono<Integer> read = ring.read(p[0], buf, -1, FdKind.POLLABLE);
        Scannable source = Scannable.from(read);
        assertEquals(Scannable.Attr.RunStyle.ASYNC, source.scan(Scannable.Attr.RUN_STYLE));
        assertSame(ring.scheduler(), source.scan(Scannable.Attr.RUN_ON));

        Capturing<Integer> pending = new Capturing<>(Context.empty());
        read.subscribe(pending);
        Subscription sub = pending.subscription.get(10, TimeUnit.SECONDS);
        Scannable scan = Scannable.from(sub);
        assertSame(read, scan.scan(Scannable.Attr.PARENT));
        assertSame(pending, scan.scanUnsafe(Scannable.Attr.ACTUAL));
        assertEquals(0L, scan.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM));
        assertEquals(Scannable.Attr.RunStyle.ASYNC, scan.scan(Scannable.Attr.RUN_STYLE));
        assertSame(ring.scheduler(), scan.scan(Scannable.Attr.RUN_ON));
        sub.request(1);
        assertEquals(1L, scan.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM));
        assertEquals(Boolean.FALSE, scan.scan(Scannable.Attr.CANCELLED));
        assertEquals(Boolean.FALSE, scan.scan(Scannable.Attr.TERMINATED));
        sub.cancel();
        assertEquals(Boolean.TRUE, scan.scan(Scannable.Attr.CANCELLED));
        assertEquals(Boolean.FALSE, scan.scan(Scannable.Attr.TERMINATED));

        Capturing<Integer> completed = new Capturing<>(Context.empty());
        ring.nop().subscribe(completed);
        completed.subscription.get(10, TimeUnit.SECONDS).request(1);
        assertTrue(completed.done.await(10, TimeUnit.SECONDS));
        Scannable done = Scannable.from(completed.subscription.get());
        assertEquals(Boolean.TRUE, done.scan(Scannable.Attr.TERMINATED));
        assertEquals(0L, done.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM));

        Capturing<Integer> chain = new Capturing<>(Context.empty());
        ring.linked(OpSpec.nop(), OpSpec.nop()).subscribe(chain);
        Scannable linked = Scannable.from(chain.subscription.get(10, TimeUnit.SECONDS));
        assertSame(chain, linked.scanUnsafe(Scannable.Attr.ACTUAL));
        assertEquals(Scannable.Attr.RunStyle.ASYNC, linked.scan(Scannable.Attr.RUN_STYLE));
        chain.subscription.get().request(2);
        assertTrue(chain.done.await(10, TimeUnit.SECONDS));
        assertEquals(Boolean.TRUE, linked.scan(Scannable.Attr.TERMINATED));
    }

    @Test
    void subscriberThrowingInOnNextDoesNotStopTheLoop() throws Exception {
        CompletableFuture<Throwable> dropped = new CompletableFuture<>();
        Hooks.onErrorDropped(dropped::complete);
        IllegalStateException bug = new IllegalStateException("user bug");
        ring.nop().subscribe(new CoreSubscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(Integer value) {
                throw bug;
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        assertSame(bug, dropped.get(10, TimeUnit.SECONDS), "routed to Reactor's dropped-error hook");
        barrier();
        assertFalse(loop.isShuttingDown());
        assertEquals(1, loop.callbackErrors());
    }

    @Test
    void unsupportedOpcodeFailsTheSubscriberWithoutReachingTheKernel() {
        byte beyondEveryKernel = (byte) 250;
        StepVerifier.create(ring.op(OpSpec.of(beyondEveryKernel)))
                .expectError(IllegalArgumentException.class)
                .verify(TIMEOUT);
        assertEquals(IoUring.IORING_OP_NOP, OpSpec.nop().opcode());
    }
}
