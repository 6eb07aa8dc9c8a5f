package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

class MultishotPublisherTest {
    UringLoop loop;
    Arena arena;
    long fdsBefore;
    final List<Integer> fdsToClose = new ArrayList<>();
    final List<Throwable> hookErrors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        fdsBefore = UringTestSupport.openFds();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("multishot-test").withErrorHook(hookErrors::add));
        arena = Arena.ofShared();
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions());
            assertEquals(0, loop.inFlight());
        }
        fdsToClose.forEach(LibC::close);
        if (arena != null) {
            arena.close();
            assertEquals(fdsBefore, UringTestSupport.openFds(), "file descriptors leaked");
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    int eventfd() {
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        assertTrue(fd >= 0, "eventfd: " + fd);
        fdsToClose.add(fd);
        return fd;
    }

    int[] pipe() {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LibC.pipe2(fds, LibC.O_CLOEXEC | LibC.O_NONBLOCK));
        int[] p = {fds.get(JAVA_INT, 0), fds.get(JAVA_INT, 4)};
        fdsToClose.add(p[0]);
        fdsToClose.add(p[1]);
        return p;
    }

    /** Adds {@code n} to an eventfd's counter: one wake-up of its pollers. */
    void bump(int efd, long n) {
        MemorySegment value = arena.allocate(JAVA_LONG);
        value.set(JAVA_LONG, 0, n);
        assertEquals(8, LibC.write(efd, value, 8));
    }

    /** Reads (and so resets) an eventfd's counter; 0 if it was 0. {@code scratch} belongs to the calling thread. */
    static long consume(int efd, MemorySegment scratch) {
        long r = LibC.read(efd, scratch, 8);
        return r == 8 ? scratch.get(JAVA_LONG, 0) : 0;
    }

    /** Waits until the loop has processed everything handed over so far (a NOP's round trip). */
    void barrier() throws Exception {
        LoopRoundTrips.barrier(loop);
    }

    /**
     * Waits, in loop round trips (never a sleep), until exactly {@code n} user ops are in the ring: a disarm or an
     * arm takes a round trip or two (cancel, then the target's final CQE).
     */
    void awaitInFlight(int n) throws Exception {
        LoopRoundTrips.awaitInFlight(loop, n);
    }

    static MultishotSubscription<?> subscriptionOf(TestSubscriber<?> s) {
        return (MultishotSubscription<?>) s.subscription;
    }

    /** Records every item and lets a test wait for them one by one; {@code onItem} runs on the signalling thread. */
    static class ItemSubscriber extends TestSubscriber<Integer> {
        final Semaphore items = new Semaphore(0);
        final Consumer<Integer> onItem;

        ItemSubscriber(long initialRequest, Consumer<Integer> onItem) {
            super(initialRequest);
            this.onItem = onItem;
        }

        ItemSubscriber(long initialRequest) {
            this(initialRequest, item -> { });
        }

        @Override
        public void onNext(Integer item) {
            super.onNext(item);
            onItem.accept(item);
            items.release();
        }

        void awaitItem() throws InterruptedException {
            assertTrue(items.tryAcquire(10, TimeUnit.SECONDS), "no item within 10 s; have " + values);
        }
    }

    /** Wraps a call and records what the publisher did with it. */
    static class RecordingCall<T> implements MultishotCall<T> {
        final MultishotCall<T> delegate;
        final AtomicInteger arms = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        final List<T> discarded = new CopyOnWriteArrayList<>();
        final CountDownLatch released = new CountDownLatch(1);
        volatile Thread releaseThread;

        RecordingCall(MultishotCall<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public OpSpec spec() {
            arms.incrementAndGet();
            return delegate.spec();
        }

        @Override
        public OwnedResource armResource() {
            return delegate.armResource();
        }

        @Override
        public boolean endOfStream(int res, int flags) {
            return delegate.endOfStream(res, flags);
        }

        @Override
        public boolean completesOn(int res) {
            return delegate.completesOn(res);
        }

        @Override
        public T item(int res, int flags) {
            return delegate.item(res, flags);
        }

        @Override
        public boolean awaitBufferReturn(Runnable onReturned) {
            return delegate.awaitBufferReturn(onReturned);
        }

        @Override
        public void discard(T item) {
            discarded.add(item);
            delegate.discard(item);
        }

        @Override
        public void release() {
            releaseThread = Thread.currentThread();
            releases.incrementAndGet();
            released.countDown();
            delegate.release();
        }

        void awaitReleased() throws InterruptedException {
            assertTrue(released.await(10, TimeUnit.SECONDS), "call not released");
        }
    }

    /** A call whose every arm is one NOP: a "multishot" op that ends each arm with a final CQE carrying res 0. */
    static final class NopCall implements MultishotCall<Integer> {
        @Override
        public OpSpec spec() {
            return OpSpec.nop();
        }

        @Override
        public Integer item(int res, int flags) {
            return res;
        }
    }

    static <T> MultishotPublisher<T> publisher(UringLoop loop, RecordingCall<T> call) {
        Supplier<MultishotCall<T>> once = () -> call;
        return new MultishotPublisher<>(loop, once);
    }

    // ------------------------------------------------------------------------------------------- demand

    @Test
    void demandOneThenTwoThenUnboundedEmitsExactlyAsManyReadyMasks() throws Exception {
        int efd = eventfd();
        MemorySegment loopScratch = arena.allocate(JAVA_LONG);
        AtomicLong eventsConsumed = new AtomicLong();
        // The subscriber consumes the eventfd's counter on each item, so every later bump is a fresh wake-up.
        ItemSubscriber s = new ItemSubscriber(0, item -> eventsConsumed.addAndGet(consume(efd, loopScratch)));
        RecordingCall<Integer> call = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        publisher(loop, call).subscribe(s);
        barrier();
        assertEquals(0, call.arms.get(), "nothing armed before the first request");
        assertEquals(0, loop.inFlight());

        s.subscription.request(1);
        awaitInFlight(1);
        bump(efd, 1);
        s.awaitItem();
        awaitInFlight(0); // demand ran out: the poll was removed
        assertEquals(List.of(Poll.POLLIN), s.values);
        assertEquals(1, eventsConsumed.get());

        bump(efd, 1);
        bump(efd, 1);
        barrier();
        assertEquals(1, s.values.size(), "no item without demand");
        s.subscription.request(2);
        s.awaitItem(); // the re-arm reports the readiness that arose while disarmed
        assertEquals(3, eventsConsumed.get(), "both bumps made while disarmed were seen");
        awaitInFlight(1); // one more item wanted: still armed
        bump(efd, 1);
        s.awaitItem();
        awaitInFlight(0);
        assertEquals(3, s.values.size());
        assertEquals(4, eventsConsumed.get());
        assertEquals(2, call.arms.get());

        s.subscription.request(Long.MAX_VALUE);
        awaitInFlight(1);
        for (int i = 0; i < 5; i++) {
            bump(efd, 1);
            s.awaitItem();
        }
        barrier();
        assertEquals(8, s.values.size(), "exactly one item per wake-up");
        assertTrue(s.values.stream().allMatch(mask -> mask == Poll.POLLIN), "ready masks: " + s.values);
        assertEquals(9, eventsConsumed.get(), "every bump was seen, the two made while disarmed in one item");
        assertEquals(3, call.arms.get(), "unbounded demand keeps the same arm");
        assertEquals(1, loop.inFlight());
        assertEquals(Long.MAX_VALUE, subscriptionOf(s).requestedFromDownstream(), "unbounded demand is not counted");

        s.subscription.cancel();
        call.awaitReleased();
        assertEquals(0, s.terminals.get());
        assertTrue(hookErrors.isEmpty(), hookErrors.toString());
    }

    @Test
    void finalCqeWhileDemandRemainsReArmsTransparently() throws Exception {
        RecordingCall<Integer> call = new RecordingCall<>(new NopCall());
        ItemSubscriber s = new ItemSubscriber(3);
        publisher(loop, call).subscribe(s);
        for (int i = 0; i < 3; i++) {
            s.awaitItem();
        }
        awaitInFlight(0);
        assertEquals(List.of(0, 0, 0), s.values);
        assertEquals(3, call.arms.get(), "one arm per final CQE, none beyond the demand");
        s.subscription.request(2);
        s.awaitItem();
        s.awaitItem();
        awaitInFlight(0);
        assertEquals(5, s.values.size());
        assertEquals(5, call.arms.get());
        assertEquals(0, s.terminals.get());
    }

    @Test
    void cqeArrivingAfterDemandRanOutIsQueuedAndDeliveredOnTheNextRequest() throws Exception {
        int efd = eventfd();
        MemorySegment loopScratch = arena.allocate(JAVA_LONG);
        MemorySegment one = arena.allocate(JAVA_LONG);
        one.set(JAVA_LONG, 0, 1);
        AtomicLong eventsConsumed = new AtomicLong();
        AtomicInteger seen = new AtomicInteger();
        // The first onNext (on the loop thread, demand now 0) wakes the poll again before the disarm is issued.
        // Under DEFER_TASKRUN the POLL_REMOVE then meets the pending wake-up and answers -EALREADY (the poll stays
        // armed and posts the wake-up's CQE); the subscription removes it again. Either way the CQE is queued.
        ItemSubscriber s = new ItemSubscriber(1, item -> {
            eventsConsumed.addAndGet(consume(efd, loopScratch));
            if (seen.incrementAndGet() == 1) {
                assertEquals(8, LibC.write(efd, one, 8));
            }
        });
        RecordingCall<Integer> call = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        publisher(loop, call).subscribe(s);
        awaitInFlight(1);
        bump(efd, 1);
        s.awaitItem();
        awaitInFlight(0);
        assertEquals(1, s.values.size());
        assertEquals(1, subscriptionOf(s).bufferedItems(), "the second wake-up's CQE was kept, not dropped");

        s.subscription.request(1);
        s.awaitItem();
        barrier();
        assertEquals(List.of(Poll.POLLIN, Poll.POLLIN), s.values);
        assertEquals(2, eventsConsumed.get(), "every wake-up reached the subscriber");
        assertEquals(1, call.arms.get(), "served from the queue without arming again");
        assertEquals(0, loop.inFlight());
        assertEquals(0, s.terminals.get());
    }

    @Test
    void eachArmHoldsItsResourceUntilItsFinalCqeHasBeenDelivered() throws Exception {
        AtomicInteger taken = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        List<Integer> heldDuringOnNext = new CopyOnWriteArrayList<>();
        RecordingCall<Integer> nops = new RecordingCall<>(new NopCall()) {
            @Override
            public OwnedResource armResource() {
                taken.incrementAndGet();
                held.incrementAndGet();
                return held::decrementAndGet;
            }
        };
        ItemSubscriber s = new ItemSubscriber(3, item -> heldDuringOnNext.add(held.get()));
        publisher(loop, nops).subscribe(s);
        for (int i = 0; i < 3; i++) {
            s.awaitItem();
        }
        awaitInFlight(0);
        assertEquals(3, taken.get(), "one resource per arm");
        assertEquals(0, held.get(), "each released by the engine after its arm's final CQE");
        assertEquals(List.of(1, 1, 1), heldDuringOnNext, "still held while the final CQE's item is delivered");
    }

    // ------------------------------------------------------------------------------------------- cancel

    @Test
    void cancelWhileArmedRemovesThePollAndSignalsNothingAfterwards() throws Exception {
        int efd = eventfd();
        RecordingCall<Integer> call = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        ItemSubscriber s = new ItemSubscriber(Long.MAX_VALUE);
        publisher(loop, call).subscribe(s);
        awaitInFlight(1);
        long cancelsBefore = loop.cancelsIssued();

        s.subscription.cancel();
        call.awaitReleased();
        assertSame(loop.thread(), call.releaseThread, "released on the loop thread, after the final CQE");
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "one POLL_REMOVE for the armed poll");
        assertEquals(0, loop.inFlight());

        bump(efd, 1);
        s.subscription.request(5);
        s.subscription.cancel();
        barrier();
        assertTrue(s.values.isEmpty());
        assertEquals(0, s.terminals.get(), "nothing signalled after cancel");
        assertEquals(1, call.releases.get());
        assertEquals(1, call.arms.get(), "no arm after cancel");
    }

    @Test
    void cancelHandsQueuedItemsToDiscardAndReleasesOnce() throws Exception {
        int efd = eventfd();
        MemorySegment loopScratch = arena.allocate(JAVA_LONG);
        MemorySegment one = arena.allocate(JAVA_LONG);
        one.set(JAVA_LONG, 0, 1);
        ItemSubscriber s = new ItemSubscriber(1, item -> {
            consume(efd, loopScratch);
            assertEquals(8, LibC.write(efd, one, 8)); // a wake-up that arrives after demand ran out
        });
        RecordingCall<Integer> call = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        publisher(loop, call).subscribe(s);
        awaitInFlight(1);
        bump(efd, 1);
        s.awaitItem();
        awaitInFlight(0);
        assertEquals(1, subscriptionOf(s).bufferedItems());

        s.subscription.cancel();
        call.awaitReleased();
        barrier();
        assertEquals(List.of(Poll.POLLIN), call.discarded);
        assertEquals(1, s.values.size());
        assertEquals(0, s.terminals.get());
        assertEquals(1, call.releases.get());
    }

    // ------------------------------------------------------------------------------------------- endings

    @Test
    void disposingTheRingGivesEverySubscriberExactlyOneCancellation() throws Exception {
        int efd = eventfd();
        MemorySegment loopScratch = arena.allocate(JAVA_LONG);
        RecordingCall<Integer> armedCall = new RecordingCall<>(PollCall.of(eventfd(), Poll.POLLIN));
        ItemSubscriber armed = new ItemSubscriber(Long.MAX_VALUE);
        publisher(loop, armedCall).subscribe(armed);

        RecordingCall<Integer> idleCall = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        ItemSubscriber idle = new ItemSubscriber(1, item -> consume(efd, loopScratch));
        publisher(loop, idleCall).subscribe(idle);

        RecordingCall<Integer> lazyCall = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        ItemSubscriber lazy = new ItemSubscriber(0);
        publisher(loop, lazyCall).subscribe(lazy);

        awaitInFlight(2);
        bump(efd, 1);
        idle.awaitItem();
        awaitInFlight(1); // only `armed` has an op in the ring now

        loop.close();
        for (ItemSubscriber s : List.of(armed, idle, lazy)) {
            assertTrue(s.await());
            assertInstanceOf(UringCancelledException.class, s.error);
            assertEquals(1, s.terminals.get());
            assertFalse(s.completed);
        }
        assertEquals(1, idle.values.size());
        armedCall.awaitReleased();
        idleCall.awaitReleased();
        assertEquals(1, armedCall.releases.get());
        assertEquals(1, idleCall.releases.get());
        assertEquals(0, lazyCall.arms.get(), "never requested: never armed");

        ItemSubscriber late = new ItemSubscriber(1);
        publisher(loop, new RecordingCall<>(PollCall.of(efd, Poll.POLLIN))).subscribe(late);
        assertEquals(0, late.terminated.getCount(), "fails at once after the loop ended");
        assertInstanceOf(UringCancelledException.class, late.error);
        assertEquals(1, late.terminals.get());
    }

    @Test
    void hangupEndsAnUntilHangupPollAfterTheItemsBeforeIt() throws Exception {
        int[] p = pipe();
        MemorySegment loopScratch = arena.allocate(16);
        RecordingCall<Integer> call = new RecordingCall<>(PollCall.untilHangup(p[0], Poll.POLLIN));
        ItemSubscriber s = new ItemSubscriber(Long.MAX_VALUE, item -> LibC.read(p[0], loopScratch, 16));
        publisher(loop, call).subscribe(s);
        awaitInFlight(1);
        MemorySegment data = arena.allocate(1);
        assertEquals(1, LibC.write(p[1], data, 1));
        s.awaitItem();
        assertEquals(0, LibC.close(p[1]));
        fdsToClose.remove(Integer.valueOf(p[1]));
        assertTrue(s.await());
        assertNull(s.error);
        assertTrue(s.completed);
        assertEquals(List.of(Poll.POLLIN), s.values);
        call.awaitReleased();
        assertEquals(0, loop.inFlight(), "the poll was removed before completion");
    }

    @Test
    void pollOnAClosedFdEndsWithItsErrno() throws Exception {
        int efd = eventfd();
        LibC.close(efd);
        fdsToClose.remove(Integer.valueOf(efd));
        RecordingCall<Integer> call = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        ItemSubscriber s = new ItemSubscriber(1);
        publisher(loop, call).subscribe(s);
        assertTrue(s.await());
        UringException e = assertInstanceOf(UringException.class, s.error);
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF (9) from POLL_ADD fd=" + efd, e.getMessage());
        call.awaitReleased();
    }

    @Test
    void noBuffersReArmsOnlyAfterTheCallReportsABufferBack() throws Exception {
        int[] p = pipe();
        MemorySegment data = arena.allocate(4);
        assertEquals(4, LibC.write(p[1], data, 4));
        AtomicReference<Runnable> bufferReturned = new AtomicReference<>();
        // First arm: a read that selects from a buffer group nobody provided, so the kernel answers -ENOBUFS.
        // After the "buffer" is back, each arm is a NOP (final CQE, res 0).
        MultishotCall<Integer> noBuffersOnce = new MultishotCall<>() {
            int arms;

            @Override
            public OpSpec spec() {
                if (arms++ == 0) {
                    return OpSpec.builder(IoUring.IORING_OP_READ).fd(p[0]).len(4).off(-1)
                            .sqeFlags(IoUring.IOSQE_BUFFER_SELECT).bufIndex(77).build();
                }
                return OpSpec.nop();
            }

            @Override
            public Integer item(int res, int flags) {
                return res;
            }

            @Override
            public boolean awaitBufferReturn(Runnable onReturned) {
                bufferReturned.set(onReturned);
                return true;
            }
        };
        RecordingCall<Integer> call = new RecordingCall<>(noBuffersOnce);
        ItemSubscriber s = new ItemSubscriber(1);
        publisher(loop, call).subscribe(s);
        awaitInFlight(0);
        barrier();
        assertNotNull(bufferReturned.get(), "-ENOBUFS asked the call to report a returned buffer");
        assertEquals(1, call.arms.get(), "not re-armed before a buffer came back");
        assertEquals(0, s.terminals.get(), "-ENOBUFS is not an error");

        bufferReturned.get().run();
        s.awaitItem();
        assertEquals(List.of(0), s.values);
        assertEquals(2, call.arms.get());
        assertEquals(0, s.terminals.get());
    }

    @Test
    void finalErrorThatTheCallNamesTheSourcesEndCompletesAfterTheItemsBeforeIt() throws Exception {
        int efd = eventfd();
        LibC.close(efd);
        fdsToClose.remove(Integer.valueOf(efd));
        // First arm: a NOP (one item, res 0). Second arm: a read of a closed fd, whose -EBADF the call declares the
        // source's normal end; any other error still fails the stream.
        MultishotCall<Integer> endsOnBadFd = new MultishotCall<>() {
            int arms;

            @Override
            public OpSpec spec() {
                return arms++ == 0 ? OpSpec.nop() : OpSpec.builder(IoUring.IORING_OP_READ).fd(efd).len(0).off(-1).build();
            }

            @Override
            public boolean completesOn(int res) {
                return res == -Errno.EBADF;
            }

            @Override
            public Integer item(int res, int flags) {
                return res;
            }
        };
        RecordingCall<Integer> call = new RecordingCall<>(endsOnBadFd);
        ItemSubscriber s = new ItemSubscriber(5);
        publisher(loop, call).subscribe(s);
        assertTrue(s.await());
        assertNull(s.error);
        assertTrue(s.completed);
        assertEquals(List.of(0), s.values);
        call.awaitReleased();
        assertEquals(2, call.arms.get(), "not re-armed after the source's end");
        assertEquals(1, s.terminals.get());
    }

    // ------------------------------------------------------------------------------------------- rules

    @Test
    void requestOfZeroSignalsIllegalArgument() throws Exception {
        ItemSubscriber s = new ItemSubscriber(0);
        RecordingCall<Integer> call = new RecordingCall<>(new NopCall());
        publisher(loop, call).subscribe(s);
        s.subscription.request(0);
        assertTrue(s.await());
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, s.error);
        assertTrue(e.getMessage().contains("3.9"), e.getMessage());
        assertEquals(0, call.arms.get());
    }

    @Test
    void negativeRequestWhileArmedSignalsIllegalArgumentAndDisarms() throws Exception {
        int efd = eventfd();
        RecordingCall<Integer> call = new RecordingCall<>(PollCall.of(efd, Poll.POLLIN));
        ItemSubscriber s = new ItemSubscriber(1);
        publisher(loop, call).subscribe(s);
        awaitInFlight(1);
        s.subscription.request(-1);
        assertTrue(s.await());
        assertInstanceOf(IllegalArgumentException.class, s.error);
        call.awaitReleased();
        assertEquals(0, loop.inFlight());
        assertEquals(1, s.terminals.get());
    }

    @Test
    void subscriberThrowingFromOnNextIsCancelledAndTheLoopGoesOn() throws Exception {
        RecordingCall<Integer> call = new RecordingCall<>(new NopCall());
        IllegalStateException bug = new IllegalStateException("user bug");
        ItemSubscriber s = new ItemSubscriber(Long.MAX_VALUE, item -> {
            throw bug;
        });
        publisher(loop, call).subscribe(s);
        call.awaitReleased();
        barrier();
        assertEquals(List.of(bug), hookErrors, "the exception went to the loop's error hook");
        assertEquals(1, s.values.size());
        assertEquals(0, s.terminals.get());
        assertEquals(1, call.arms.get());
        assertFalse(loop.isShuttingDown());
    }

    @Test
    void nothingIsArmedOrSignalledBeforeOnSubscribeReturns() throws Exception {
        RecordingCall<Integer> call = new RecordingCall<>(new NopCall());
        AtomicInteger armsDuringOnSubscribe = new AtomicInteger(-1);
        AtomicInteger itemsDuringOnSubscribe = new AtomicInteger(-1);
        ItemSubscriber s = new ItemSubscriber(Long.MAX_VALUE) {
            @Override
            public void onSubscribe(org.reactivestreams.Subscription sub) {
                super.onSubscribe(sub); // requests
                try {
                    barrier(); // the loop has run everything handed over so far
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                armsDuringOnSubscribe.set(call.arms.get());
                itemsDuringOnSubscribe.set(values.size());
            }
        };
        publisher(loop, call).subscribe(s);
        s.awaitItem();
        assertEquals(0, armsDuringOnSubscribe.get(), "armed while onSubscribe was still running");
        assertEquals(0, itemsDuringOnSubscribe.get(), "onNext while onSubscribe was still running (§1.3)");
        s.subscription.cancel();
        call.awaitReleased();
    }

    @Test
    void requestFromAnotherThreadDeliversOnTheLoopThread() throws Exception {
        ItemSubscriber s = new ItemSubscriber(0);
        publisher(loop, new RecordingCall<>(new NopCall())).subscribe(s);
        Thread requester = new Thread(() -> s.subscription.request(1));
        requester.start();
        requester.join(10_000);
        s.awaitItem();
        assertSame(loop.thread(), s.signalThread);
    }
}
