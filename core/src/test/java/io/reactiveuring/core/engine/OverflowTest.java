package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CQ overflow fallback: with more ops in flight than CQ entries, completions that arrive at once spill into
 * the kernel's overflow list ({@code IORING_SQ_CQ_OVERFLOW}); the loop flushes them and none is lost or doubled.
 */
class OverflowTest {
    private static final int IN_FLIGHT = 64;

    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withQueues(4, 4).withMaxInFlight(IN_FLIGHT)
                .withThreadName("overflow-test"));
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

    /** Submits {@code n} ops from one loop-thread task (so they complete together) and checks each once. */
    private void burst(int n, IntFunction<OpSpec> spec, IntUnaryOperator expectedRes) throws Exception {
        AtomicIntegerArray completions = new AtomicIntegerArray(n);
        AtomicIntegerArray results = new AtomicIntegerArray(n);
        CountDownLatch all = new CountDownLatch(n);
        loop.execute(() -> {
            for (int i = 0; i < n; i++) {
                int index = i;
                loop.submit(new UringOperation(spec.apply(i)) {
                    @Override
                    protected void onCompletion(int res, int flags) {
                        results.set(index, res);
                        completions.incrementAndGet(index);
                        all.countDown();
                    }
                });
            }
        });
        assertTrue(all.await(10, TimeUnit.SECONDS), "missing completions: " + all.getCount());
        for (int i = 0; i < n; i++) {
            assertEquals(1, completions.get(i), "completions of op " + i);
            assertEquals(expectedRes.applyAsInt(i), results.get(i), "res of op " + i);
        }
    }

    @Test
    void nopBurstsLargerThanTheCqAllCompleteOnceThroughTheOverflowFlush() throws Exception {
        assertEquals(4, loop.features().cqEntries());
        for (int round = 0; round < 50; round++) {
            burst(IN_FLIGHT, i -> OpSpec.nop(), i -> 0);
        }
        assertTrue(loop.overflowFlushes() > 0, "the IORING_SQ_CQ_OVERFLOW path ran");
    }

    @Test
    void timeoutsExpiringTogetherAllCompleteOnceWithEtime() throws Exception {
        for (int round = 0; round < 5; round++) {
            burst(IN_FLIGHT, i -> OpSpec.timeout(Duration.ofMillis(5), 0), i -> -Errno.ETIME);
        }
        assertTrue(loop.overflowFlushes() > 0, "the IORING_SQ_CQ_OVERFLOW path ran");
    }

    @Test
    void moreOpsThanSlotsWaitInTheBacklogAndAllComplete() throws Exception {
        burst(IN_FLIGHT * 20, i -> i % 2 == 0 ? OpSpec.nop() : OpSpec.timeout(Duration.ofMillis(1), 0),
                i -> i % 2 == 0 ? 0 : -Errno.ETIME);
        assertTrue(loop.overflowFlushes() > 0, "the IORING_SQ_CQ_OVERFLOW path ran");
    }
}
