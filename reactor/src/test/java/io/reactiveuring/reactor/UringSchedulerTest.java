package io.reactiveuring.reactor;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.NonBlocking;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/** UringScheduler: tasks on the loop thread, delays through the ring's TIMEOUT, workers, disposal, NonBlocking. */
class UringSchedulerTest {
    ReactorUring ring;
    UringLoop loop;
    UringScheduler scheduler;

    @BeforeEach
    void start() {
        Fixtures.requireUring();
        ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("scheduler-test"));
        loop = ring.loops().getFirst();
        scheduler = ring.scheduler();
    }

    @AfterEach
    void stop() throws Exception {
        Schedulers.resetOnScheduleHook("uring-test");
        if (ring != null) {
            ring.dispose();
            assertTrue(ring.awaitTermination(TIMEOUT));
            assertEquals(0, loop.staleCompletions());
            assertEquals(0, loop.inFlight());
        }
    }

    /** Runs on the loop and waits: everything handed over before it has been processed. */
    void barrier() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.schedule(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }

    @Test
    void tasksRunOnTheLoopThreadWhichIsNonBlocking() throws Exception {
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        scheduler.schedule(() -> ranOn.complete(Thread.currentThread()));
        Thread t = ranOn.get(10, TimeUnit.SECONDS);
        assertSame(loop.thread(), t);
        assertInstanceOf(NonBlocking.class, t);
    }

    @Test
    void delayedTaskRunsNoEarlierThanItsDelay() throws Exception {
        long delayMs = 50;
        CountDownLatch ran = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();
        long start = System.nanoTime();
        scheduler.schedule(() -> {
            thread.set(Thread.currentThread());
            ran.countDown();
        }, delayMs, TimeUnit.MILLISECONDS);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(delayMs), "ran after its delay");
        assertSame(loop.thread(), thread.get());
    }

    @Test
    void delayedTasksRunInDeadlineOrderWhateverOrderTheyCameIn() throws Exception {
        List<Long> ranAfterMs = new CopyOnWriteArrayList<>();
        List<Long> order = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(3);
        long start = System.nanoTime();
        for (long delay : new long[] {90, 30, 60}) { // each earlier than the armed timer re-arms it
            scheduler.schedule(() -> {
                order.add(delay);
                ranAfterMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                all.countDown();
            }, delay, TimeUnit.MILLISECONDS);
        }
        assertTrue(all.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(30L, 60L, 90L), order);
        for (int i = 0; i < 3; i++) {
            assertTrue(ranAfterMs.get(i) >= order.get(i),
                    "task of " + order.get(i) + " ms ran at " + ranAfterMs.get(i));
        }
    }

    @Test
    void manyWaitingTasksShareOneKernelTimer() throws Exception {
        List<Disposable> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tasks.add(scheduler.schedule(() -> fail("disposed before its time"), 30 + i, TimeUnit.SECONDS));
        }
        barrier();
        assertEquals(1, loop.inFlight(), "one TIMEOUT in flight for all 200 tasks");
        tasks.forEach(Disposable::dispose);
        assertTrue(tasks.stream().allMatch(Disposable::isDisposed));
    }

    @Test
    void disposedTaskNeverRuns() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Disposable task = scheduler.schedule(ran::incrementAndGet, 20, TimeUnit.MILLISECONDS);
        task.dispose();
        assertTrue(task.isDisposed());
        CountDownLatch later = new CountDownLatch(1);
        scheduler.schedule(later::countDown, 60, TimeUnit.MILLISECONDS);
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertEquals(0, ran.get(), "its deadline passed without it running");
    }

    @Test
    void periodicTaskRunsAtItsRateUntilDisposed() throws Exception {
        long periodMs = 20;
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Disposable> self = new AtomicReference<>();
        CountDownLatch third = new CountDownLatch(1);
        long start = System.nanoTime();
        AtomicReference<Long> thirdAt = new AtomicReference<>();
        self.set(scheduler.schedulePeriodically(() -> {
            if (runs.incrementAndGet() == 3) {
                thirdAt.set(System.nanoTime() - start);
                self.get().dispose();
                third.countDown();
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS));
        assertTrue(third.await(10, TimeUnit.SECONDS));
        assertTrue(thirdAt.get() >= TimeUnit.MILLISECONDS.toNanos(3 * periodMs), "initial delay + 2 periods");
        CountDownLatch afterTwoMorePeriods = new CountDownLatch(1);
        scheduler.schedule(afterTwoMorePeriods::countDown, 3 * periodMs, TimeUnit.MILLISECONDS);
        assertTrue(afterTwoMorePeriods.await(10, TimeUnit.SECONDS));
        assertEquals(3, runs.get(), "no run after dispose");
    }

    @Test
    void workerRunsItsTasksOneAfterAnotherInOrderOnOneLoop() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        List<Integer> seen = new ArrayList<>(); // touched by the loop thread only
        AtomicInteger offLoop = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 100; i++) {
            int n = i;
            worker.schedule(() -> {
                if (!loop.inLoop()) {
                    offLoop.incrementAndGet();
                }
                seen.add(n);
                if (n == 99) {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(0, offLoop.get());
        assertEquals(IntStream.range(0, 100).boxed().toList(), seen);
        worker.dispose();
    }

    @Test
    void disposedWorkerCancelsItsPendingTasksAndRefusesNewOnesWhileTheSchedulerGoesOn() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        AtomicInteger ran = new AtomicInteger();
        worker.schedule(ran::incrementAndGet, 20, TimeUnit.MILLISECONDS);
        worker.dispose();
        assertTrue(worker.isDisposed());
        assertThrows(RejectedExecutionException.class, () -> worker.schedule(ran::incrementAndGet));
        CountDownLatch later = new CountDownLatch(1);
        scheduler.schedule(later::countDown, 60, TimeUnit.MILLISECONDS);
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertEquals(0, ran.get());
    }

    @Test
    void disposedSchedulerRefusesTasksButLeavesTheRingRunning() {
        UringScheduler own = UringScheduler.of(loop);
        own.dispose();
        assertTrue(own.isDisposed());
        assertThrows(RejectedExecutionException.class, () -> own.schedule(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> own.createWorker().schedule(() -> { }));
        StepVerifier.create(ring.nop()).expectNext(0).expectComplete().verify(TIMEOUT);
    }

    @Test
    void tasksAreRefusedOnceTheRingHasEnded() throws Exception {
        ring.dispose();
        assertTrue(ring.awaitTermination(TIMEOUT));
        assertThrows(RejectedExecutionException.class, () -> scheduler.schedule(() -> { }));
    }

    @Test
    void blockOnALoopThreadThrows() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        scheduler.schedule(() -> {
            try {
                ring.nop().block(); // would wait for its own loop forever
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Throwable t = outcome.get(10, TimeUnit.SECONDS);
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, t);
        assertTrue(e.getMessage().contains("block()/blockFirst()/blockLast() are blocking"), e.getMessage());
    }

    @Test
    void onScheduleHookDecoratesEveryTask() throws Exception {
        AtomicInteger decorated = new AtomicInteger();
        Schedulers.onScheduleHook("uring-test", task -> () -> {
            decorated.incrementAndGet();
            task.run();
        });
        CountDownLatch ran = new CountDownLatch(2);
        scheduler.schedule(ran::countDown);
        scheduler.createWorker().schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertEquals(2, decorated.get());
    }

    @Test
    void throwingTaskGoesToTheUncaughtHandlerAndTheLoopGoesOn() throws Exception {
        CompletableFuture<Throwable> uncaught = new CompletableFuture<>();
        loop.thread().setUncaughtExceptionHandler((t, e) -> uncaught.complete(e));
        RuntimeException bug = new RuntimeException("task bug");
        scheduler.schedule(() -> {
            throw bug;
        });
        assertSame(bug, uncaught.get(10, TimeUnit.SECONDS));
        barrier();
        assertFalse(loop.isShuttingDown());
    }

    @Test
    void publishOnAndDelayRunOnTheRing() {
        StepVerifier.create(Mono.just(1).publishOn(scheduler).map(v -> loop.inLoop()))
                .expectNext(true)
                .expectComplete()
                .verify(TIMEOUT);
        long start = System.nanoTime();
        StepVerifier.create(Mono.delay(Duration.ofMillis(30), scheduler).map(v -> loop.inLoop()))
                .expectNext(true)
                .expectComplete()
                .verify(TIMEOUT);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void schedulerOverAGroupSpreadsTasksAndKeepsLoopTasksOnTheirRing() throws Exception {
        ReactorUring two = ReactorUring.create(2, LoopOptions.defaults().withThreadName("scheduler-group-test"));
        try {
            List<Thread> threads = new CopyOnWriteArrayList<>();
            CountDownLatch ran = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                two.scheduler().schedule(() -> {
                    threads.add(Thread.currentThread());
                    ran.countDown();
                });
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals(2, threads.stream().distinct().count(), "round-robin over both rings");
            CompletableFuture<Boolean> sameRing = new CompletableFuture<>();
            UringLoop second = two.loops().get(1);
            second.execute(() -> {
                Thread here = Thread.currentThread();
                two.scheduler().schedule(() -> sameRing.complete(Thread.currentThread() == here));
            });
            assertTrue(sameRing.get(10, TimeUnit.SECONDS), "a task scheduled on a loop stays on it");
        } finally {
            two.dispose();
            assertTrue(two.awaitTermination(TIMEOUT));
        }
    }
}
