package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The wake-up protocol: a loop with nothing to do sleeps in io_uring_enter; a foreign thread that submits then
 * must wake it (eventfd write), and no submission may be stranded in the hand-off queue.
 *
 * <p>Whether the loop is really asleep is read from {@code /proc/self/task/<tid>/syscall} and {@code stat} (in
 * {@code io_uring_enter}, state S), so that the tests that need a sleeping loop do not depend on timing.
 */
class WakeupTest {
    private static final String THREAD_NAME = "wakeup-test"; // short: /proc shows 15 characters of it

    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName(THREAD_NAME));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
        }
    }

    /** The loop thread's /proc directory, found by its name. */
    private static Path loopTask() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).trim().equals(THREAD_NAME);
                } catch (IOException gone) {
                    return false;
                }
            }).findFirst().orElseThrow(() -> new AssertionError("no thread named " + THREAD_NAME));
        }
    }

    /** Waits (up to 5 s) until the loop thread sleeps inside io_uring_enter. */
    private static void awaitLoopAsleepInEnter(Path task) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String enter = IoUring.SYS_io_uring_enter + " ";
        while (true) {
            String syscall = Files.readString(task.resolve("syscall"));
            String stat = Files.readString(task.resolve("stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            if (syscall.startsWith(enter) && state == 'S') {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "loop not asleep in io_uring_enter: " + syscall + " " + state);
            Thread.yield();
        }
    }

    private Path loopTaskOrSkip() {
        try {
            Path task = loopTask();
            Files.readString(task.resolve("syscall"));
            return task;
        } catch (IOException | AssertionError e) {
            Assumptions.abort("cannot observe the loop thread through /proc: " + e);
            return null;
        }
    }

    private int roundTrip() throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        loop.submit(new UringOperation(OpSpec.nop()) {
            @Override
            protected void onCompletion(int res, int flags) {
                done.complete(res);
            }
        });
        return done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void tenThousandSequentialRoundTripsFromAForeignThreadAllComplete() throws Exception {
        Path task = loopTaskOrSkip();
        int rounds = 10_000;
        int forcedSleeps = 0;
        for (int i = 0; i < rounds; i++) {
            long wakeupsBefore = loop.wakeups();
            boolean asleep = i % 1000 == 0;
            if (asleep) {
                awaitLoopAsleepInEnter(task);
                forcedSleeps++;
            }
            // each waits for the previous one; a lost wake-up would strand it in the hand-off queue
            assertEquals(0, roundTrip(), "round " + i);
            if (asleep) {
                assertEquals(wakeupsBefore + 1, loop.wakeups(), "one eventfd wake-up for a sleeping loop");
            }
        }
        assertTrue(loop.wakeups() >= forcedSleeps, "wakeups " + loop.wakeups());
        assertTrue(loop.wakeups() <= rounds, "at most one wake-up per submission: " + loop.wakeups());
    }

    @Test
    void submissionWakesALoopAsleepWithOnlyALongTimeoutPending() throws Exception {
        Path task = loopTaskOrSkip();
        RecordingOperation longTimeout = new RecordingOperation(OpSpec.timeout(Duration.ofHours(1), 0));
        loop.submit(longTimeout);
        for (int i = 0; i < 20; i++) {
            awaitLoopAsleepInEnter(task);
            long before = loop.wakeups();
            CompletableFuture<Long> wakeupsInTask = new CompletableFuture<>();
            loop.execute(() -> wakeupsInTask.complete(loop.wakeups()));
            assertEquals(before + 1, wakeupsInTask.get(5, TimeUnit.SECONDS), "task " + i);
        }
        assertFalse(longTimeout.done.isDone());
        loop.cancel(longTimeout);
        assertEquals(-Errno.ECANCELED, longTimeout.awaitRes());
    }

    @Test
    void closeWakesASleepingLoop() throws Exception {
        Path task = loopTaskOrSkip();
        assertEquals(0, roundTrip());
        awaitLoopAsleepInEnter(task);
        loop.close();
        assertTrue(loop.awaitTermination(Duration.ofSeconds(5)));
        assertTrue(loop.isTerminated());
    }
}
