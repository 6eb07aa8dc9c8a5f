package io.reactiveuring.core.reactive;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.binding.LibC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The two forms of the poll-driven retry ({@link io.reactiveuring.core.engine.OpRetry}): linked (poll and op in one
 * chain, the kernel re-issues the op) and two-step (the loop re-submits the op from the poll's completion); both
 * deliver the same bytes, count the same events, and a cancel while the poll waits reaches the poll.
 */
class RetryFormsTest {
    UringLoop loop;
    BufferAllocator allocator;
    Pipe pipe;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("retry-forms").withPollRetry(PollRetry.USER));
        allocator = BufferAllocator.pooled();
        pipe = Pipe.open();
    }

    @AfterEach
    void stop() {
        loop.close();
        assertEquals(0, loop.inFlight());
        assertEquals(0, loop.quarantinedOperations());
        pipe.close();
        assertEquals(0, allocator.liveBuffers(), "every buffer released");
        allocator.close();
    }

    private void barrier() throws Exception {
        TestSubscriber<Integer> nop = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, ControlCalls.nop()).subscribe(nop);
        assertTrue(nop.await());
    }

    private void write(String text) {
        UringBuffer b = allocator.copyOf(text.getBytes(StandardCharsets.UTF_8));
        try {
            assertEquals(text.length(), LibC.write(pipe.writeFd(), b.readableSegment(), text.length()));
        } finally {
            b.release();
        }
    }

    private OneShotPublisher<UringBuffer> read(boolean linked) {
        return new OneShotPublisher<>(loop, FileCalls.readStream(pipe.readFd(), 64, allocator, UringBuffer::release),
                OpOptions.DEFAULT.withLinkedRetry(linked));
    }

    @ParameterizedTest(name = "linked={0}")
    @ValueSource(booleans = {true, false})
    void aReadOnAnEmptyPipeWaitsOnReadinessAndDeliversTheBytes(boolean linked) throws Exception {
        long armed = loop.stats().pollArmedCount();
        long resubmitted = loop.stats().pollResubmittedCount();
        long linkedRetries = loop.stats().linkedRetryCount();
        TestSubscriber<UringBuffer> s = new TestSubscriber<>(1);
        read(linked).subscribe(s);
        barrier();
        assertEquals(armed + 1, loop.stats().pollArmedCount(), "EAGAIN armed one readiness poll");
        assertEquals(0, s.terminals.get(), "no EAGAIN reached the subscriber");

        write("ready");
        assertTrue(s.await());
        assertNull(s.error);
        UringBuffer got = s.values.getFirst();
        try {
            assertEquals("ready", new String(got.toByteArray(), StandardCharsets.UTF_8));
        } finally {
            got.release();
        }
        assertEquals(resubmitted + 1, loop.stats().pollResubmittedCount(), "re-issued once on readiness");
        assertEquals(linkedRetries + (linked ? 1 : 0), loop.stats().linkedRetryCount(),
                linked ? "poll and op went as one chain" : "two steps through the loop");
    }

    @ParameterizedTest(name = "linked={0}")
    @ValueSource(booleans = {true, false})
    void cancelWhileTheReadinessPollWaitsEndsItAndReleasesTheBuffer(boolean linked) throws Exception {
        TestSubscriber<UringBuffer> s = new TestSubscriber<>(1);
        read(linked).subscribe(s);
        barrier();
        assertEquals(1, allocator.liveBuffers(), "the pending read holds its buffer");
        s.subscription.cancel();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (allocator.liveBuffers() != 0 || loop.inFlight() != 0) {
            assertTrue(System.nanoTime() < deadline, "the cancel never reached the poll");
            barrier();
        }
        assertEquals(List.of(), s.values);
        assertEquals(0, s.terminals.get(), "nothing signalled after cancel");
        write("after"); // nobody reads it: the cancelled read never ran
        TestSubscriber<UringBuffer> next = new TestSubscriber<>(1);
        read(linked).subscribe(next);
        assertTrue(next.await());
        UringBuffer got = next.values.getFirst();
        try {
            assertEquals("after", new String(got.toByteArray(), StandardCharsets.UTF_8));
        } finally {
            got.release();
        }
    }

    @Test
    void aTimeoutWhileThePollWaitsIsATimeoutError() throws Exception {
        TestSubscriber<UringBuffer> s = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, FileCalls.readStream(pipe.readFd(), 64, allocator, UringBuffer::release),
                OpOptions.DEFAULT.withLinkTimeout(Duration.ofMillis(30))).subscribe(s);
        assertTrue(s.await());
        assertInstanceOf(UringTimeoutException.class, s.error);
        assertEquals(1, s.terminals.get());
    }
}
