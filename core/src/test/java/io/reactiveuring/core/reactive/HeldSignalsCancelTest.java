package io.reactiveuring.core.reactive;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A subscriber that requests and then cancels inside {@code onSubscribe}, after the op already completed: the
 * completion is held until {@code onSubscribe} returns, and the cancel must turn it into a discard (the value to the
 * discard path, never to {@code onNext}). And after the loop ended, ops that allocate fail with the cancellation,
 * never with the allocator's "closed".
 */
class HeldSignalsCancelTest {
    UringLoop loop;
    BufferAllocator allocator;
    Pipe pipe;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("held-signals"));
        allocator = BufferAllocator.pooled();
        pipe = Pipe.open();
    }

    @AfterEach
    void stop() {
        loop.close();
        assertEquals(0, loop.inFlight());
        assertEquals(0, loop.staleCompletions());
        pipe.close();
        assertEquals(0, allocator.liveBuffers(), "buffers left live");
        allocator.close();
    }

    /** Waits (round trips to the loop, no sleep) until no user op is in flight any more. */
    private void awaitNothingInFlight() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!loop.inFlightSnapshot().get(10, TimeUnit.SECONDS).stream().allMatch(UringLoop.InFlightOp::internal)) {
            assertTrue(System.nanoTime() < deadline, "the read never completed");
        }
    }

    /** A NOP round trip: everything handed to the loop before it has run when it returns. */
    private void barrier() throws Exception {
        TestSubscriber<Integer> nop = new TestSubscriber<>(1);
        new OneShotPublisher<>(loop, ControlCalls.nop()).subscribe(nop);
        assertTrue(nop.await());
    }

    @Test
    void cancelInsideOnSubscribeAfterTheOpCompletedDiscardsTheValueInsteadOfDeliveringIt() throws Exception {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        assertEquals(hello.length, pipeWrite(hello));
        List<String> discarded = new CopyOnWriteArrayList<>();
        OneShotPublisher<UringBuffer> read = new OneShotPublisher<>(loop,
                FileCalls.readStream(pipe.readFd(), 16, allocator, b -> {
                    discarded.add(new String(b.toByteArray(), StandardCharsets.UTF_8));
                    b.release();
                }));
        TestSubscriber<UringBuffer> subscriber = new TestSubscriber<>(0) {
            @Override
            public void onSubscribe(Subscription s) {
                super.onSubscribe(s);
                s.request(1);
                try {
                    awaitNothingInFlight(); // the read has completed while onSubscribe still runs
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                s.cancel();
            }
        };

        read.subscribe(subscriber); // from the test thread: signals are held until onSubscribe returns
        barrier();

        assertEquals(List.of(), subscriber.values, "no value after cancel");
        assertEquals(0, subscriber.terminals.get(), "no terminal signal after cancel");
        assertEquals(List.of("hello"), discarded, "the value went to the discard path, once");
    }

    @Test
    void afterTheLoopEndedOpsThatAllocateFailWithTheCancellationNotTheClosedAllocator() throws Exception {
        loop.close();
        allocator.close(); // as ReactorUring does once its rings have ended
        List<OneShotPublisher<?>> ops = List.of(
                new OneShotPublisher<>(loop, FileCalls.readStream(pipe.readFd(), 16, allocator, UringBuffer::release)),
                new OneShotPublisher<>(loop, FileCalls.read(pipe.readFd(), 16, 0, allocator, UringBuffer::release)),
                new OneShotPublisher<>(loop, NetCalls.recv(pipe.readFd(), 16, allocator, UringBuffer::release)),
                new OneShotPublisher<>(loop, FileCalls.openat(-100, "/etc/hostname", 0, 0, BufferAllocator.pooled())),
                new OneShotPublisher<>(loop, ControlCalls.nop()));
        for (OneShotPublisher<?> op : ops) {
            TestSubscriber<Object> s = new TestSubscriber<>(1);
            op.subscribe(s);
            assertTrue(s.await());
            assertInstanceOf(UringCancelledException.class, s.error, () -> "got " + s.error);
            assertEquals(1, s.terminals.get());
        }
    }

    private long pipeWrite(byte[] bytes) {
        UringBuffer b = allocator.copyOf(bytes);
        try {
            return io.reactiveuring.core.binding.LibC.write(pipe.writeFd(), b.readableSegment(), bytes.length);
        } finally {
            b.release();
        }
    }
}
