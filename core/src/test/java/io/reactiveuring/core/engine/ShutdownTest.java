package io.reactiveuring.core.engine;

import io.reactiveuring.core.CapturedLog;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The end of a loop: close() with thousands of ops in flight, death by an Error thrown in a callback, and what
 * happens to work that arrives afterwards. Every op gets exactly one final completion; no fd or slot leaks.
 */
class ShutdownTest {
    // <poll.h>
    private static final int POLLIN = 0x1;

    /** What a test throws from a callback to kill the loop. */
    static final class Boom extends Error {
        Boom() {
            super("boom (thrown on purpose by a test callback)");
        }
    }

    /** Counts the completions of many ops by index, to detect missing and duplicate ones. */
    static final class Ledger {
        final AtomicIntegerArray completions;
        final AtomicIntegerArray lastRes;
        final AtomicIntegerArray lastFlags;

        Ledger(int n) {
            completions = new AtomicIntegerArray(n);
            lastRes = new AtomicIntegerArray(n);
            lastFlags = new AtomicIntegerArray(n);
        }

        UringOperation op(int index, OpSpec spec) {
            return new UringOperation(spec) {
                @Override
                protected void onCompletion(int res, int flags) {
                    lastRes.set(index, res);
                    lastFlags.set(index, flags);
                    completions.incrementAndGet(index);
                }
            };
        }

        void assertEachCancelledExactlyOnce() {
            for (int i = 0; i < completions.length(); i++) {
                assertEquals(1, completions.get(i), "completions of op " + i);
                assertEquals(-Errno.ECANCELED, lastRes.get(i), "res of op " + i);
            }
        }
    }

    @BeforeAll
    static void warmUp() {
        UringTestSupport.requireUring();
        // load the classes and libraries once, so that the fd counts below only see what the tests open
        new TestPipe().close();
        new UringLoop(LoopOptions.defaults().withQueues(4, 8)).close();
    }

    /** {@code count} pending ops on {@code pipes}: reads, polls and long timeouts in turn. */
    private static void submitPending(UringLoop loop, Ledger ledger, int count, List<TestPipe> pipes,
                                      MemorySegment buffers) {
        for (int i = 0; i < count; i++) {
            TestPipe p = pipes.get(i % pipes.size());
            OpSpec spec = switch (i % 3) {
                case 0 -> OpSpec.read(p.readFd, buffers.asSlice(16L * i, 16), -1);
                case 1 -> OpSpec.pollAdd(p.readFd, POLLIN, false);
                default -> OpSpec.timeout(Duration.ofHours(1), 0);
            };
            loop.submit(ledger.op(i, spec));
        }
    }

    private static List<TestPipe> pipes(int n) {
        List<TestPipe> pipes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pipes.add(new TestPipe());
        }
        return pipes;
    }

    @Test
    void closeWithTenThousandOpsInFlightCompletesEveryOneExactlyOnceAndLeaksNothing() throws Exception {
        int count = 10_000;
        long fdsBefore = UringTestSupport.openFds();
        UringLoop loop = new UringLoop(LoopOptions.defaults().withQueues(1024, 16384).withThreadName("shutdown"));
        List<TestPipe> pipes = pipes(20);
        Ledger ledger = new Ledger(count);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffers = arena.allocate(16L * count);
            submitPending(loop, ledger, count, pipes, buffers);
            // submitted after all of them, so once it is done all 10,000 are in the kernel
            assertEquals(0, Ops.run(loop, OpSpec.nop()));
            assertEquals(count, loop.inFlightSnapshot().get(10, TimeUnit.SECONDS).stream()
                    .filter(o -> !o.internal()).count());
            for (int i = 0; i < count; i++) {
                assertEquals(0, ledger.completions.get(i), "op " + i + " completed before close");
            }

            loop.close();

            assertTrue(loop.isTerminated());
            ledger.assertEachCancelledExactlyOnce();
            assertEquals(0, loop.inFlight(), "slots in flight");
            assertEquals(0, loop.quarantinedOperations(), "all final CQEs arrived within the grace time");
            assertEquals(0, loop.staleCompletions());
            assertEquals(-1, loop.ringFd());
        } // the buffers' arena is closed only now, after every final completion
        pipes.forEach(TestPipe::close);
        assertEquals(fdsBefore, UringTestSupport.openFds(), "fds after closing the loop and the pipes");
    }

    @Test
    void closeEndsBackloggedOpsWithEcanceledFlaggedLoopTerminated() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withQueues(2, 2).withThreadName("backlogged"));
        try (TestPipe pipe = new TestPipe()) {
            int count = 50; // two reach the kernel, the rest wait in the backlog for a slot
            Ledger ledger = new Ledger(count);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment buffers = arena.allocate(16L * count);
                for (int i = 0; i < count; i++) {
                    loop.submit(ledger.op(i, OpSpec.read(pipe.readFd, buffers.asSlice(16L * i, 16), -1)));
                }
                assertEquals(2, loop.inFlightSnapshot().get(10, TimeUnit.SECONDS).stream()
                        .filter(o -> !o.internal()).count());
                loop.close();
            }
            ledger.assertEachCancelledExactlyOnce();
            int terminatedFlagged = 0;
            for (int i = 0; i < count; i++) {
                if ((ledger.lastFlags.get(i) & UringOperation.FLAG_LOOP_TERMINATED) != 0) {
                    terminatedFlagged++;
                }
            }
            assertEquals(count - 2, terminatedFlagged, "the backlogged ones never reached the kernel");
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.quarantinedOperations());
        }
    }

    @Test
    void opsSubmittedByAnotherThreadWhileTheLoopClosesEachGetExactlyOneCompletion() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("closing-race"));
        int max = 2_000_000;
        Ledger ledger = new Ledger(max);
        CompletableFuture<Integer> submitted = new CompletableFuture<>();
        CompletableFuture<Void> someCompleted = new CompletableFuture<>();
        Thread producer = new Thread(() -> {
            int i = 0;
            try {
                // keep submitting until a submission is refused by the ended loop (completes synchronously)
                while (i < max) {
                    try {
                        loop.submit(ledger.op(i, OpSpec.nop()));
                    } catch (RejectedExecutionException handoffFull) {
                        Thread.onSpinWait(); // op i was not accepted: offer it again
                        continue;
                    }
                    if (i++ == 1000) {
                        someCompleted.complete(null);
                    }
                    if (ledger.completions.get(i - 1) == 1
                            && (ledger.lastFlags.get(i - 1) & UringOperation.FLAG_LOOP_TERMINATED) != 0) {
                        break;
                    }
                }
            } finally {
                submitted.complete(i);
            }
        }, "racing-producer");
        producer.start();
        someCompleted.get(10, TimeUnit.SECONDS);
        loop.close();
        int n = submitted.get(20, TimeUnit.SECONDS);
        producer.join(10_000);
        for (int i = 0; i < n; i++) {
            assertEquals(1, ledger.completions.get(i), "completions of op " + i + " of " + n);
            int res = ledger.lastRes.get(i);
            assertTrue(res == 0 || res == -Errno.ECANCELED, "res of op " + i + ": " + res);
        }
        assertTrue(n < max, "the producer saw the loop end");
        assertEquals(UringOperation.FLAG_LOOP_TERMINATED,
                ledger.lastFlags.get(n - 1) & UringOperation.FLAG_LOOP_TERMINATED, "the last one was refused");
        for (int i = n; i < max; i++) {
            assertEquals(0, ledger.completions.get(i));
        }
        assertEquals(0, loop.inFlight());
        assertEquals(0, loop.staleCompletions());
    }

    @Test
    void closeFromACallbackOnTheLoopThreadEndsTheLoopAndCancelsTheRest() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("self-close"));
        try (TestPipe pipe = new TestPipe(); Arena arena = Arena.ofShared()) {
            Ledger ledger = new Ledger(30);
            submitPending(loop, ledger, 30, List.of(pipe), arena.allocate(16L * 30));
            RecordingOperation closer = new RecordingOperation(OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    loop.close(); // on the loop thread: asks for the end and returns at once
                    super.onCompletion(res, flags);
                }
            };
            loop.submit(closer);
            assertEquals(0, closer.awaitRes());
            assertTrue(loop.awaitTermination(Duration.ofSeconds(10)));
            ledger.assertEachCancelledExactlyOnce();
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.quarantinedOperations());
        }
    }

    @Test
    void closeWithoutGraceQuarantinesTheMemoryOfOpsWhoseFinalCqeDidNotArrive() throws Exception {
        int count = 100;
        long fdsBefore = UringTestSupport.openFds();
        UringLoop loop = new UringLoop(LoopOptions.defaults().withShutdownGrace(Duration.ZERO)
                .withThreadName("no-grace"));
        try (TestPipe pipe = new TestPipe()) {
            Ledger ledger = new Ledger(count);
            List<ReleaseRecorder> releases = new ArrayList<>();
            Arena arena = Arena.ofShared(); // never closed: the kernel may still own these buffers
            for (int i = 0; i < count; i++) {
                ReleaseRecorder r = new ReleaseRecorder();
                releases.add(r);
                UringOperation op = ledger.op(i, OpSpec.read(pipe.readFd, arena.allocate(16), -1));
                op.attach(r);
                loop.submit(op);
            }
            assertEquals(0, Ops.run(loop, OpSpec.nop()));
            loop.close();

            for (int i = 0; i < count; i++) {
                assertEquals(1, ledger.completions.get(i), "completions of op " + i);
                assertEquals(-Errno.ECANCELED, ledger.lastRes.get(i));
                assertEquals(UringOperation.FLAG_LOOP_TERMINATED,
                        ledger.lastFlags.get(i) & UringOperation.FLAG_LOOP_TERMINATED, "made up by the engine");
                assertEquals(0, releases.get(i).releases.get(), "quarantined memory must never be released");
            }
            assertEquals(count, loop.quarantinedOperations());
            assertEquals(0, loop.inFlight());
        }
        assertEquals(fdsBefore, UringTestSupport.openFds(), "the ring fd is closed even when memory is quarantined");
    }

    @Test
    void workAfterTerminationFailsAtOnceWithEcanceledAndExecuteIsRejected() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("terminated"));
        loop.close();
        assertTrue(loop.isTerminated());

        RecordingOperation late = new RecordingOperation(OpSpec.nop());
        ReleaseRecorder release = new ReleaseRecorder();
        late.attach(release);
        loop.submit(late);
        assertTrue(late.done.isDone(), "completed synchronously");
        assertEquals(-Errno.ECANCELED, late.done.get()[0]);
        assertEquals(UringOperation.FLAG_LOOP_TERMINATED, late.done.get()[1] & UringOperation.FLAG_LOOP_TERMINATED);
        assertSame(Thread.currentThread(), late.completionThread);
        assertEquals(1, release.releases.get());

        RecordingOperation a = new RecordingOperation(OpSpec.nop());
        RecordingOperation b = new RecordingOperation(OpSpec.nop());
        loop.submitLinked(a, b);
        assertEquals(-Errno.ECANCELED, a.awaitRes());
        assertEquals(-Errno.ECANCELED, b.awaitRes());

        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        // cancel must not throw (a Reactive Streams cancel() calls it); the target is no longer pending
        CompletableFuture<Integer> cancelRes = new CompletableFuture<>();
        loop.cancel(late, cancelRes::complete);
        assertEquals(-Errno.ENOENT, cancelRes.get(10, TimeUnit.SECONDS));
        loop.cancel(a);
        loop.close(); // idempotent
        assertEquals(0, loop.inFlight());
    }

    @Test
    void errorThrownInCallbackEndsLoopAndEveryOtherOpGetsOneFinalCompletion() throws Exception {
        int count = 300;
        long fdsBefore = UringTestSupport.openFds();
        ConcurrentLinkedQueue<Throwable> hooked = new ConcurrentLinkedQueue<>();
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("dies").withErrorHook(hooked::add));
        List<TestPipe> pipes = pipes(5);
        Ledger ledger = new Ledger(count);
        try (Arena arena = Arena.ofShared(); CapturedLog log = CapturedLog.of("io.reactiveuring.core.engine")) {
            submitPending(loop, ledger, count, pipes, arena.allocate(16L * count));
            assertEquals(0, Ops.run(loop, OpSpec.nop()));

            ReleaseRecorder bombRelease = new ReleaseRecorder();
            CompletableFuture<Integer> bombCompletions = new CompletableFuture<>();
            UringOperation bomb = new UringOperation(OpSpec.nop()) {
                int calls;

                @Override
                protected void onCompletion(int res, int flags) {
                    calls++;
                    bombCompletions.obtrudeValue(calls);
                    throw new Boom();
                }
            };
            bomb.attach(bombRelease);
            loop.submit(bomb);

            assertTrue(loop.awaitTermination(Duration.ofSeconds(10)), "the loop ended");
            assertTrue(loop.isTerminated());
            assertEquals(1, bombCompletions.get());
            assertEquals(1, bombRelease.releases.get(), "the throwing op's resource was still released");
            ledger.assertEachCancelledExactlyOnce();
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.quarantinedOperations());
            assertEquals(-1, loop.ringFd());
            assertTrue(hooked.isEmpty(), "an Error is not a callback error: " + hooked);
            LogRecord died = log.await(Level.SEVERE, "io_uring loop dies died", Duration.ofSeconds(10));
            assertInstanceOf(Boom.class, died.getThrown(), "the loop logged what ended it");

            RecordingOperation late = new RecordingOperation(OpSpec.nop());
            loop.submit(late);
            assertEquals(-Errno.ECANCELED, late.awaitRes());
            assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        }
        pipes.forEach(TestPipe::close);
        assertEquals(fdsBefore, UringTestSupport.openFds(), "ring fd and eventfd closed by the dying loop");
    }

    @Test
    void theCompletionsReapedWithTheOneWhoseCallbackThrewAnErrorStillGetTheirRealResults() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("dies-mid-batch"));
        try (CapturedLog log = CapturedLog.of("io.reactiveuring.core.engine")) {
            UringOperation bomb = new UringOperation(OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    throw new Boom();
                }
            };
            RecordingOperation[] after = new RecordingOperation[5];
            for (int i = 0; i < after.length; i++) {
                after[i] = new RecordingOperation(OpSpec.nop());
            }
            // One task, so all six go to the kernel in the same enter and their CQEs are reaped as one batch, the
            // bomb's first: the rest of the batch is already out of the ring when the Error ends the loop.
            loop.execute(() -> {
                loop.submit(bomb);
                for (RecordingOperation op : after) {
                    loop.submit(op);
                }
            });
            assertTrue(loop.awaitTermination(Duration.ofSeconds(10)), "the loop ended");
            for (RecordingOperation op : after) {
                assertEquals(0, op.awaitRes(), "its NOP's own result, not a cancellation");
                assertEquals(1, op.completionCount);
            }
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.staleCompletions());
            log.await(Level.SEVERE, "io_uring loop dies-mid-batch died", Duration.ofSeconds(10));
        }
    }

    @Test
    void runtimeExceptionInCallbackGoesToErrorHookAndLoopGoesOn() throws Exception {
        ConcurrentLinkedQueue<Throwable> hooked = new ConcurrentLinkedQueue<>();
        try (UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("survives")
                .withErrorHook(hooked::add))) {
            IllegalStateException fromCompletion = new IllegalStateException("from onCompletion");
            UringOperation throwing = new UringOperation(OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    throw fromCompletion;
                }
            };
            ReleaseRecorder release = new ReleaseRecorder();
            throwing.attach(release);
            loop.submit(throwing);
            assertSame(loop.thread(), release.released.get(10, TimeUnit.SECONDS));

            IllegalArgumentException fromTask = new IllegalArgumentException("from a task");
            loop.execute(() -> {
                throw fromTask;
            });
            // the loop still works after both
            assertEquals(0, Ops.run(loop, OpSpec.nop()));
            assertFalse(loop.isShuttingDown());
            assertEquals(List.of(fromCompletion, fromTask), List.copyOf(hooked));
            assertEquals(2, loop.callbackErrors());
        }
    }
}
