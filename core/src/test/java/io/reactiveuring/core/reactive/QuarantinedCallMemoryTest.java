package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A loop that ends without waiting for the kernel (zero shutdown grace) quarantines the ops still in the kernel: their
 * subscribers get the loop's end as an error, and the memory those ops point at is never released by the publishers,
 * since the kernel may still write into it. The same ops under a loop that waits for their final CQEs release it.
 */
class QuarantinedCallMemoryTest {
    Arena arena;
    Pipe pipe;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        // Never closed: after a quarantine the kernel may still own these buffers.
        arena = Arena.ofShared();
        pipe = Pipe.open();
    }

    @AfterEach
    void stop() {
        if (pipe != null) {
            pipe.close();
        }
    }

    /** A read of the empty pipe that counts its releases. */
    final class CountedRead implements OpCall<Integer> {
        final AtomicInteger releases;
        final MemorySegment buffer = arena.allocate(64);

        CountedRead(AtomicInteger releases) {
            this.releases = releases;
        }

        @Override
        public OpSpec spec() {
            return OpSpec.read(pipe.readFd(), buffer, -1);
        }

        @Override
        public OpSpec nowaitSpec() {
            return spec().withOpFlags(Poll.RWF_NOWAIT);
        }

        @Override
        public int readiness() {
            return Poll.READABLE;
        }

        @Override
        public Integer result(int res, int flags) {
            return res;
        }

        @Override
        public void release() {
            releases.incrementAndGet();
        }
    }

    /** A multishot poll on the empty pipe that counts its releases. */
    final class CountedPoll implements MultishotCall<Integer> {
        final AtomicInteger releases;

        CountedPoll(AtomicInteger releases) {
            this.releases = releases;
        }

        @Override
        public OpSpec spec() {
            return OpSpec.pollAdd(pipe.readFd(), Poll.READABLE, true);
        }

        @Override
        public Integer item(int res, int flags) {
            return res;
        }

        @Override
        public void release() {
            releases.incrementAndGet();
        }
    }

    /** Subscribes a one-shot read (each retry form), a multishot poll and a linked chain, all left waiting. */
    private record Pending(List<TestSubscriber<Integer>> subscribers, List<AtomicInteger> releases) {
    }

    private Pending subscribeAll(UringLoop loop) throws Exception {
        AtomicInteger plain = new AtomicInteger();
        AtomicInteger linkedRetry = new AtomicInteger();
        AtomicInteger twoStepRetry = new AtomicInteger();
        AtomicInteger multishot = new AtomicInteger();
        AtomicInteger chain = new AtomicInteger();
        OpOptions kernel = OpOptions.DEFAULT.withPollRetry(PollRetry.KERNEL);
        OpOptions user = OpOptions.DEFAULT.withPollRetry(PollRetry.USER);
        List<TestSubscriber<Integer>> subs = List.of(new TestSubscriber<>(1), new TestSubscriber<>(1),
                new TestSubscriber<>(1), new TestSubscriber<>(1), new TestSubscriber<>(1));
        new OneShotPublisher<>(loop, () -> new CountedRead(plain), kernel).subscribe(subs.get(0));
        new OneShotPublisher<>(loop, () -> new CountedRead(linkedRetry), user.withLinkedRetry(true))
                .subscribe(subs.get(1));
        new OneShotPublisher<>(loop, () -> new CountedRead(twoStepRetry), user.withLinkedRetry(false))
                .subscribe(subs.get(2));
        new MultishotPublisher<>(loop, () -> new CountedPoll(multishot)).subscribe(subs.get(3));
        new LinkedPublisher(loop, () -> List.of(new CountedRead(chain), new CountedRead(chain)))
                .subscribe(subs.get(4));
        // In the kernel: the plain read, the linked retry's poll and re-issued read, the two-step retry's poll
        // (its read answered -EAGAIN), the multishot poll and the chain's two reads.
        LoopRoundTrips.awaitInFlight(loop, 7);
        for (TestSubscriber<Integer> s : subs) {
            assertEquals(0, s.terminals.get(), "nothing is readable yet");
        }
        return new Pending(subs, List.of(plain, linkedRetry, twoStepRetry, multishot, chain));
    }

    @Test
    void publishersNeverReleaseTheMemoryOfQuarantinedOps() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withShutdownGrace(Duration.ZERO)
                .withThreadName("quarantine-calls"));
        Pending pending = subscribeAll(loop);
        loop.close();

        for (int i = 0; i < pending.subscribers().size(); i++) {
            TestSubscriber<Integer> s = pending.subscribers().get(i);
            assertTrue(s.await(), "subscriber " + i + " was told of the loop's end");
            assertInstanceOf(UringCancelledException.class, s.error, "subscriber " + i);
            assertEquals(1, s.terminals.get());
            assertEquals(0, pending.releases().get(i).get(),
                    "publisher " + i + " released memory the kernel may still write");
        }
        assertTrue(loop.quarantinedOperations() >= pending.subscribers().size(),
                "quarantined: " + loop.quarantinedOperations());
    }

    @Test
    void theSameOpsReleaseTheirMemoryWhenTheLoopWaitsForTheirFinalCompletions() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("graceful-calls"));
        Pending pending = subscribeAll(loop);
        loop.close();

        for (int i = 0; i < pending.subscribers().size(); i++) {
            TestSubscriber<Integer> s = pending.subscribers().get(i);
            assertTrue(s.await(), "subscriber " + i + " was told of the loop's end");
            assertInstanceOf(UringCancelledException.class, s.error, "subscriber " + i);
            int expected = i == 4 ? 2 : 1; // the chain releases each of its two calls
            assertEquals(expected, pending.releases().get(i).get(), "releases of publisher " + i);
        }
        assertEquals(0, loop.quarantinedOperations());
    }
}
