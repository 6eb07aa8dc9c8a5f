package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** TIMEOUT (by time and by completion count) and POLL_ADD on a pipe, waiting on signals only. */
class TimeoutPollTest {
    // <poll.h>
    private static final int POLLIN = 0x1;

    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("timeout-poll-test"));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
        }
    }

    @Test
    void timeoutExpiryCompletesWithEtime() throws Exception {
        long start = System.nanoTime();
        assertEquals(-Errno.ETIME, Ops.run(loop, OpSpec.timeout(Duration.ofMillis(20), 0)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "expired before its time");
    }

    @Test
    void timeoutWithCountCompletesWithZeroAfterThatManyCompletions() throws Exception {
        RecordingOperation timeout = new RecordingOperation(OpSpec.timeout(Duration.ofSeconds(30), 1));
        RecordingOperation nop = new RecordingOperation(OpSpec.nop());
        loop.execute(() -> {
            loop.submit(timeout);
            loop.submit(nop);
        });
        assertEquals(0, nop.awaitRes());
        assertEquals(0, timeout.awaitRes(), "count reached: 0, not -ETIME");
        assertEquals(1, timeout.completionCount);
    }

    @Test
    void pollAddOnPipeFiresWithPollinOnlyAfterWrite() throws Exception {
        try (TestPipe pipe = new TestPipe()) {
            RecordingOperation poll = new RecordingOperation(OpSpec.pollAdd(pipe.readFd, POLLIN, false));
            CompletableFuture<Boolean> pollDoneWhenNopCompleted = new CompletableFuture<>();
            UringOperation nop = new UringOperation(OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    // both completions run on the loop thread: this reads the poll's state without a race
                    pollDoneWhenNopCompleted.complete(poll.done.isDone());
                }
            };
            loop.submit(poll);
            loop.submit(nop); // after the poll: the SQ keeps the order, so the poll was armed when the NOP ran
            assertFalse(pollDoneWhenNopCompleted.get(10, TimeUnit.SECONDS), "poll fired on an empty pipe");

            pipe.write(new byte[] {42});
            int mask = poll.awaitRes();
            assertEquals(POLLIN, mask & POLLIN, "POLLIN in the ready mask: " + mask);
            assertEquals(1, poll.completionCount);
        }
    }
}
