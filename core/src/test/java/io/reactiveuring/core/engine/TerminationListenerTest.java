package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class TerminationListenerTest {
    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("termination-listener-test"));
    }

    @Test
    void listenerRunsOnceOnTheLoopThreadAfterInFlightOpsGotTheirFinalCompletion() throws Exception {
        RecordingOperation pending = new RecordingOperation(OpSpec.timeout(java.time.Duration.ofHours(1), 0));
        loop.submit(pending);
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Boolean> sawFinalCompletionFirst = new CompletableFuture<>();
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        loop.addTerminationListener(() -> {
            runs.incrementAndGet();
            sawFinalCompletionFirst.complete(pending.completionCount == 1);
            ranOn.complete(Thread.currentThread());
        });
        loop.close();
        assertSame(loop.thread(), ranOn.get(10, TimeUnit.SECONDS));
        assertTrue(sawFinalCompletionFirst.get());
        assertEquals(1, runs.get());
        assertEquals(0, loop.inFlight());
    }

    @Test
    void listenerAddedAfterTheEndRunsAtOnceOnTheCallingThread() {
        loop.close();
        AtomicInteger runs = new AtomicInteger();
        Thread[] ranOn = new Thread[1];
        loop.addTerminationListener(() -> {
            runs.incrementAndGet();
            ranOn[0] = Thread.currentThread();
        });
        assertEquals(1, runs.get());
        assertSame(Thread.currentThread(), ranOn[0]);
    }

    @Test
    void removedListenerDoesNotRun() {
        AtomicInteger runs = new AtomicInteger();
        Runnable listener = runs::incrementAndGet;
        loop.addTerminationListener(listener);
        loop.removeTerminationListener(listener);
        loop.close();
        assertEquals(0, runs.get());
    }
    @Test
    void onTerminatedCompletesOnlyOnceTheRingIsClosedUnlikeATerminationListener() throws Exception {
        loop.close();
        loop.awaitTermination(java.time.Duration.ofSeconds(10));
        long fdsWithoutALoop = UringTestSupport.openFds();

        UringLoop second = new UringLoop(LoopOptions.defaults().withThreadName("on-terminated-test"));
        UringGroup group = UringGroup.of(java.util.List.of(second));
        CompletableFuture<Long> fdsInListener = new CompletableFuture<>();
        CompletableFuture<Long> fdsWhenTerminated = new CompletableFuture<>();
        CompletableFuture<Long> fdsWhenAllTerminated = new CompletableFuture<>();
        second.addTerminationListener(() -> fdsInListener.complete(UringTestSupport.openFds()));
        second.onTerminated().thenRun(() -> fdsWhenTerminated.complete(UringTestSupport.openFds()));
        group.whenAllTerminated(() -> fdsWhenAllTerminated.complete(UringTestSupport.openFds()));
        second.close();

        assertTrue(fdsInListener.get(10, TimeUnit.SECONDS) > fdsWithoutALoop, "a listener runs with the ring open");
        assertEquals(fdsWithoutALoop, fdsWhenTerminated.get(10, TimeUnit.SECONDS), "the ring and eventfd are closed");
        assertEquals(fdsWithoutALoop, fdsWhenAllTerminated.get(10, TimeUnit.SECONDS));
        AtomicInteger late = new AtomicInteger();
        group.whenAllTerminated(late::incrementAndGet);
        assertEquals(1, late.get(), "after the end it runs at once");
    }
}
