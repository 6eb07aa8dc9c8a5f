package io.reactiveuring.core.reactive;

import io.reactiveuring.core.CapturedLog;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringLinkBrokenException;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

class OneShotPublisherTest {
    UringLoop loop;
    Arena arena;
    final List<Integer> fdsToClose = new ArrayList<>();

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("oneshot-test"));
        arena = Arena.ofShared();
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions());
            assertEquals(0, loop.inFlight());
        }
        fdsToClose.forEach(LibC::close);
        if (arena != null) {
            arena.close();
        }
    }

    int[] pipe() {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LibC.pipe2(fds, LibC.O_CLOEXEC));
        int[] p = {fds.get(JAVA_INT, 0), fds.get(JAVA_INT, 4)};
        fdsToClose.add(p[0]);
        fdsToClose.add(p[1]);
        return p;
    }

    void writeAll(int fd, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment m = arena.allocate(b.length);
        m.copyFrom(MemorySegment.ofArray(b));
        assertEquals(b.length, LibC.write(fd, m, b.length));
    }

    static String text(MemorySegment buf, int len) {
        return new String(buf.asSlice(0, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                StandardCharsets.UTF_8);
    }

    /** A read on a pipe's read end: pollable, RWF_NOWAIT for USER mode. */
    static Call<Integer> pipeRead(int fd, MemorySegment buf) {
        return Call.builder(OpSpec.read(fd, buf, -1)).pollable(Poll.READABLE, Call.Nowait.RW_FLAGS).build();
    }

    /** Waits until the loop has processed everything handed over so far (a NOP's completion). */
    void barrier() throws Exception {
        TestSubscriber<Integer> nop = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(nop);
        assertTrue(nop.await());
    }

    @Test
    void nopEmitsZeroThenCompletesOnTheLoopThread() throws Exception {
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(s);
        assertTrue(s.await());
        assertEquals(List.of(0), s.values);
        assertTrue(s.completed);
        assertEquals(1, s.terminals.get());
        assertSame(loop.thread(), s.signalThread);
    }

    @Test
    void nothingIsSubmittedBeforeRequestAndEachSubscriptionSubmitsAgain() throws Exception {
        AtomicInteger callsMade = new AtomicInteger();
        OneShotPublisher<Integer> nop = new OneShotPublisher<>(loop, () -> {
            callsMade.incrementAndGet();
            return Call.of(OpSpec.nop());
        });
        TestSubscriber<Integer> lazy = new TestSubscriber<>(0);
        nop.subscribe(lazy);
        barrier();
        long submittedBefore = loop.submittedOperations();
        barrier();
        assertEquals(0, callsMade.get(), "no call prepared before request");
        assertEquals(submittedBefore + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
        assertTrue(lazy.values.isEmpty());
        lazy.subscription.request(1);
        assertTrue(lazy.await());
        TestSubscriber<Integer> second = new TestSubscriber<>(1);
        nop.subscribe(second);
        assertTrue(second.await());
        assertEquals(2, callsMade.get(), "subscribing twice submits twice");
        assertEquals(List.of(0), second.values);
    }

    @Test
    void negativeResultBecomesUringExceptionWithErrnoAndOp() throws Exception {
        int[] p = pipe();
        LibC.close(p[1]);
        fdsToClose.remove(Integer.valueOf(p[1]));
        int closedFd = p[1];
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        MemorySegment buf = arena.allocate(8);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.write(closedFd, buf, -1))).subscribe(s);
        assertTrue(s.await());
        UringException e = assertInstanceOf(UringException.class, s.error);
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF (9) from WRITE fd=" + closedFd, e.getMessage());
    }

    @Test
    void requestOfZeroSignalsIllegalArgument() throws Exception {
        TestSubscriber<Integer> s = new TestSubscriber<>(0);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(s);
        s.subscription.request(0);
        assertTrue(s.await());
        assertInstanceOf(IllegalArgumentException.class, s.error);
    }

    @Test
    void userModeReadOnEmptyPipeArmsPollAndCompletesWhenDataArrives() throws Exception {
        int[] p = pipe();
        MemorySegment buf = arena.allocate(64);
        long armedBefore = loop.stats().pollArmedCount();
        long resubmittedBefore = loop.stats().pollResubmittedCount();
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> pipeRead(p[0], buf), OpOptions.DEFAULT.withPollRetry(PollRetry.USER))
                .subscribe(s);
        barrier();
        assertEquals(armedBefore + 1, loop.stats().pollArmedCount(), "EAGAIN armed a readiness poll");
        assertEquals(0, s.terminals.get(), "no EAGAIN reached the subscriber");
        writeAll(p[1], "hello");
        assertTrue(s.await());
        assertNull(s.error);
        assertEquals(List.of(5), s.values);
        assertEquals("hello", text(buf, 5));
        assertEquals(resubmittedBefore + 1, loop.stats().pollResubmittedCount(), "op re-submitted on readiness");
    }

    @Test
    void pollRetryIsRecordedAsJfrEventsMirroringTheKernelTracePoints() throws Exception {
        int[] p = pipe();
        MemorySegment buf = arena.allocate(64);
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
            recording.enable("io.reactiveuring.PollArm");
            recording.enable("io.reactiveuring.PollWake");
            recording.enable("io.reactiveuring.OpResubmit");
            recording.start();
            TestSubscriber<Integer> s = new TestSubscriber<>(1);
            new OneShotPublisher<>(loop, () -> pipeRead(p[0], buf), OpOptions.DEFAULT.withPollRetry(PollRetry.USER))
                    .subscribe(s);
            barrier();
            writeAll(p[1], "jfr");
            assertTrue(s.await());
            recording.stop();
            Path dump = Files.createTempFile("retry", ".jfr");
            try {
                recording.dump(dump);
                List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(dump);
                List<String> names = events.stream().map(e -> e.getEventType().getName()).toList();
                assertEquals(List.of("io.reactiveuring.PollArm", "io.reactiveuring.PollWake",
                        "io.reactiveuring.OpResubmit"), names);
                jdk.jfr.consumer.RecordedEvent arm = events.get(0);
                assertEquals("READ fd=" + p[0], arm.getString("op"));
                assertEquals(p[0], arm.getInt("fd"));
                assertEquals(Poll.READABLE, arm.getInt("mask"));
                assertNotEquals(0L, arm.getLong("userData"));
                assertEquals(Poll.POLLIN, events.get(1).getInt("events") & Poll.POLLIN);
            } finally {
                Files.deleteIfExists(dump);
            }
        }
    }

    @Test
    void kernelModeReadOnEmptyPipeWaitsInTheKernelWithoutUserPoll() throws Exception {
        int[] p = pipe();
        MemorySegment buf = arena.allocate(64);
        long armedBefore = loop.stats().pollArmedCount();
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> pipeRead(p[0], buf), OpOptions.DEFAULT.withPollRetry(PollRetry.KERNEL))
                .subscribe(s);
        barrier();
        assertEquals(0, s.terminals.get());
        writeAll(p[1], "abc");
        assertTrue(s.await());
        assertEquals(List.of(3), s.values);
        assertEquals(armedBefore, loop.stats().pollArmedCount(), "FAST_POLL: the kernel polled, we did not");
    }

    @Test
    void userModeReadOnRegularFileNeverArmsAPoll(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        Files.writeString(file, "regular file content");
        try (var _ = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            int fd = fdOf(file);
            MemorySegment buf = arena.allocate(64);
            long armedBefore = loop.stats().pollArmedCount();
            TestSubscriber<Integer> s = new TestSubscriber<>(1);
            new OneShotPublisher<>(loop,
                    () -> Call.builder(OpSpec.read(fd, buf, 0)).regularFile().build(),
                    OpOptions.DEFAULT.withPollRetry(PollRetry.USER)).subscribe(s);
            assertTrue(s.await());
            assertNull(s.error);
            assertEquals(List.of(20), s.values);
            assertEquals("regular file content", text(buf, 20));
            assertEquals(armedBefore, loop.stats().pollArmedCount(), "a regular file is never polled");
        }
    }

    private int fdOf(Path file) {
        MemorySegment path = arena.allocateFrom(file.toString());
        int fd = OpenForTest.open(path);
        assertTrue(fd >= 0, "open: " + fd);
        fdsToClose.add(fd);
        return fd;
    }

    @Test
    void cancelOfPendingReadSignalsNothingAndReleasesAfterTheFinalCqe() throws Exception {
        int[] p = pipe();
        MemorySegment buf = arena.allocate(64);
        CompletableFuture<Boolean> released = new CompletableFuture<>();
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> new OpCall<Integer>() {
            @Override
            public OpSpec spec() {
                return OpSpec.read(p[0], buf, -1);
            }

            @Override
            public Integer result(int res, int flags) {
                return res;
            }

            @Override
            public void release() {
                // called on the loop thread after the read's final CQE (-ECANCELED)
                released.complete(loop.inLoop());
            }
        }).subscribe(s);
        barrier();
        assertFalse(released.isDone(), "memory still owned while the read is pending");
        s.subscription.cancel();
        assertTrue(released.get(10, TimeUnit.SECONDS), "released on the loop thread");
        barrier();
        assertEquals(0, s.terminals.get(), "nothing signalled after cancel");
        assertTrue(s.values.isEmpty());
        assertTrue(loop.cancelsIssued() >= 1, "ASYNC_CANCEL was submitted");
    }

    @Test
    void disposingTheRingGivesEveryPendingSubscriberOneCancellation() throws Exception {
        int[] p = pipe();
        MemorySegment buf = arena.allocate(16);
        List<TestSubscriber<Integer>> subs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            TestSubscriber<Integer> s = new TestSubscriber<>(1);
            subs.add(s);
            new OneShotPublisher<>(loop, () -> Call.of(OpSpec.read(p[0], buf, -1))).subscribe(s);
        }
        barrier();
        loop.close();
        for (TestSubscriber<Integer> s : subs) {
            assertTrue(s.await());
            assertInstanceOf(UringCancelledException.class, s.error);
            assertEquals(1, s.terminals.get());
        }
        TestSubscriber<Integer> late = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(late);
        assertEquals(0, late.terminated.getCount(), "fails at once after the loop ended");
        assertInstanceOf(UringCancelledException.class, late.error);
    }

    @Test
    void subscribingAfterTheLoopEndedSignalsCancellationWithoutARequest() throws Exception {
        loop.close();
        TestSubscriber<Integer> oneShot = new TestSubscriber<>(0);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(oneShot);
        assertEquals(0, oneShot.terminated.getCount(), "onError right after onSubscribe");
        assertInstanceOf(UringCancelledException.class, oneShot.error);
        oneShot.subscription.request(1);
        assertEquals(1, oneShot.terminals.get(), "no second terminal signal");

        TestSubscriber<Integer> linked = new TestSubscriber<>(0);
        new LinkedPublisher(loop, () -> List.of(Call.of(OpSpec.nop()))).subscribe(linked);
        assertEquals(0, linked.terminated.getCount());
        assertInstanceOf(UringCancelledException.class, linked.error);
        linked.subscription.request(1);
        assertEquals(1, linked.terminals.get());

        TestSubscriber<Integer> requestedInOnSubscribe = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(requestedInOnSubscribe);
        assertInstanceOf(UringCancelledException.class, requestedInOnSubscribe.error);
        assertEquals(1, requestedInOnSubscribe.terminals.get());
    }

    @Test
    void linkedTimeoutExpiryIsATimeoutErrorNotACancellation() throws Exception {
        int[] p = pipe();
        MemorySegment buf = arena.allocate(16);
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> pipeRead(p[0], buf),
                OpOptions.DEFAULT.withLinkTimeout(Duration.ofMillis(50))).subscribe(s);
        assertTrue(s.await());
        UringTimeoutException e = assertInstanceOf(UringTimeoutException.class, s.error);
        assertEquals(Errno.ETIME, e.errno());
        assertFalse(UringCancelledException.isCancellation(e), "a timeout is not a cancellation");
    }

    @Test
    void linkedTimeoutSurvivesThePollRetryInUserMode() throws Exception {
        int[] p = pipe();
        MemorySegment buf = arena.allocate(16);
        long armedBefore = loop.stats().pollArmedCount();
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> pipeRead(p[0], buf),
                new OpOptions(PollRetry.USER, Duration.ofMillis(80))).subscribe(s);
        assertTrue(s.await());
        assertInstanceOf(UringTimeoutException.class, s.error);
        assertTrue(loop.stats().pollArmedCount() > armedBefore, "the timeout covered the armed poll");
    }

    @Test
    void linkedTimeoutDoesNotFireWhenTheOpCompletesFirst() throws Exception {
        int[] p = pipe();
        writeAll(p[1], "ready");
        MemorySegment buf = arena.allocate(16);
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> pipeRead(p[0], buf),
                OpOptions.DEFAULT.withLinkTimeout(Duration.ofSeconds(5))).subscribe(s);
        assertTrue(s.await());
        assertNull(s.error);
        assertEquals(List.of(5), s.values);
    }

    @Test
    void subscriberThrowingInOnNextDoesNotStopTheLoop() throws Exception {
        CountDownLatch thrown = new CountDownLatch(1);
        IllegalStateException bug = new IllegalStateException("user bug");
        try (CapturedLog log = CapturedLog.of("io.reactiveuring.core.engine")) {
            new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(new TestSubscriber<>(1) {
                @Override
                public void onNext(Integer t) {
                    thrown.countDown();
                    throw bug;
                }
            });
            assertTrue(thrown.await(10, TimeUnit.SECONDS));
            barrier();
            assertTrue(loop.callbackErrors() >= 1);
            assertFalse(loop.isShuttingDown());
            // The default error hook logs the callback's exception (as a warning) and the loop goes on.
            LogRecord logged = log.await(Level.WARNING, "exception in a callback", Duration.ofSeconds(10));
            assertSame(bug, logged.getThrown());
        }
    }

    @Test
    void linkedWriteThenFsyncEmitsBothResults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("linked");
        Files.createFile(file);
        int fd = OpenForTest.openWrite(arena.allocateFrom(file.toString()));
        assertTrue(fd >= 0);
        fdsToClose.add(fd);
        MemorySegment data = arena.allocateFrom("linked write", StandardCharsets.UTF_8);
        long len = data.byteSize() - 1;
        TestSubscriber<Integer> s = new TestSubscriber<>(Long.MAX_VALUE);
        new LinkedPublisher(loop, () -> List.of(
                Call.of(OpSpec.write(fd, data.asSlice(0, len), 0)),
                Call.of(OpSpec.builder(io.reactiveuring.core.linux.IoUring.IORING_OP_FSYNC).fd(fd).build())))
                .subscribe(s);
        assertTrue(s.await());
        assertNull(s.error);
        assertEquals(List.of((int) len, 0), s.values);
        assertEquals("linked write", Files.readString(file));
    }

    @Test
    void oneShotSignalsNothingWhileOnSubscribeIsStillRunning() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean overlapped = new java.util.concurrent.atomic.AtomicBoolean();
        TestSubscriber<Integer> s = new TestSubscriber<>(1) {
            volatile boolean subscribing;

            @Override
            public void onSubscribe(org.reactivestreams.Subscription sub) {
                subscribing = true;
                super.onSubscribe(sub); // requests: the NOP is submitted from here
                try {
                    barrier(); // the loop has processed the NOP's completion by now
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                subscribing = false;
            }

            @Override
            public void onNext(Integer t) {
                if (subscribing) {
                    overlapped.set(true);
                }
                super.onNext(t);
            }

            @Override
            public void onComplete() {
                if (subscribing) {
                    overlapped.set(true);
                }
                super.onComplete();
            }
        };
        new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop())).subscribe(s);
        assertTrue(s.await());
        assertFalse(overlapped.get(), "signal while onSubscribe was still running (§1.3)");
        assertEquals(List.of(0), s.values);
        assertTrue(s.completed);
    }

    @Test
    void linkedChainSignalsNothingWhileOnSubscribeIsStillRunning() throws Exception {
        CountDownLatch inOnSubscribe = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean overlapped = new java.util.concurrent.atomic.AtomicBoolean();
        TestSubscriber<Integer> s = new TestSubscriber<>(Long.MAX_VALUE) {
            volatile boolean subscribing;

            @Override
            public void onSubscribe(org.reactivestreams.Subscription sub) {
                subscribing = true;
                super.onSubscribe(sub); // requests: the chain is submitted from here
                try {
                    barrier(); // the loop has processed the chain's completions by now
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                subscribing = false;
                inOnSubscribe.countDown();
            }

            @Override
            public void onNext(Integer t) {
                if (subscribing) {
                    overlapped.set(true);
                }
                super.onNext(t);
            }
        };
        new LinkedPublisher(loop, () -> List.of(Call.of(OpSpec.nop()), Call.of(OpSpec.nop())))
                .subscribe(s);
        assertTrue(inOnSubscribe.await(10, TimeUnit.SECONDS));
        assertTrue(s.await());
        assertFalse(overlapped.get(), "onNext while onSubscribe was still running (§1.3)");
        assertEquals(List.of(0, 0), s.values);
        assertTrue(s.completed);
    }

    @Test
    void linkedChainRequestedAfterCancelSubmitsNothing() throws Exception {
        AtomicInteger chainsMade = new AtomicInteger();
        TestSubscriber<Integer> s = new TestSubscriber<>(0);
        new LinkedPublisher(loop, () -> {
            chainsMade.incrementAndGet();
            return List.of(Call.of(OpSpec.nop()));
        }).subscribe(s);
        s.subscription.cancel();
        s.subscription.request(1);
        barrier();
        long submitted = loop.submittedOperations();
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier's NOP");
        assertEquals(0, chainsMade.get(), "§3.6: a request after cancel is a no-op");
        assertEquals(0, s.terminals.get());
    }

    @Test
    void aShortReadBreaksTheLinkAndTheNextOpReportsLinkBroken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("short");
        Files.writeString(file, "tiny");
        int fd = OpenForTest.open(arena.allocateFrom(file.toString()));
        fdsToClose.add(fd);
        MemorySegment buf = arena.allocate(100);
        TestSubscriber<Integer> s = new TestSubscriber<>(Long.MAX_VALUE);
        new LinkedPublisher(loop, () -> List.of(
                Call.of(OpSpec.read(fd, buf, 0)),
                Call.of(OpSpec.nop()))).subscribe(s);
        assertTrue(s.await());
        assertEquals(List.of(4), s.values, "the short read's own result");
        assertInstanceOf(UringLinkBrokenException.class, s.error);
    }

    @Test
    void anOpTheKernelLacksRunsItsSyscallFallbackOnTheLoopThread() throws Exception {
        byte unknown = (byte) 250; // no kernel has this opcode
        assertFalse(loop.supports(unknown));
        AtomicInteger ran = new AtomicInteger();
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> Call.builder(OpSpec.of(unknown)).fallback(() -> {
            ran.incrementAndGet();
            return loop.inLoop() ? 42 : -Errno.EINVAL;
        }).build()).subscribe(s);
        assertTrue(s.await());
        assertNull(s.error);
        assertEquals(List.of(42), s.values, "the fallback's result, computed on the loop thread");
        assertEquals(1, ran.get());

        TestSubscriber<Integer> failing = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, () -> Call.builder(OpSpec.of(unknown)).fallback(() -> -Errno.EBADF).build())
                .subscribe(failing);
        assertTrue(failing.await());
        assertEquals(Errno.EBADF, io.reactiveuring.core.UringError.errnoOf(failing.error));
    }
}
