package io.reactiveuring.rxjava;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.reactive.FdKind;
import io.reactivex.rxjava3.core.FlowableSubscriber;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Dispose and the ring's end as RxJava users see them: a dispose reaches the kernel as ASYNC_CANCEL and the op's
 * buffer is released only after its final CQE; values nobody receives are cleaned up by the op (buffers released, fds
 * closed); real failures racing a dispose go to {@code RxJavaPlugins.onError}, the cancel's own ECANCELED nowhere; the
 * ring's end gives each of 1,000 pending ops one cancellation.
 */
class RxCancellationTest extends RxTestBase {
    final List<Throwable> undeliverable = new CopyOnWriteArrayList<>();

    @BeforeEach
    void collectUndeliverableErrors() {
        RxJavaPlugins.setErrorHandler(undeliverable::add); // reset after each test by RxTestBase
    }

    /** Subscribes on the loop thread, hands the op to the kernel, then disposes: the CQE comes after the cancel. */
    <T> TestObserver<T> subscribeSubmitAndDispose(Single<T> op) throws Exception {
        return onLoop(() -> {
            TestObserver<T> observer = new TestObserver<>();
            op.subscribe(observer);
            loop.submitPending();
            observer.dispose();
            return observer;
        });
    }

    @Test
    void disposingAPendingSingleReachesTheKernelAndTheBufferIsReleasedAfterTheFinalCqe() throws Exception {
        Pipe p = pipe();
        long cancelsBefore = loop.cancelsIssued();
        TestObserver<UringBuffer> read = rx.readStream(p.readFd(), 64).test();
        barrier();
        assertEquals(1, allocator.liveBuffers(), "the kernel owns the buffer while the read is pending");
        assertEquals(1, ownOpsInFlight().size(), "the read is in flight");
        read.dispose();
        awaitBuffersReleased();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "ASYNC_CANCEL was submitted");
        read.assertEmpty(); // nothing signalled after dispose
        writeAll(p.writeFd(), "next");
        rx.readStream(p.readFd(), 64).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult("next"); // the cancelled read consumed nothing
        assertEquals(List.of(), undeliverable, "the cancel's own ECANCELED is no undeliverable error");
    }

    @Test
    void disposingAPendingCompletableReachesTheKernel() throws Exception {
        long cancelsBefore = loop.cancelsIssued();
        TestObserver<Void> timer = rx.timer(Duration.ofSeconds(30)).test();
        barrier();
        assertEquals(1, ownOpsInFlight().size(), "the timer is in flight");
        timer.dispose();
        awaitNothingInFlight();
        assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "ASYNC_CANCEL was submitted");
        timer.assertEmpty();
        assertEquals(List.of(), undeliverable);
    }

    @Test
    void aBufferReadAfterDisposeIsReleasedByTheOpAndItsBytesAreGone() throws Exception {
        Pipe p = pipe();
        writeAll(p.writeFd(), "dropped");
        TestObserver<UringBuffer> read = subscribeSubmitAndDispose(rx.readStream(p.readFd(), 64));
        awaitBuffersReleased();
        read.assertEmpty();
        writeAll(p.writeFd(), "next");
        rx.readStream(p.readFd(), 64).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult("next"); // the disposed read did consume the first bytes
        assertEquals(List.of(), undeliverable, "a value is no error");
    }

    @Test
    void aReadDisposedBeforeItsBatchReachedTheKernelNeverRunsAndItsBytesStay() throws Exception {
        Pipe p = pipe();
        writeAll(p.writeFd(), "kept");
        onLoop(() -> {
            TestObserver<UringBuffer> observer = rx.readStream(p.readFd(), 64).test();
            observer.dispose(); // its SQE, not yet entered, becomes a NOP
            return observer;
        }).assertEmpty();
        awaitBuffersReleased();
        rx.readStream(p.readFd(), 64).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult("kept");
    }

    @Test
    void aConnectionAcceptedAfterDisposeIsClosedByTheLibrary() throws Exception {
        int listen = tcpListener();
        int client = track(LibSocket.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0));
        rx.connect(client, localAddress(listen)).blockingAwait();
        long fdsNow = openIoFds();
        // The connection is queued already, so the accept completes at submission, after its dispose was asked.
        subscribeSubmitAndDispose(rx.accept(listen)).assertEmpty();
        awaitNothingInFlight();
        assertEquals(fdsNow, openIoFds(), "the late fd was closed at the accept's final CQE");
        rx.recv(client, 16).map(RxTestBase::consume).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult(""); // the peer (the late accepted socket) is closed: EOF
    }

    @Test
    void aRealFailureRacingADisposeGoesToRxJavaPluginsOnError() throws Exception {
        int notAnFd = 99_999;
        MemorySegment buffer = arena.allocate(8);
        // A read fails inline at submission (an fsync would go to io-wq, where the cancel could still catch it).
        TestObserver<Integer> read = subscribeSubmitAndDispose(rx.read(notAnFd, buffer, -1, FdKind.POLLABLE));
        awaitNothingInFlight();
        read.assertEmpty();
        assertEquals(1, undeliverable.size(), "reported once: " + undeliverable);
        Throwable reported = undeliverable.getFirst();
        assertInstanceOf(UndeliverableException.class, reported, "RxJava's wrapper for an undeliverable error");
        assertEquals(Errno.EBADF, UringError.errnoOf(reported));
        assertEquals("READ fd=" + notAnFd, assertInstanceOf(UringError.class, reported.getCause()).operation());
    }

    @Test
    void aSubscriberThatThrowsOnTheLoopThreadReachesRxJavaPluginsAndTheLoopGoesOn() throws Exception {
        Pipe p = pipe();
        RuntimeException bug = new RuntimeException("subscriber bug");
        CompletableFuture<Subscription> subscribed = new CompletableFuture<>();
        rx.pollMultishot(p.writeFd(), Poll.POLLOUT).subscribe(new FlowableSubscriber<Integer>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscribed.complete(s);
                s.request(1);
            }

            @Override
            public void onNext(Integer mask) {
                throw bug;
            }

            @Override
            public void onError(Throwable t) {
                fail("a subscriber that threw is treated as cancelled: " + t);
            }

            @Override
            public void onComplete() {
                fail("never completes");
            }
        });
        subscribed.get(TIMEOUT_S, TimeUnit.SECONDS);
        awaitNothingInFlight(); // the poll was disarmed: the subscriber counts as cancelled
        barrier(); // the loop goes on
        assertFalse(loop.isShuttingDown());
        assertEquals(1, undeliverable.size(), "reported once: " + undeliverable);
        assertSame(bug, undeliverable.getFirst().getCause(), "wrapped as undeliverable by RxJava");
    }

    @Test
    void theRingsEndGivesEachOfAThousandPendingOpsOneCancellation() throws Exception {
        Pipe p = pipe();
        MemorySegment buffer = arena.allocate(16);
        int n = 1000;
        Single<Integer> read = rx.read(p.readFd(), buffer, -1, FdKind.POLLABLE);
        List<TestObserver<Integer>> pending = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pending.add(read.test());
        }
        barrier();
        assertEquals(n, loop.inFlight(), "all reads wait in the kernel");
        rx.dispose();
        assertTrue(rx.awaitTermination(TIMEOUT));
        for (TestObserver<Integer> o : pending) {
            o.awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                    .assertNoValues()
                    .assertNotComplete()
                    .assertError(e -> e instanceof UringCancelledException // exactly one error
                            && UringError.errnoOf(e) == Errno.ECANCELED);
        }
        rx.nop().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertError(UringCancelledException.class);
        rx.readStream(p.readFd(), 8).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(UringCancelledException.class);
        assertEquals(List.of(), undeliverable, "the ring's end is no undeliverable error");
    }
}
