package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Shutdown with thousands of pending ops while the loop is slow to deliver their completions and while other
 * threads keep submitting: the grace time counts waiting for the kernel only, nothing whose final CQE did arrive is
 * quarantined, and producers that keep arriving cannot keep the loop from ending.
 */
class ShutdownUnderLoadTest {
    private static final int POLLIN = 0x1;
    private static final int PENDING = 10_000;

    /** Pending reads and polls on a few pipes; each completion spins a while, as a slow subscriber would. */
    private static final class SlowLedger {
        final AtomicIntegerArray completions = new AtomicIntegerArray(PENDING);
        final AtomicIntegerArray lastRes = new AtomicIntegerArray(PENDING);

        UringOperation op(int index, OpSpec spec, long spinNanos) {
            return new UringOperation(spec) {
                @Override
                protected void onCompletion(int res, int flags) {
                    lastRes.set(index, res);
                    completions.incrementAndGet(index);
                    long until = System.nanoTime() + spinNanos;
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait(); // the work a slow subscriber does: not a wait for I/O
                    }
                }
            };
        }

        void assertEachCancelledOnce() {
            for (int i = 0; i < PENDING; i++) {
                assertEquals(1, completions.get(i), "completions of op " + i);
                assertEquals(-Errno.ECANCELED, lastRes.get(i), "res of op " + i);
            }
        }
    }

    private static void submitPending(UringLoop loop, SlowLedger ledger, List<TestPipe> pipes, MemorySegment buffers,
                                      long spinNanos) throws Exception {
        for (int i = 0; i < PENDING; i++) {
            TestPipe p = pipes.get(i % pipes.size());
            OpSpec spec = i % 2 == 0
                    ? OpSpec.read(p.readFd, buffers.asSlice(16L * i, 16), -1)
                    : OpSpec.pollAdd(p.readFd, POLLIN, false);
            loop.submit(ledger.op(i, spec, spinNanos));
        }
        assertEquals(0, Ops.run(loop, OpSpec.nop())); // after it, all of them are in the kernel
    }

    private static List<TestPipe> pipes(int n) {
        List<TestPipe> pipes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pipes.add(new TestPipe());
        }
        return pipes;
    }

    @Test
    void slowDeliveryOfCancelledOpsIsNotChargedToTheGraceAndNothingIsQuarantined() throws Exception {
        UringTestSupport.requireUring();
        // 10,000 completions x 100 us of delivery = 1 s, five times the grace: only the kernel's time counts.
        Duration grace = Duration.ofMillis(200);
        UringLoop loop = new UringLoop(LoopOptions.defaults().withQueues(1024, 16384).withShutdownGrace(grace)
                .withThreadName("slow-shutdown"));
        List<TestPipe> pipes = pipes(8);
        SlowLedger ledger = new SlowLedger();
        try (Arena arena = Arena.ofShared()) {
            submitPending(loop, ledger, pipes, arena.allocate(16L * PENDING), 100_000);

            loop.close();

            ledger.assertEachCancelledOnce();
            assertEquals(0, loop.quarantinedOperations(), "every final CQE arrived: nothing to quarantine");
            assertEquals(0, loop.inFlight());
        } finally {
            pipes.forEach(TestPipe::close);
        }
    }

    @Test
    void producersThatKeepArrivingCannotKeepTheLoopFromEnding() throws Exception {
        UringTestSupport.requireUring();
        Duration grace = Duration.ofSeconds(2);
        UringLoop loop = new UringLoop(LoopOptions.defaults().withQueues(1024, 16384).withShutdownGrace(grace)
                .withThreadName("busy-shutdown"));
        List<TestPipe> pipes = pipes(8);
        SlowLedger ledger = new SlowLedger();
        AtomicLong foreignCompletions = new AtomicLong();
        AtomicLong foreignSubmissions = new AtomicLong();
        List<Thread> producers = new ArrayList<>();
        CountDownLatch producing = new CountDownLatch(3);
        try (Arena arena = Arena.ofShared()) {
            submitPending(loop, ledger, pipes, arena.allocate(16L * PENDING), 0);
            for (int t = 0; t < 3; t++) {
                Thread producer = new Thread(() -> {
                    producing.countDown();
                    // Keep arriving until the loop is gone, as subscribers that resubscribe would.
                    while (!loop.isTerminated()) {
                        foreignSubmissions.incrementAndGet();
                        try {
                            loop.submit(new UringOperation(OpSpec.nop()) {
                                @Override
                                protected void onCompletion(int res, int flags) {
                                    foreignCompletions.incrementAndGet();
                                }
                            });
                        } catch (java.util.concurrent.RejectedExecutionException full) {
                            foreignCompletions.incrementAndGet(); // hand-off queue full: refused, never queued
                        }
                    }
                }, "producer-" + t);
                producer.start();
                producers.add(producer);
            }
            assertTrue(producing.await(10, TimeUnit.SECONDS));

            long start = System.nanoTime();
            loop.dispose();
            assertTrue(loop.awaitTermination(grace.plusSeconds(10)), "the loop ended despite the producers");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            for (Thread p : producers) {
                p.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(p.isAlive());
            }

            ledger.assertEachCancelledOnce();
            assertEquals(foreignSubmissions.get(), foreignCompletions.get(),
                    "every foreign submission got exactly one completion");
            assertEquals(0, loop.quarantinedOperations());
            assertTrue(tookMillis < grace.toMillis() + 5_000, "shutdown took " + tookMillis + " ms");
        } finally {
            pipes.forEach(TestPipe::close);
        }
    }
}
