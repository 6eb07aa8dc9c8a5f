package io.reactiveuring.rxjava;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.UringLinkBrokenException;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.ops.RingMailbox;
import io.reactiveuring.core.reactive.FdKind;
import io.reactiveuring.core.reactive.OpCall;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Control ops, the generic ops and linked chains as RxJava types: nop, poll, timer, kernel-side timeouts, cancel by
 * fd, MSG_RING, any SQE, any call, linked chains with their demand and broken links.
 */
class RxControlOpsTest extends RxTestBase {

    @Test
    void nopIsACompletableThatCompletesOnTheLoopThread() {
        AtomicInteger onLoop = new AtomicInteger();
        rx.nop().doOnComplete(() -> onLoop.set(loop.inLoop() ? 1 : -1)).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        assertEquals(1, onLoop.get(), "completed on the loop thread");
    }

    @Test
    void pollEmitsTheReadyMaskOnceThePipeIsReadable() throws Exception {
        Pipe p = pipe();
        TestObserver<Integer> readable = rx.poll(p.readFd(), Poll.POLLIN).test();
        barrier();
        readable.assertEmpty();
        writeAll(p.writeFd(), "x");
        int mask = readable.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete().values().getFirst();
        assertEquals(Poll.POLLIN, mask & (Poll.POLLIN | Poll.POLLOUT));
        int writable = rx.poll(p.writeFd(), Poll.POLLOUT).blockingGet();
        assertEquals(Poll.POLLOUT, writable & (Poll.POLLIN | Poll.POLLOUT));
    }

    @Test
    void timerCompletesNoEarlierThanItsDelay() {
        Duration delay = Duration.ofMillis(30);
        long start = System.nanoTime();
        rx.timer(delay).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
        assertTrue(System.nanoTime() - start >= delay.toNanos(), "fired after its delay");
    }

    @Test
    void aKernelSideTimeoutCutsAnOpShortWithETIME() {
        rx.withTimeout(Duration.ofMillis(20)).timer(Duration.ofSeconds(30)).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(e -> e instanceof UringTimeoutException && UringError.errnoOf(e) == Errno.ETIME);
        Pipe p = pipe();
        rx.withTimeout(Duration.ofMillis(20)).readStream(p.readFd(), 8).test()
                .awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertError(UringTimeoutException.class);
        assertEquals(0, allocator.liveBuffers(), "the timed-out read released its buffer");
    }

    @Test
    void cancelFdCancelsEveryPendingOpOnTheFdAndTheirBuffersAreReleased() throws Exception {
        Pipe p = pipe();
        TestObserver<UringBuffer> first = rx.readStream(p.readFd(), 16).test();
        TestObserver<UringBuffer> second = rx.readStream(p.readFd(), 16).test();
        barrier();
        assertEquals(2, allocator.liveBuffers(), "both reads wait in the kernel");
        rx.cancelFd(p.readFd()).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(2);
        for (TestObserver<UringBuffer> read : java.util.List.of(first, second)) {
            read.awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                    .assertError(e -> UringCancelledException.isCancellation(e)
                            && UringError.errnoOf(e) == Errno.ECANCELED);
        }
        assertEquals(0, allocator.liveBuffers(), "released before the cancellation was signalled");
        rx.cancelFd(p.readFd()).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(0);
    }

    @Test
    void messageReachesAMailboxOnAnotherRing() throws Exception {
        CompletableFuture<Integer> received = new CompletableFuture<>();
        CompletableFuture<Boolean> onTargetThread = new CompletableFuture<>();
        try (UringLoop target = new UringLoop(LoopOptions.defaults().withThreadName("rx-mailbox-ring"))) {
            RingMailbox mailbox = new RingMailbox(value -> {
                onTargetThread.complete(target.inLoop());
                received.complete(value);
            });
            RingMailbox.Address address = mailbox.open(target).get(TIMEOUT_S, TimeUnit.SECONDS);
            rx.message(address, 42).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult();
            assertEquals(42, received.get(TIMEOUT_S, TimeUnit.SECONDS));
            assertTrue(onTargetThread.get());
            mailbox.close();
            mailbox.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    @Test
    void anySqeEmitsItsRes() throws Exception {
        Pipe p = pipe();
        TestObserver<Integer> read = rx.read(p.readFd(), arena.allocate(16), -1, FdKind.POLLABLE).test();
        barrier();
        rx.op(OpSpec.asyncCancelFd(p.readFd())).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertResult(1); // one request cancelled
        read.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertError(UringCancelledException.class);
    }

    @Test
    void anyCallGetsAFreshCallPerSubscriptionReleasedAfterItsCompletion() {
        AtomicInteger made = new AtomicInteger();
        AtomicInteger released = new AtomicInteger();
        Single<String> nop = rx.op(() -> {
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
        assertEquals(0, made.get(), "nothing happens before subscribe");
        nop.test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult("res=0");
        nop.test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult("res=0");
        assertEquals(2, made.get(), "subscribing twice submits twice");
        assertEquals(2, released.get());
    }

    @Test
    void linkedWriteThenFsyncEmitsBothResults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("linked");
        int fd = track(rx.open(file, FileFlags.O_RDWR | FileFlags.O_CREAT, 0600).blockingGet());
        MemorySegment data = bytes("linked write");
        rx.linked(OpSpec.write(fd, data, 0),
                        OpSpec.builder(io.reactiveuring.core.linux.IoUring.IORING_OP_FSYNC).fd(fd).build())
                .test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(12, 0);
        assertEquals("linked write", Files.readString(file));
    }

    @Test
    void aShortReadBreaksTheLinkAndTheNextOpReportsLinkBroken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("short");
        Files.writeString(file, "tiny");
        int fd = track(rx.open(file, FileFlags.O_RDONLY, 0).blockingGet());
        MemorySegment in = arena.allocate(100);
        rx.linked(OpSpec.read(fd, in, 0), OpSpec.nop()).test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS)
                .assertFailure(UringLinkBrokenException.class, 4);
        assertEquals("tiny", ascii(in, 4));
    }

    @Test
    void aLinkedChainFollowsDemand() throws Exception {
        TestSubscriber<Integer> chain = rx.linked(OpSpec.nop(), OpSpec.nop(), OpSpec.nop()).test(0);
        barrier();
        chain.assertEmpty(); // nothing submitted before a request
        chain.request(1);
        chain.awaitCount(1);
        barrier(); // every CQE of the chain is in by now
        chain.assertValuesOnly(0);
        chain.request(2);
        chain.awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertResult(0, 0, 0);
    }

    @Test
    void badArgumentsFailAtTheCallAndNeverReachTheKernel() throws Exception {
        MemorySegment native8 = arena.allocate(8);
        barrier();
        long submitted = loop.submittedOperations();
        assertThrows(IllegalArgumentException.class, () -> rx.read(-1, native8, -1, FdKind.POLLABLE));
        assertThrows(IllegalArgumentException.class,
                () -> rx.read(0, MemorySegment.ofArray(new byte[8]), -1, FdKind.POLLABLE), "heap memory");
        assertThrows(NullPointerException.class, () -> rx.read(0, native8, 0, null));
        assertThrows(IllegalArgumentException.class, () -> rx.poll(-1, Poll.POLLIN));
        assertThrows(IllegalArgumentException.class, () -> rx.poll(0, 0), "no events");
        assertThrows(IllegalArgumentException.class, () -> rx.pollMultishot(-1, Poll.POLLIN));
        assertThrows(IllegalArgumentException.class, () -> rx.timer(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> rx.timer(null));
        assertThrows(IllegalArgumentException.class, () -> rx.cancelFd(-1));
        assertThrows(NullPointerException.class, () -> rx.message(null, 1));
        assertThrows(NullPointerException.class, () -> rx.multishot(null));
        assertThrows(IllegalArgumentException.class, () -> rx.linked());
        assertThrows(IllegalArgumentException.class, () -> rx.withTimeout(Duration.ZERO));
        barrier();
        assertEquals(submitted + 1, loop.submittedOperations(), "only the barrier NOP was submitted");
    }
}
