package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link UringLoop#cancel}: ASYNC_CANCEL of a pending op, the ownership of its buffer until its own final CQE, and
 * cancellation of ops the kernel has not seen yet (still in the backlog).
 */
class CancelTest {
    UringLoop loop;
    final List<TestPipe> pipes = new ArrayList<>();

    void start(LoopOptions options) {
        UringTestSupport.requireUring();
        loop = new UringLoop(options.withThreadName("cancel-test"));
    }

    TestPipe pipe() {
        TestPipe p = new TestPipe();
        pipes.add(p);
        return p;
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
            assertEquals(0, loop.quarantinedOperations(), "quarantined operations");
        }
        pipes.forEach(TestPipe::close);
    }

    /**
     * A pending pipe read whose buffer comes from a shared arena that the engine closes on release; it records
     * what it saw, in order, on the loop thread.
     */
    static final class TrackedRead extends UringOperation {
        final Arena arena = Arena.ofShared();
        final MemorySegment buffer = arena.allocate(16);
        final ReleaseRecorder release = new ReleaseRecorder(this::closeArena);
        final List<String> events = new CopyOnWriteArrayList<>(); // written on the loop thread
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        volatile boolean releasedInOwnCompletion;
        volatile int completions;

        TrackedRead(int fd) {
            spec(OpSpec.read(fd, buffer, -1));
            attach(release);
        }

        private void closeArena() {
            events.add("release");
            arena.close();
        }

        @Override
        protected void onCompletion(int res, int flags) {
            completions++;
            events.add("completion " + res);
            releasedInOwnCompletion = release.isReleased() || !buffer.scope().isAlive();
            done.complete(res);
        }
    }

    /** The cancel's own result and what was true about the target when it arrived. */
    static final class CancelResult {
        final CompletableFuture<Integer> res = new CompletableFuture<>();
        volatile boolean targetDone;
        volatile boolean released;

        java.util.function.IntConsumer consumer(TrackedRead target) {
            return r -> {
                targetDone = target.done.isDone();
                released = target.release.isReleased();
                res.complete(r);
            };
        }
    }

    private void assertCancelledAndReleasedAfterFinalCqe(TrackedRead target, CancelResult cancel) throws Exception {
        assertEquals(-Errno.ECANCELED, target.done.get(10, TimeUnit.SECONDS));
        int cancelRes = cancel.res.get(10, TimeUnit.SECONDS);
        assertTrue(cancelRes == 0 || cancelRes == -Errno.EALREADY, "cancel result " + cancelRes);
        target.release.released.get(10, TimeUnit.SECONDS);
        assertFalse(target.releasedInOwnCompletion, "buffer released before (or during) the final completion");
        if (!cancel.targetDone) {
            assertFalse(cancel.released, "buffer released while the target had no final CQE yet");
        }
        assertEquals(1, target.completions);
        assertEquals(1, target.release.releases.get());
        assertEquals(List.of("completion " + -Errno.ECANCELED, "release"), target.events);
        assertFalse(target.buffer.scope().isAlive());
    }

    @Test
    void cancelOfPendingPipeReadEndsItWithEcanceledAndReleasesBufferOnlyAfterItsFinalCqe() throws Exception {
        start(LoopOptions.defaults());
        TestPipe pipe = pipe();
        TrackedRead read = new TrackedRead(pipe.readFd);
        loop.submit(read);
        assertEquals(0, Ops.run(loop, OpSpec.nop())); // the read is in the kernel now, waiting for data
        assertFalse(read.done.isDone());

        CancelResult cancel = new CancelResult();
        loop.cancel(read, cancel.consumer(read));
        assertCancelledAndReleasedAfterFinalCqe(read, cancel);
        assertEquals(1, loop.cancelsIssued());
    }

    @Test
    void cancelInTheSameBatchAsTheSubmissionStillCancelsTheKernelRequest() throws Exception {
        start(LoopOptions.defaults());
        TestPipe pipe = pipe();
        TrackedRead read = new TrackedRead(pipe.readFd);
        CancelResult cancel = new CancelResult();
        loop.execute(() -> {
            loop.submit(read);
            loop.cancel(read, cancel.consumer(read)); // the read's SQE is not even submitted yet
        });
        assertCancelledAndReleasedAfterFinalCqe(read, cancel);
    }

    @Test
    void cancelOfBackloggedOpCompletesItWithEcanceledWithoutTheKernel() throws Exception {
        start(LoopOptions.defaults().withQueues(2, 2)); // two ops in flight at most
        TestPipe pipe = pipe();
        TrackedRead first = new TrackedRead(pipe.readFd);
        TrackedRead second = new TrackedRead(pipe.readFd);
        TrackedRead waiting = new TrackedRead(pipe.readFd);
        loop.submit(first);
        loop.submit(second);
        loop.submit(waiting);

        List<UringLoop.InFlightOp> inKernel = loop.inFlightSnapshot().get(10, TimeUnit.SECONDS);
        assertEquals(2, inKernel.stream().filter(o -> !o.internal()).count(), "in flight: " + inKernel);
        assertFalse(waiting.done.isDone());

        CancelResult cancel = new CancelResult();
        loop.cancel(waiting, cancel.consumer(waiting));
        assertEquals(1, cancel.res.get(10, TimeUnit.SECONDS), "cancelled before submission");
        assertEquals(-Errno.ECANCELED, waiting.done.get(10, TimeUnit.SECONDS));
        assertEquals(1, waiting.release.releases.get());
        assertFalse(waiting.releasedInOwnCompletion);
        assertEquals(0, loop.cancelsIssued(), "no ASYNC_CANCEL for an op the kernel never saw");

        // the two in flight are still pending, and still cancellable through the kernel
        assertFalse(first.done.isDone());
        assertFalse(second.done.isDone());
        CancelResult c1 = new CancelResult();
        CancelResult c2 = new CancelResult();
        loop.cancel(first, c1.consumer(first));
        loop.cancel(second, c2.consumer(second));
        assertCancelledAndReleasedAfterFinalCqe(first, c1);
        assertCancelledAndReleasedAfterFinalCqe(second, c2);
    }

    @Test
    void cancelOfLaterOpOfBackloggedChainEndsItAndUnlinksTheRest() throws Exception {
        start(LoopOptions.defaults().withQueues(2, 2));
        TestPipe pipe = pipe();
        TestPipe other = pipe();
        TrackedRead blockerA = new TrackedRead(pipe.readFd);
        TrackedRead blockerB = new TrackedRead(pipe.readFd);
        loop.submit(blockerA);
        loop.submit(blockerB);
        TrackedRead chainHead = new TrackedRead(other.readFd);
        RecordingOperation chainTail = new RecordingOperation(OpSpec.nop());
        loop.submitLinked(chainHead, chainTail); // no slots: the chain waits in the backlog

        CompletableFuture<Integer> cancelRes = new CompletableFuture<>();
        loop.cancel(chainTail, cancelRes::complete);
        assertEquals(1, cancelRes.get(10, TimeUnit.SECONDS), "cancelled before submission");
        assertEquals(-Errno.ECANCELED, chainTail.awaitRes(), "completed at once, without the kernel");
        assertFalse(chainHead.done.isDone());

        // free the slots: the head of the chain goes to the kernel alone, not linked to whatever comes next
        loop.cancel(blockerA);
        loop.cancel(blockerB);
        assertEquals(-Errno.ECANCELED, blockerA.done.get(10, TimeUnit.SECONDS));
        assertEquals(-Errno.ECANCELED, blockerB.done.get(10, TimeUnit.SECONDS));
        assertEquals(0, Ops.run(loop, OpSpec.nop()), "a later NOP must not wait behind the pending chain head");
        assertFalse(chainHead.done.isDone());
        other.write(new byte[] {1, 2, 3});
        assertEquals(3, chainHead.done.get(10, TimeUnit.SECONDS));
        assertEquals(1, chainTail.completionCount);
    }

    @Test
    void cancelOfOpThatIsNotPendingReportsEnoent() throws Exception {
        start(LoopOptions.defaults());
        RecordingOperation nop = new RecordingOperation(OpSpec.nop());
        loop.submit(nop);
        assertEquals(0, nop.awaitRes());
        CompletableFuture<Integer> res = new CompletableFuture<>();
        loop.cancel(nop, res::complete);
        assertEquals(-Errno.ENOENT, res.get(10, TimeUnit.SECONDS));
        assertEquals(1, nop.completionCount);
    }

    @Test
    void anOpCancelledOnTheLoopBeforeItsBatchWasEnteredNeverRunsAndItsDataStaysForTheNextRead() throws Exception {
        start(LoopOptions.defaults());
        TestPipe p = pipe();
        p.write("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment first = arena.allocate(16);
            RecordingOperation read = new RecordingOperation(OpSpec.read(p.readFd, first, -1));
            CompletableFuture<Integer> cancelRes = new CompletableFuture<>();
            loop.execute(() -> {
                loop.submit(read);
                loop.cancel(read, cancelRes::complete); // same turn: the kernel has not seen the read yet
            });
            assertEquals(-Errno.ECANCELED, read.awaitRes(), "the read ended as cancelled");
            assertEquals(1, read.completionCount, "one final completion");
            assertEquals(0, cancelRes.get(10, TimeUnit.SECONDS), "the cancel found it");

            MemorySegment second = arena.allocate(16);
            assertEquals(5, Ops.run(loop, OpSpec.read(p.readFd, second, -1)), "the bytes were not consumed");
            assertEquals("hello", new String(Ops.bytes(second, 5), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
