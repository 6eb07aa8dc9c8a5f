package io.reactiveuring.reactor;

import io.reactiveuring.core.reactive.FdKind;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringLinkBrokenException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.OpCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static io.reactiveuring.reactor.Fixtures.text;
import static org.junit.jupiter.api.Assertions.*;

/** Every op ReactorUring offers, end to end on a real ring: results byte-exact, errors with errno and op. */
class ReactorUringOpsTest {
    long fdsBefore;
    ReactorUring ring;
    UringLoop loop;
    Fixtures fx;

    @BeforeEach
    void start() {
        Fixtures.requireUring();
        fdsBefore = Fixtures.openIoFds();
        ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("reactor-ops-test"));
        loop = ring.loops().getFirst();
        fx = new Fixtures();
    }

    @AfterEach
    void stop() throws Exception {
        if (ring == null) {
            return;
        }
        ring.dispose();
        assertTrue(ring.awaitTermination(TIMEOUT));
        assertEquals(0, loop.staleCompletions());
        assertEquals(0, loop.inFlight());
        fx.close();
        assertEquals(fdsBefore, Fixtures.openIoFds(), "no fd leaked");
    }

    /** Waits until the loop has processed everything handed over so far. */
    void barrier() {
        assertEquals(0, ring.nop().block(TIMEOUT));
    }

    @Test
    void nopEmitsZeroOnTheLoopThread() {
        StepVerifier.create(ring.nop().map(v -> loop.inLoop() ? v : -1))
                .expectNext(0)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void writeThenReadThroughAPipeIsByteExact() {
        int[] p = fx.pipe();
        MemorySegment out = fx.bytes("hello, io_uring");
        MemorySegment in = fx.arena.allocate(64);
        StepVerifier.create(ring.write(p[1], out, -1, FdKind.POLLABLE)).expectNext(15).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.read(p[0], in, -1, FdKind.POLLABLE)).expectNext(15).expectComplete().verify(TIMEOUT);
        assertEquals("hello, io_uring", text(in, 15));
    }

    @Test
    void regularFileWritesAtOffsetsAndReadsBackByteExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        int fd = fx.open(ring, file, Fixtures.O_RDWR | Fixtures.O_CREAT);
        StepVerifier.create(ring.write(fd, fx.bytes("0123456789"), 0, FdKind.REGULAR_FILE))
                .expectNext(10).expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.write(fd, fx.bytes("AB"), 4, FdKind.REGULAR_FILE))
                .expectNext(2).expectComplete().verify(TIMEOUT);
        MemorySegment in = fx.arena.allocate(5);
        StepVerifier.create(ring.read(fd, in, 2, FdKind.REGULAR_FILE)).expectNext(5).expectComplete().verify(TIMEOUT);
        assertEquals("23AB6", text(in, 5));
        StepVerifier.create(ring.read(fd, in, 10, FdKind.REGULAR_FILE))
                .expectNext(0).as("end of file").expectComplete().verify(TIMEOUT);
        StepVerifier.create(ring.fsync(fd)).expectNext(0).expectComplete().verify(TIMEOUT);
        assertEquals("0123AB6789", Files.readString(file));
    }

    @Test
    void kernelTimerCompletesEmptyNoEarlierThanItsDelay() {
        Duration delay = Duration.ofMillis(40);
        long start = System.nanoTime();
        StepVerifier.create(ring.timer(delay)).expectComplete().verify(TIMEOUT);
        assertTrue(System.nanoTime() - start >= delay.toNanos(), "fired after its delay");
    }

    @Test
    void pollEmitsTheReadyMaskOnceDataArrives() {
        int[] p = fx.pipe();
        StepVerifier.create(ring.poll(p[0], Poll.POLLIN))
                .then(() -> {
                    barrier();
                    fx.writeAll(p[1], "x");
                })
                .assertNext(mask -> assertEquals(Poll.POLLIN, mask & Poll.POLLIN))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void asyncCancelByFdThroughTheGenericOpCancelsThePendingRead() {
        int[] p = fx.pipe();
        MemorySegment in = fx.arena.allocate(16);
        StepVerifier.create(ring.read(p[0], in, -1, FdKind.POLLABLE))
                .then(() -> {
                    barrier();
                    StepVerifier.create(ring.op(OpSpec.asyncCancelFd(p[0])))
                            .expectNext(1).as("one request cancelled").expectComplete().verify(TIMEOUT);
                })
                .expectError(UringCancelledException.class)
                .verify(TIMEOUT);
    }

    @Test
    void eachSubscriptionGetsAFreshCallReleasedAfterItsCompletion() {
        AtomicInteger made = new AtomicInteger();
        AtomicInteger released = new AtomicInteger();
        var nop = ring.op(() -> {
            made.incrementAndGet();
            return new OpCall<String>() {
                @Override
                public OpSpec spec() {
                    return OpSpec.nop();
                }

                @Override
                public String result(int res, int flags) {
                    return "res=" + res;
                }

                @Override
                public void release() {
                    released.incrementAndGet();
                }
            };
        });
        StepVerifier.create(nop).expectNext("res=0").expectComplete().verify(TIMEOUT);
        StepVerifier.create(nop).expectNext("res=0").expectComplete().verify(TIMEOUT);
        assertEquals(2, made.get(), "subscribing twice submits twice");
        assertEquals(2, released.get());
    }

    @Test
    void negativeResultIsUringExceptionWithErrnoAndOp() {
        int[] p = fx.pipe();
        int closed = p[1];
        LibC.close(closed);
        fx.forget(closed);
        StepVerifier.create(ring.write(closed, fx.bytes("lost"), -1, FdKind.POLLABLE))
                .expectErrorSatisfies(e -> {
                    UringException u = assertInstanceOf(UringException.class, e);
                    assertEquals(Errno.EBADF, u.errno());
                    assertEquals("EBADF (9) from WRITE fd=" + closed, u.getMessage());
                })
                .verify(TIMEOUT);
    }

    @Test
    void badArgumentsFailAtTheCallAndNeverReachTheKernel() {
        MemorySegment native8 = fx.arena.allocate(8);
        barrier();
        long submitted = loop.submittedOperations();
        assertThrows(IllegalArgumentException.class, () -> ring.read(-1, native8, -1, FdKind.POLLABLE));
        assertThrows(IllegalArgumentException.class,
                () -> ring.read(0, MemorySegment.ofArray(new byte[8]), -1, FdKind.POLLABLE), "heap memory");
        assertThrows(IllegalArgumentException.class, () -> ring.write(1, native8, -2, FdKind.REGULAR_FILE));
        assertThrows(NullPointerException.class, () -> ring.read(0, native8, 0, null));
        assertThrows(NullPointerException.class, () -> ring.read(0, null, 0, FdKind.REGULAR_FILE));
        assertThrows(IllegalArgumentException.class, () -> ring.timer(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> ring.fsync(-3));
        assertThrows(IllegalArgumentException.class, () -> ring.poll(-1, Poll.POLLIN));
        assertThrows(IllegalArgumentException.class, () -> ring.linked());
        assertThrows(IllegalArgumentException.class, () -> ring.withTimeout(Duration.ZERO));
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
    }

    @Test
    void linkedWriteThenFsyncEmitsBothResults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("linked");
        int fd = fx.open(ring, file, Fixtures.O_RDWR | Fixtures.O_CREAT);
        MemorySegment data = fx.bytes("linked write");
        StepVerifier.create(ring.linked(OpSpec.write(fd, data, 0), OpSpec.builder(
                        io.reactiveuring.core.linux.IoUring.IORING_OP_FSYNC).fd(fd).build()))
                .expectNext(12, 0)
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals("linked write", Files.readString(file));
    }

    @Test
    void aShortReadBreaksTheLinkAndTheNextOpReportsLinkBroken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("short");
        Files.writeString(file, "tiny");
        int fd = fx.open(ring, file, Fixtures.O_RDONLY);
        MemorySegment in = fx.arena.allocate(100);
        StepVerifier.create(ring.linked(OpSpec.read(fd, in, 0), OpSpec.nop()))
                .expectNext(4)
                .expectError(UringLinkBrokenException.class)
                .verify(TIMEOUT);
        assertEquals("tiny", text(in, 4));
    }

    @Test
    void linkedChainFollowsDemand() {
        StepVerifier.create(ring.linked(OpSpec.nop(), OpSpec.nop(), OpSpec.nop()), 1)
                .expectNext(0)
                .expectNoEvent(Duration.ZERO)
                .thenRequest(2)
                .expectNext(0, 0)
                .expectComplete()
                .verify(TIMEOUT);
    }
}
