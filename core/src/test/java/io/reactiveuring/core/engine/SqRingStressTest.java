package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A million NOPs through an 8-entry SQ and a 16-entry CQ: the SQ wraps over and over, the in-flight bound is hit
 * all the time, and every op is counted: each completion must match exactly one submission of the same op.
 */
class SqRingStressTest {
    private static final int TOTAL = 1_000_000;

    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withQueues(8, 16).withThreadName("sq-stress"));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
            assertEquals(0, loop.quarantinedOperations(), "quarantined operations");
        }
    }

    /** A reusable NOP that counts its own submissions and completions and flags a completion it did not expect. */
    abstract static class CountedNop extends UringOperation {
        volatile long submissions;
        volatile long completions;
        volatile int unexpected; // completions while not submitted, or with a result other than 0
        private boolean outstanding;

        CountedNop() {
            super(OpSpec.nop());
        }

        final void submitTo(UringLoop loop) {
            outstanding = true;
            submissions++;
            loop.submit(this);
        }

        @Override
        protected final void onCompletion(int res, int flags) {
            if (!outstanding || res != 0) {
                unexpected++;
            }
            outstanding = false;
            completions++;
            completed();
        }

        abstract void completed();
    }

    @Test
    void millionNopsResubmittedFromTheLoopThreadAreNeitherLostNorDuplicated() throws Exception {
        int ops = 16; // = maxInFlight, so the bound is reached whenever all are out
        CountDownLatch finished = new CountDownLatch(ops);
        int[] remaining = {TOTAL - ops}; // loop thread only
        List<CountedNop> nops = new ArrayList<>();
        for (int i = 0; i < ops; i++) {
            nops.add(new CountedNop() {
                @Override
                void completed() {
                    if (remaining[0] > 0) {
                        remaining[0]--;
                        submitTo(loop);
                    } else {
                        finished.countDown();
                    }
                }
            });
        }
        loop.execute(() -> nops.forEach(n -> n.submitTo(loop)));
        assertTrue(finished.await(30, TimeUnit.SECONDS), "ops still waiting: " + finished.getCount());
        long total = 0;
        for (CountedNop n : nops) {
            assertEquals(n.submissions, n.completions, "completions vs submissions of one op");
            assertEquals(0, n.unexpected);
            total += n.completions;
        }
        assertEquals(TOTAL, total);
        assertEquals(0, loop.staleCompletions());
    }

    @Test
    void millionNopsResubmittedFromForeignThreadsAreNeitherLostNorDuplicated() throws Exception {
        int threads = 4;
        int opsPerThread = 4;
        int perThread = TOTAL / threads;
        List<CompletableFuture<List<CountedNop>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            CompletableFuture<List<CountedNop>> result = new CompletableFuture<>();
            results.add(result);
            Thread th = new Thread(() -> {
                try {
                    // completed ops come back through this queue and are resubmitted from this thread
                    LinkedBlockingQueue<CountedNop> back = new LinkedBlockingQueue<>();
                    List<CountedNop> mine = new ArrayList<>();
                    for (int i = 0; i < opsPerThread; i++) {
                        mine.add(new CountedNop() {
                            @Override
                            void completed() {
                                back.add(this);
                            }
                        });
                    }
                    int submitted = 0;
                    for (CountedNop n : mine) {
                        n.submitTo(loop);
                        submitted++;
                    }
                    for (int done = 0; done < perThread; done++) {
                        CountedNop n = back.poll(10, TimeUnit.SECONDS);
                        if (n == null) {
                            throw new AssertionError("no completion within 10 s after " + done);
                        }
                        if (submitted < perThread) {
                            n.submitTo(loop);
                            submitted++;
                        }
                    }
                    result.complete(mine);
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }, "foreign-" + t);
            th.start();
        }
        long total = 0;
        for (CompletableFuture<List<CountedNop>> r : results) {
            for (CountedNop n : r.get(60, TimeUnit.SECONDS)) {
                assertEquals(n.submissions, n.completions, "completions vs submissions of one op");
                assertEquals(0, n.unexpected);
                total += n.completions;
            }
        }
        assertEquals(TOTAL, total);
    }
}
