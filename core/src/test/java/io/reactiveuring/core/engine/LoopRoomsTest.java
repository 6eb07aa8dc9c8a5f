package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the engine offers the layers above without Reactor: loop timers, the hook before each
 * {@code io_uring_enter}, a long-lived operation that fills its own SQE, and O(1) cancels of queued work.
 */
class LoopRoomsTest {
    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withQueues(8, 64).withThreadName("rooms"));
    }

    @AfterEach
    void stop() {
        loop.close();
        assertEquals(0, loop.staleCompletions());
        assertEquals(0, loop.inFlight());
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
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

    /** A timer that records its name and thread. */
    private static final class Named extends LoopTimer {
        final String name;
        final List<String> log;
        final CountDownLatch ran;
        volatile Thread thread;

        Named(String name, List<String> log, CountDownLatch ran) {
            this.name = name;
            this.log = log;
            this.ran = ran;
        }

        @Override
        protected void onDeadline() {
            thread = Thread.currentThread();
            log.add(name);
            ran.countDown();
        }
    }

    @Test
    void timersRunOnTheLoopThreadInDeadlineOrderAndACancelledOneNeverRuns() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch ran = new CountDownLatch(3);
        Named late = new Named("late", log, ran);
        Named early = new Named("early", log, ran);
        Named middle = new Named("middle", log, ran);
        Named cancelled = new Named("cancelled", log, ran);
        long before = System.nanoTime();
        onLoop(() -> {
            loop.timers().schedule(late, Duration.ofMillis(60));
            loop.timers().schedule(cancelled, Duration.ofMillis(20));
            loop.timers().schedule(early, Duration.ofMillis(10)); // earlier than the armed one: re-armed
            loop.timers().schedule(middle, Duration.ofMillis(30));
            // Cancelled from another thread while the loop is busy here, so surely before its deadline is handled.
            Thread other = new Thread(cancelled::cancel);
            other.start();
            other.join();
            return null;
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("early", "middle", "late"), log);
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(60), "never before its deadline");
        assertSame(loop.thread(), early.thread);
        assertEquals(0, (int) onLoop(() -> loop.timers().pending()));
    }

    @Test
    void timersPendingWhenTheLoopEndsNeverRun() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Named never = new Named("never", log, new CountDownLatch(1));
        onLoop(() -> {
            loop.timers().schedule(never, Duration.ofHours(1));
            return null;
        });
        loop.close();
        assertEquals(List.of(), log);
        assertThrows(IllegalStateException.class, () -> loop.timers().schedule(never, 0L), "loop thread only");
    }

    @Test
    void hooksRunOnceBeforeTheTurnsEnterAndWhatTheySubmitGoesOutInThatEnter() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        RecordingOperation nop = new RecordingOperation(OpSpec.nop());
        long enters = onLoop(() -> {
            loop.beforeEnter(() -> {
                log.add("hook on " + (loop.inLoop() ? "loop" : "other"));
                loop.submit(nop);
                loop.beforeEnter(() -> log.add("added by a hook")); // same phase
            });
            log.add("task");
            return loop.enterCalls();
        });
        assertEquals(0, nop.awaitRes());
        assertEquals(List.of("task", "hook on loop", "added by a hook"), log);
        assertEquals(1, nop.completionCount);
        assertTrue(loop.enterCalls() > enters);
        assertThrows(IllegalStateException.class, () -> loop.beforeEnter(() -> { }), "loop thread only");
    }

    /** A long-lived read that fills its SQE itself: the spec stays, the buffer changes per submission. */
    private static final class RotatingRead extends UringOperation {
        final MemorySegment[] buffers;
        final List<String> got = new CopyOnWriteArrayList<>();
        final CountDownLatch done;
        int next;

        RotatingRead(int fd, MemorySegment[] buffers) {
            super(OpSpec.read(fd, buffers[0], -1));
            this.buffers = buffers;
            this.done = new CountDownLatch(buffers.length);
        }

        @Override
        protected void prepare(SqeWriter sqe) {
            MemorySegment b = buffers[next];
            sqe.addr(b.address()).len((int) b.byteSize());
        }

        @Override
        protected void onCompletion(int res, int flags) {
            MemorySegment b = buffers[next++];
            got.add(res < 0 ? Errno.name(-res) : new String(Ops.bytes(b, res), StandardCharsets.UTF_8));
            done.countDown();
        }
    }

    @Test
    void aLongLivedOperationWritesItsOwnBufferIntoEachSubmission() throws Exception {
        try (TestPipe pipe = new TestPipe(); Arena arena = Arena.ofShared()) {
            MemorySegment[] buffers = {arena.allocate(3), arena.allocate(3), arena.allocate(3)};
            RotatingRead read = new RotatingRead(pipe.readFd, buffers);
            List<String> parts = List.of("abc", "def", "ghi");
            for (int i = 0; i < parts.size(); i++) {
                loop.submit(read); // again only after its previous completion
                pipe.write(parts.get(i).getBytes(StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (read.got.size() < i + 1) {
                    assertTrue(System.nanoTime() < deadline, "read " + i + " never completed");
                    onLoop(() -> null); // a round trip to the loop, not a sleep
                }
            }
            assertTrue(read.done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("abc", "def", "ghi"), read.got);
        }
    }

    @Test
    void cancellingAChainMemberInTheBacklogCutsTheChainThereInConstantTime() throws Exception {
        // Fill every slot with pending reads, so the chain below waits in the backlog.
        try (TestPipe pipe = new TestPipe(); Arena arena = Arena.ofShared()) {
            int max = loop.options().maxInFlight();
            RecordingOperation[] pending = new RecordingOperation[max];
            for (int i = 0; i < max; i++) {
                pending[i] = new RecordingOperation(OpSpec.read(pipe.readFd, arena.allocate(1), -1));
                loop.submit(pending[i]);
            }
            RecordingOperation first = new RecordingOperation(OpSpec.nop());
            RecordingOperation second = new RecordingOperation(OpSpec.nop());
            RecordingOperation third = new RecordingOperation(OpSpec.nop());
            CompletableFuture<Integer> cancelRes = new CompletableFuture<>();
            onLoop(() -> {
                loop.submitLinked(first, second, third);
                loop.cancel(second, cancelRes::complete);
                return null;
            });
            assertEquals(1, cancelRes.get(10, TimeUnit.SECONDS), "cancelled before it reached the kernel");
            assertEquals(-Errno.ECANCELED, second.awaitRes());
            assertEquals(-Errno.ECANCELED, third.awaitRes(), "the rest of the chain ends with it");
            for (RecordingOperation p : pending) {
                loop.cancel(p);
            }
            assertEquals(0, first.awaitRes(), "the op before it still runs, alone");
            for (RecordingOperation p : pending) {
                assertEquals(-Errno.ECANCELED, p.awaitRes());
            }
        }
    }

    @Test
    void aSlotsUserWeightDecidesWhatCountsInFlightAndWhatIsInternal() {
        SlotTable table = new SlotTable(4);
        RecordingOperation user = new RecordingOperation(OpSpec.nop());
        RecordingOperation internal = new RecordingOperation(OpSpec.nop());
        RecordingOperation other = new RecordingOperation(OpSpec.nop());
        table.claim(user, 1, OpSpec.nop().opcode);
        table.claim(internal, 0, OpSpec.nop().opcode);
        table.claim(other, 1, OpSpec.nop().opcode);
        assertEquals(2, table.userInFlight(), "only user operations count");
        assertEquals(3, table.inUse());
        assertFalse(table.isInternal(user.slot));
        assertTrue(table.isInternal(internal.slot));
        long internalUserData = internal.userData;

        table.free(internal);
        assertEquals(2, table.userInFlight(), "freeing the loop's own op leaves the count alone");
        assertEquals(2, table.inUse());
        assertNull(table.lookup(internalUserData), "its user_data is stale once freed");
        table.free(user);
        assertEquals(1, table.userInFlight());

        RecordingOperation reclaimed = new RecordingOperation(OpSpec.nop());
        table.claim(reclaimed, 0, OpSpec.nop().opcode); // a slot freed as a user op's, reused for an internal one
        assertTrue(table.isInternal(reclaimed.slot));
        assertEquals(1, table.userInFlight());
        assertFalse(table.abandon(reclaimed.slot), "abandoning an internal op is not a user op abandoned");
        assertTrue(table.abandon(other.slot));
        assertEquals(0, table.userInFlight());
    }

    @Test
    void theLoopsOwnWakeUpReadsAndCancelsCountNeitherInFlightNorAsSubmitted() throws Exception {
        try (TestPipe pipe = new TestPipe(); Arena arena = Arena.ofShared()) {
            long submittedBefore = loop.submittedOperations();
            long wakeupsBefore = loop.wakeups();
            RecordingOperation read = new RecordingOperation(OpSpec.read(pipe.readFd, arena.allocate(8), -1));
            loop.submit(read);
            // Each task handed over from this thread wakes the idle loop: its wake-up read completes and is re-armed,
            // an internal submission every time.
            for (int i = 0; i < 5; i++) {
                assertEquals(1, onLoop(loop::inFlight), "the pending read, and nothing of the loop's own");
            }
            assertTrue(loop.wakeups() > wakeupsBefore, "the loop was woken, so its wake-up read went round");
            assertEquals(submittedBefore + 1, loop.submittedOperations());

            long cancelsBefore = loop.cancelsIssued();
            loop.cancel(read);
            assertEquals(-Errno.ECANCELED, read.awaitRes());
            assertEquals(cancelsBefore + 1, loop.cancelsIssued(), "an ASYNC_CANCEL went to the kernel");
            assertEquals(0, onLoop(loop::inFlight));
            assertEquals(submittedBefore + 1, loop.submittedOperations(), "the cancel is not a user submission");
            // the wake-up read is the only slot still held, and it is the loop's own
            assertEquals(1, onLoop(() -> loop.slots.inUse()));
            assertEquals(0, onLoop(() -> loop.slots.userInFlight()));
        }
    }
}
