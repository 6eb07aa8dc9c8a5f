package io.reactiveuring.reactor;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.SocketPair;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.test.StepVerifier;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Regression tests for defects an outside suite found in the Reactor shell: a value delivered after a cancel made
 * inside {@code onSubscribe}, and the wrong error for ops subscribed after {@code dispose()}.
 */
class DefectRegressionTest {

    @Test
    void cancelInsideOnSubscribeAfterTheReadCompletedSendsTheBufferToTheDiscardHookNotToOnNext() throws Exception {
        Fixtures.requireUring();
        LeakDetector leaks = new LeakDetector();
        BufferAllocator allocator = BufferAllocator.pooled(leaks);
        ReactorUring ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("defect-1"), allocator);
        UringLoop loop = ring.loops().getFirst();
        try (Pipe pipe = Pipe.open(); Fixtures fx = new Fixtures()) {
            fx.writeAll(pipe.writeFd(), "hello");
            List<String> discarded = new CopyOnWriteArrayList<>();
            List<Object> signals = new CopyOnWriteArrayList<>();
            ring.readStream(pipe.readFd(), 16)
                    .doOnDiscard(UringBuffer.class, b -> {
                        discarded.add(new String(b.toByteArray(), StandardCharsets.UTF_8));
                        b.release();
                    })
                    .subscribe(new BaseSubscriber<UringBuffer>() {
                        @Override
                        protected void hookOnSubscribe(Subscription s) {
                            s.request(1);
                            awaitNothingInFlight(loop); // completed while onSubscribe still runs
                            s.cancel();
                        }

                        @Override
                        protected void hookOnNext(UringBuffer value) {
                            signals.add(value);
                            value.release();
                        }

                        @Override
                        protected void hookFinally(SignalType type) {
                            if (type != SignalType.CANCEL) {
                                signals.add(type);
                            }
                        }
                    });
            assertEquals(0, ring.nop().block(TIMEOUT)); // the held outcome was handled before this round trip

            assertEquals(List.of(), signals, "nothing signalled after cancel");
            assertEquals(List.of("hello"), discarded, "the buffer went to the context's discard hook");
        } finally {
            ring.dispose();
            assertTrue(ring.awaitTermination(TIMEOUT));
        }
        leaks.assertNoLeaks();
    }

    @Test
    void everyOpSubscribedAfterDisposeFailsWithTheCancellationWhateverItAllocates() throws Exception {
        Fixtures.requireUring();
        ReactorUring ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("defect-2"));
        try (Pipe pipe = Pipe.open(); SocketPair pair = SocketPair.open()) {
            UringBuffer data = ring.allocator().copyOf(new byte[] {1, 2, 3});
            ring.dispose();
            assertTrue(ring.awaitTermination(TIMEOUT));
            assertTrue(ring.allocator().isClosed(), "the allocator closes with the rings");
            int r = pipe.readFd();
            int w = pipe.writeFd();
            int s = pair.first();
            Map<String, Supplier<Mono<?>>> ops = new java.util.LinkedHashMap<>();
            ops.put("read", () -> ring.read(r, 16, 0));
            ops.put("readStream", () -> ring.readStream(r, 16));
            ops.put("write(byte[])", () -> ring.write(w, new byte[] {1}, 0));
            ops.put("write(ByteBuffer)", () -> ring.write(w, ByteBuffer.wrap(new byte[] {1}), 0));
            ops.put("write(UringBuffer)", () -> ring.write(w, data, 0));
            ops.put("writeStream(byte[])", () -> ring.writeStream(w, new byte[] {1}));
            ops.put("recv", () -> ring.recv(s, 16));
            ops.put("recvmsg", () -> ring.recvmsg(s, 16));
            ops.put("send(byte[])", () -> ring.send(s, new byte[] {1}));
            ops.put("send(ByteBuffer)", () -> ring.send(s, ByteBuffer.wrap(new byte[] {1})));
            ops.put("sendmsg(byte[])", () -> ring.sendmsg(s, null, new byte[] {1}));
            ops.put("readv", () -> ring.readv(r, 0, data));
            ops.put("writev", () -> ring.writev(w, 0, data));
            ops.put("openat", () -> ring.open(Path.of("/etc/hostname"), Fixtures.O_RDONLY, 0));
            ops.put("statx", () -> ring.statx(-100, "/etc/hostname", 0, 0x7ff));
            ops.put("connect", () -> ring.connect(s, new InetSocketAddress("127.0.0.1", 9)));
            ops.put("accept", () -> ring.accept(s));
            ops.put("nop", ring::nop);
            ops.put("timer", () -> ring.timer(Duration.ofMillis(1)));
            ops.forEach((name, op) -> StepVerifier.create(op.get())
                    .expectErrorSatisfies(e -> assertInstanceOf(UringCancelledException.class, e,
                            () -> name + " failed with " + e))
                    .verify(TIMEOUT));
            StepVerifier.create(ring.acceptMultishot(s)).expectError(UringCancelledException.class).verify(TIMEOUT);
            StepVerifier.create(ring.pollMultishot(r, 1)).expectError(UringCancelledException.class).verify(TIMEOUT);
            StepVerifier.create(ring.linked(io.reactiveuring.core.engine.OpSpec.nop()))
                    .expectError(UringCancelledException.class).verify(TIMEOUT);
            data.release();
        }
    }

    private static void awaitNothingInFlight(UringLoop loop) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (!loop.inFlightSnapshot().get(10, TimeUnit.SECONDS).stream()
                    .allMatch(UringLoop.InFlightOp::internal)) {
                assertTrue(System.nanoTime() < deadline, "the read never completed");
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
