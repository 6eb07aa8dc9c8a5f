package io.reactiveuring.rxjava;

import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.schedulers.SchedulerRunnableIntrospection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static io.reactiveuring.rxjava.RxTestBase.TIMEOUT;
import static io.reactiveuring.rxjava.RxTestBase.TIMEOUT_S;
import static org.junit.jupiter.api.Assertions.*;

/**
 * RxUringScheduler: tasks on the loop thread, delays through the ring's own TIMEOUT in deadline order, fixed-rate
 * periodic tasks, workers pinned to one ring, disposal and shutdown as RxJava's schedulers do it,
 * {@code RxJavaPlugins.onSchedule}, failures to {@code RxJavaPlugins.onError}, RxJava operators on the ring.
 */
class RxUringSchedulerTest {
    RxUring rx;
    UringLoop loop;
    RxUringScheduler scheduler;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        RxTestBase.requireUring();
        RxJavaPlugins.setErrorHandler(errors::add);
        rx = RxUring.create(1, LoopOptions.defaults().withThreadName("rx-scheduler-test"));
        loop = rx.loops().getFirst();
        scheduler = rx.scheduler();
    }

    @AfterEach
    void stop() throws Exception {
        RxJavaPlugins.reset();
        if (rx != null) {
            rx.dispose();
            assertTrue(rx.awaitTermination(TIMEOUT));
            assertEquals(0, loop.staleCompletions());
            assertEquals(0, loop.inFlight());
        }
    }

    /** Runs on the loop and waits: everything handed over before it has been processed. */
    void barrier() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.scheduleDirect(ran::countDown);
        assertTrue(ran.await(TIMEOUT_S, TimeUnit.SECONDS));
    }

    /** Waits {@code millis} on the ring's own timers: a witness that a deadline before it has passed. */
    void waitOnTheRing(long millis) throws Exception {
        CountDownLatch later = new CountDownLatch(1);
        scheduler.scheduleDirect(later::countDown, millis, TimeUnit.MILLISECONDS);
        assertTrue(later.await(TIMEOUT_S, TimeUnit.SECONDS));
    }

    @Test
    void directAndWorkerTasksRunOnTheLoopThread() throws Exception {
        CompletableFuture<Thread> direct = new CompletableFuture<>();
        CompletableFuture<Thread> onWorker = new CompletableFuture<>();
        Disposable task = scheduler.scheduleDirect(() -> direct.complete(Thread.currentThread()));
        Scheduler.Worker worker = scheduler.createWorker();
        worker.schedule(() -> onWorker.complete(Thread.currentThread()));
        assertSame(loop.thread(), direct.get(TIMEOUT_S, TimeUnit.SECONDS));
        assertSame(loop.thread(), onWorker.get(TIMEOUT_S, TimeUnit.SECONDS));
        barrier();
        assertTrue(task.isDisposed(), "a one-shot task that ran is done");
        worker.dispose();
    }

    @Test
    void delayedTaskRunsNoEarlierThanItsDelayOnTheLoopThread() throws Exception {
        long delayMs = 50;
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        long start = System.nanoTime();
        scheduler.scheduleDirect(() -> ranOn.complete(Thread.currentThread()), delayMs, TimeUnit.MILLISECONDS);
        assertSame(loop.thread(), ranOn.get(TIMEOUT_S, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(delayMs), "ran after its delay");
    }

    @Test
    void delayedTasksRunInDeadlineOrderWhateverOrderTheyCameIn() throws Exception {
        List<Long> order = new CopyOnWriteArrayList<>();
        List<Long> ranAfterMs = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(4);
        Scheduler.Worker worker = scheduler.createWorker();
        long start = System.nanoTime();
        for (long delay : new long[] {90, 30, 60, 0}) { // each earlier one re-arms the ring's timer
            worker.schedule(() -> {
                order.add(delay);
                ranAfterMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                all.countDown();
            }, delay, TimeUnit.MILLISECONDS);
        }
        assertTrue(all.await(TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(List.of(0L, 30L, 60L, 90L), order);
        for (int i = 0; i < order.size(); i++) {
            assertTrue(ranAfterMs.get(i) >= order.get(i),
                    "task of " + order.get(i) + " ms ran at " + ranAfterMs.get(i));
        }
        worker.dispose();
    }

    @Test
    void manyWaitingTasksShareOneKernelTimer() throws Exception {
        List<Disposable> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tasks.add(scheduler.scheduleDirect(() -> fail("disposed before its time"), 30 + i, TimeUnit.SECONDS));
        }
        barrier();
        assertEquals(1, loop.inFlight(), "one TIMEOUT in flight for all 200 tasks");
        tasks.forEach(Disposable::dispose);
        assertTrue(tasks.stream().allMatch(Disposable::isDisposed));
    }

    @Test
    void disposedTaskNeverRuns() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Disposable task = scheduler.scheduleDirect(ran::incrementAndGet, 20, TimeUnit.MILLISECONDS);
        task.dispose();
        assertTrue(task.isDisposed());
        waitOnTheRing(60);
        assertEquals(0, ran.get(), "its deadline passed without it running");
    }

    @Test
    void periodicTaskRunsAtAFixedRateUntilDisposed() throws Exception {
        long periodMs = 20;
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Disposable> self = new AtomicReference<>();
        CountDownLatch third = new CountDownLatch(1);
        AtomicLong thirdAt = new AtomicLong();
        long start = System.nanoTime();
        self.set(scheduler.schedulePeriodicallyDirect(() -> {
            if (runs.incrementAndGet() == 3) {
                thirdAt.set(System.nanoTime() - start);
                self.get().dispose();
                third.countDown();
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS));
        assertTrue(third.await(TIMEOUT_S, TimeUnit.SECONDS));
        assertTrue(thirdAt.get() >= TimeUnit.MILLISECONDS.toNanos(3 * periodMs), "initial delay + 2 periods");
        waitOnTheRing(3 * periodMs);
        assertEquals(3, runs.get(), "no run after dispose");
        assertTrue(self.get().isDisposed());
    }

    @Test
    void aPeriodOfZeroRunsAgainAsSoonAsTheRingWentRound() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch fifth = new CountDownLatch(1);
        Scheduler.Worker worker = scheduler.createWorker();
        worker.schedulePeriodically(() -> {
            if (runs.incrementAndGet() == 5) {
                worker.dispose(); // stops it from inside, as RxJava's own periodic tasks allow
                fifth.countDown();
            }
        }, 0, 0, TimeUnit.MILLISECONDS);
        assertTrue(fifth.await(TIMEOUT_S, TimeUnit.SECONDS));
        barrier();
        barrier();
        assertEquals(5, runs.get(), "no run after its worker was disposed");
    }

    @Test
    void aWorkerRunsItsTasksOneAfterAnotherInOrderOnOneLoop() throws Exception {
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
        assertTrue(done.await(TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(0, offLoop.get());
        assertEquals(IntStream.range(0, 100).boxed().toList(), seen);
        worker.dispose();
    }

    @Test
    void aDisposedWorkerCancelsItsPendingTasksAndRunsNoNewOnesWhileTheSchedulerGoesOn() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        AtomicInteger ran = new AtomicInteger();
        Disposable pending = worker.schedule(ran::incrementAndGet, 20, TimeUnit.MILLISECONDS);
        Disposable periodic = worker.schedulePeriodically(ran::incrementAndGet, 20, 20, TimeUnit.MILLISECONDS);
        worker.dispose();
        assertTrue(worker.isDisposed());
        assertTrue(pending.isDisposed(), "its tasks are disposed with it");
        assertTrue(periodic.isDisposed());
        Disposable refused = worker.schedule(ran::incrementAndGet);
        assertTrue(refused.isDisposed(), "a disposed worker answers with a disposed Disposable, as RxJava's do");
        waitOnTheRing(60);
        assertEquals(0, ran.get());
        assertEquals(List.of(), errors, "refusing a task of a disposed worker is no error");
    }

    @Test
    void shutdownCancelsPendingTasksAndRefusesNewOnesUntilStartAndTheRingGoesOn() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Disposable pending = scheduler.scheduleDirect(ran::incrementAndGet, 20, TimeUnit.MILLISECONDS);
        Scheduler.Worker worker = scheduler.createWorker();
        scheduler.shutdown();
        assertTrue(scheduler.isShutdown());
        assertTrue(pending.isDisposed());
        assertTrue(scheduler.scheduleDirect(ran::incrementAndGet).isDisposed());
        assertTrue(worker.schedule(ran::incrementAndGet).isDisposed());
        rx.nop().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete(); // the ring still runs

        scheduler.start();
        assertFalse(scheduler.isShutdown());
        waitOnTheRing(60); // runs again; the deadline of the cancelled task has passed by then
        assertEquals(0, ran.get(), "tasks cancelled by the shutdown stay cancelled");
        assertEquals(List.of(), errors);
    }

    @Test
    void onceTheRingHasEndedTasksAreRefusedThroughRxJavaPluginsOnError() throws Exception {
        rx.dispose();
        assertTrue(rx.awaitTermination(TIMEOUT));
        RxUringScheduler over = RxUringScheduler.of(loop); // not shut down, but its ring has ended
        AtomicInteger ran = new AtomicInteger();
        assertTrue(over.scheduleDirect(ran::incrementAndGet).isDisposed());
        assertTrue(over.createWorker().schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS).isDisposed());
        assertEquals(2, errors.size(), "one error per refused task: " + errors);
        for (Throwable e : errors) {
            assertInstanceOf(UndeliverableException.class, e);
            assertInstanceOf(RejectedExecutionException.class, e.getCause());
        }
        assertEquals(0, ran.get());
    }

    @Test
    void onScheduleDecoratesEveryTaskOnceAndTheTaskExposesTheDecoratedRunnable() throws Exception {
        AtomicInteger decorated = new AtomicInteger();
        List<Runnable> decorations = new CopyOnWriteArrayList<>();
        RxJavaPlugins.setScheduleHandler(task -> {
            decorated.incrementAndGet();
            Runnable d = task::run;
            decorations.add(d);
            return d;
        });
        CountDownLatch ran = new CountDownLatch(3);
        AtomicInteger periodicRuns = new AtomicInteger();
        Disposable direct = scheduler.scheduleDirect(ran::countDown, 1, TimeUnit.HOURS);
        scheduler.scheduleDirect(ran::countDown);
        scheduler.createWorker().schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);
        Disposable periodic = scheduler.schedulePeriodicallyDirect(() -> {
            if (periodicRuns.incrementAndGet() == 2) {
                ran.countDown();
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
        assertTrue(ran.await(TIMEOUT_S, TimeUnit.SECONDS));
        periodic.dispose();
        assertEquals(4, decorated.get(), "once per schedule call, not per run");
        SchedulerRunnableIntrospection introspection = assertInstanceOf(SchedulerRunnableIntrospection.class, direct);
        assertSame(decorations.getFirst(), introspection.getWrappedRunnable());
        direct.dispose();
    }

    @Test
    void aThrowingTaskGoesToRxJavaPluginsOnErrorAndTheLoopGoesOn() throws Exception {
        RuntimeException bug = new RuntimeException("task bug");
        AtomicInteger periodicRuns = new AtomicInteger();
        scheduler.scheduleDirect(() -> {
            throw bug;
        });
        Disposable periodic = scheduler.schedulePeriodicallyDirect(() -> {
            periodicRuns.incrementAndGet();
            throw bug;
        }, 0, 5, TimeUnit.MILLISECONDS);
        waitOnTheRing(30);
        assertEquals(2, errors.size(), "reported once each: " + errors);
        errors.forEach(e -> assertSame(bug, e.getCause()));
        assertEquals(1, periodicRuns.get(), "a periodic task stops after it threw");
        assertTrue(periodic.isDisposed());
        assertFalse(loop.isShuttingDown());
    }

    @Test
    void rxJavaOperatorsRunOnTheRing() {
        Flowable.just(1).observeOn(scheduler).map(v -> loop.inLoop()).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(true);
        Single.fromCallable(loop::inLoop).subscribeOn(scheduler).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(true);
        long start = System.nanoTime();
        Flowable.timer(30, TimeUnit.MILLISECONDS, scheduler).map(v -> loop.inLoop()).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(true);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30));
        Flowable.interval(5, TimeUnit.MILLISECONDS, scheduler).take(3).filter(v -> loop.inLoop()).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(0L, 1L, 2L);
        Flowable.range(1, 3).delay(10, TimeUnit.MILLISECONDS, scheduler).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(1, 2, 3);
    }

    @Test
    void aSchedulerOverAGroupSpreadsTasksAndKeepsLoopTasksOnTheirRing() throws Exception {
        RxUring two = RxUring.create(2, LoopOptions.defaults().withThreadName("rx-scheduler-group-test"));
        try {
            List<Thread> threads = new CopyOnWriteArrayList<>();
            CountDownLatch ran = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                two.scheduler().scheduleDirect(() -> {
                    threads.add(Thread.currentThread());
                    ran.countDown();
                });
            }
            assertTrue(ran.await(TIMEOUT_S, TimeUnit.SECONDS));
            assertEquals(2, threads.stream().distinct().count(), "round robin over both rings");
            CompletableFuture<Boolean> sameRing = new CompletableFuture<>();
            UringLoop second = two.loops().get(1);
            second.execute(() -> {
                Thread here = Thread.currentThread();
                two.scheduler().scheduleDirect(() -> sameRing.complete(Thread.currentThread() == here));
            });
            assertTrue(sameRing.get(TIMEOUT_S, TimeUnit.SECONDS), "a task scheduled on a loop stays on it");
        } finally {
            two.dispose();
            assertTrue(two.awaitTermination(TIMEOUT));
        }
    }
}
