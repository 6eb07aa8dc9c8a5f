package io.reactiveuring.rxjava;

import io.reactiveuring.core.Uring;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.ControlCalls;
import io.reactiveuring.core.reactive.MultishotPublisher;
import io.reactiveuring.core.reactive.OneShotPublisher;
import io.reactiveuring.core.reactive.PollCall;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

/** The RxJava views over core's publishers: values, demand and the loop-end error pass straight through. */
class RxUringTest {
    UringLoop loop;

    @BeforeEach
    void start() {
        if (!Uring.isAvailable()) {
            String ci = System.getenv("CI");
            assertTrue(ci == null || ci.isBlank() || ci.equals("false"),
                    "CI is set but io_uring is unavailable: " + Uring.unavailabilityCause());
            Assumptions.abort("io_uring unavailable: " + Uring.unavailabilityCause());
        }
        loop = new UringLoop(LoopOptions.defaults().withThreadName("rx-test"));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.staleCompletions());
        }
    }

    @Test
    void aOneShotOpIsASingleWithItsResult() {
        RxUring.single(new OneShotPublisher<>(loop, ControlCalls.nop()))
                .test()
                .awaitDone(10, TimeUnit.SECONDS)
                .assertValue(0)
                .assertComplete();
    }

    @Test
    void aMultishotPollIsAFlowableThatFollowsDemand() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            int[] pipe = pipe(arena);
            int r = pipe[0];
            int w = pipe[1];
            try {
                MemorySegment one = arena.allocate(1);
                assertEquals(1, LibC.write(w, one, 1)); // readable from now on: every arm reports it
                PollCall poll = PollCall.of(r, Poll.POLLIN);
                TestSubscriber<Integer> ts = RxUring.flowable(new MultishotPublisher<>(loop, () -> poll))
                        .test(2);
                ts.awaitCount(1);
                ts.assertNotComplete();
                assertTrue(ts.values().size() <= 2, "never more than requested: " + ts.values());
                assertEquals(Poll.POLLIN, ts.values().get(0) & Poll.POLLIN);
                ts.cancel();
            } finally {
                LibC.close(r);
                LibC.close(w);
            }
        }
    }

    @Test
    void theLoopEndingReachesAPendingSingleAsCancellation() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            int[] pipe = pipe(arena);
            int r = pipe[0];
            int w = pipe[1];
            try {
                var pending = RxUring.single(new OneShotPublisher<>(loop, ControlCalls.poll(r, Poll.POLLIN))).test();
                loop.close();
                pending.awaitDone(10, TimeUnit.SECONDS).assertError(UringCancelledException.class);
            } finally {
                LibC.close(r);
                LibC.close(w);
            }
        }
    }

    /** A CLOEXEC pipe: {read end, write end}; the caller closes both. */
    private static int[] pipe(Arena arena) {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LibC.pipe2(fds, LibC.O_CLOEXEC));
        return new int[] {fds.get(JAVA_INT, 0), fds.get(JAVA_INT, 4)};
    }
}
