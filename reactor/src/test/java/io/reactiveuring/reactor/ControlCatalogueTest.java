package io.reactiveuring.reactor;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.ops.RingMailbox;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/** Readiness, timers and control ops through ReactorUring: nop, one-shot poll, timer, cancel by fd, MSG_RING. */
class ControlCatalogueTest extends CatalogueTestBase {

    @Test
    void nopEmitsZero() {
        StepVerifier.create(ring.nop()).expectNext(0).expectComplete().verify(TIMEOUT);
    }

    @Test
    void pollEmitsTheReadyMaskOnceThePipeIsReadable() {
        int[] p = fx.pipe();
        StepVerifier.create(ring.poll(p[0], Poll.POLLIN))
                .then(() -> {
                    barrier();
                    fx.writeAll(p[1], "x");
                })
                .assertNext(mask -> assertEquals(Poll.POLLIN, mask & (Poll.POLLIN | Poll.POLLOUT)))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(ring.poll(p[1], Poll.POLLOUT))
                .assertNext(mask -> assertEquals(Poll.POLLOUT, mask & (Poll.POLLIN | Poll.POLLOUT)))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void timerCompletesEmptyNoEarlierThanItsDelay() {
        Duration delay = Duration.ofMillis(30);
        long start = System.nanoTime();
        StepVerifier.create(ring.timer(delay)).expectComplete().verify(TIMEOUT);
        assertTrue(System.nanoTime() - start >= delay.toNanos());
    }

    @Test
    void timerCutShortByAKernelSideTimeoutIsUringTimeoutException() {
        StepVerifier.create(ring.withTimeout(Duration.ofMillis(20)).timer(Duration.ofSeconds(30)))
                .expectErrorSatisfies(e -> {
                    UringTimeoutException t = assertInstanceOf(UringTimeoutException.class, e);
                    assertEquals(Errno.ETIME, t.errno());
                })
                .verify(TIMEOUT);
    }

    @Test
    void cancelFdCancelsEveryPendingOpOnTheFdAndTheirBuffersAreReleased() throws Exception {
        int[] p = fx.pipe();
        CompletableFuture<UringBuffer> first = ring.readStream(p[0], 16).toFuture();
        CompletableFuture<UringBuffer> second = ring.readStream(p[0], 16).toFuture();
        barrier();
        assertEquals(2, allocator.liveBuffers(), "both reads wait in the kernel");
        StepVerifier.create(ring.cancelFd(p[0])).expectNext(2).as("two requests cancelled").expectComplete()
                .verify(TIMEOUT);
        for (CompletableFuture<UringBuffer> read : List.of(first, second)) {
            Throwable error = assertThrows(ExecutionException.class,
                    () -> read.get(10, TimeUnit.SECONDS)).getCause();
            assertTrue(UringCancelledException.isCancellation(error), "cancelled: " + error);
        }
        assertEquals(0, allocator.liveBuffers(), "released before the cancellation was signalled");
        StepVerifier.create(ring.cancelFd(p[0])).expectNext(0).as("nothing left on the fd").expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void messageReachesAMailboxOnAnotherRing() throws Exception {
        CompletableFuture<Integer> received = new CompletableFuture<>();
        CompletableFuture<Boolean> onTargetThread = new CompletableFuture<>();
        try (UringLoop target = new UringLoop(LoopOptions.defaults().withThreadName("mailbox-ring"))) {
            RingMailbox mailbox = new RingMailbox(value -> {
                onTargetThread.complete(target.inLoop());
                received.complete(value);
            });
            RingMailbox.Address address = mailbox.open(target).get(10, TimeUnit.SECONDS);
            StepVerifier.create(ring.message(address, 42)).expectNext(0).expectComplete().verify(TIMEOUT);
            assertEquals(42, received.get(10, TimeUnit.SECONDS));
            assertTrue(onTargetThread.get());
            mailbox.close();
            mailbox.closed().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void badArgumentsFailAtTheCallAndNeverReachTheKernel() {
        barrier();
        long submitted = loop.submittedOperations();
        assertThrows(IllegalArgumentException.class, () -> ring.poll(-1, Poll.POLLIN));
        assertThrows(IllegalArgumentException.class, () -> ring.poll(0, 0), "no events");
        assertThrows(IllegalArgumentException.class, () -> ring.pollMultishot(-1, Poll.POLLIN));
        assertThrows(IllegalArgumentException.class, () -> ring.pollMultishot(0, 0x10000), "not a POLL* bit");
        assertThrows(IllegalArgumentException.class, () -> ring.timer(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> ring.timer(null));
        assertThrows(IllegalArgumentException.class, () -> ring.cancelFd(-1));
        assertThrows(NullPointerException.class, () -> ring.message(null, 1));
        assertThrows(NullPointerException.class, () -> ring.multishot(null));
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
    }
}
