package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input: the kernel's answer where only the kernel can know (an fd that is not open), and typed Java
 * exceptions at the API boundary for everything that can be checked before a syscall.
 */
class BadInputTest {
    /** Above this process's RLIMIT_NOFILE (see {@code ulimit -n}), so no fd of that number can be open. */
    private static final int NEVER_OPEN_FD = 1 << 24;

    UringLoop loop;
    Arena arena;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("bad-input"));
        arena = Arena.ofShared();
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
            assertEquals(0, loop.quarantinedOperations(), "quarantined operations");
        }
        if (arena != null) {
            arena.close();
        }
    }

    @Test
    void readOnFdThatIsNotOpenCompletesWithEbadf() throws Exception {
        OpSpec spec = OpSpec.read(NEVER_OPEN_FD, arena.allocate(8), 0);
        int res = Ops.run(loop, spec);
        assertEquals(-Errno.EBADF, res);
        assertEquals("EBADF (9) from READ fd=" + NEVER_OPEN_FD, UringException.of(res, spec.describe()).getMessage());
    }

    @Test
    void readOnClosedPipeFdCompletesWithEbadf() throws Exception {
        TestPipe pipe = new TestPipe();
        pipe.close();
        // the number is free now; nothing in this test opens fds concurrently, so it stays closed
        assertEquals(-Errno.EBADF, Ops.run(loop, OpSpec.read(pipe.readFd, arena.allocate(8), -1)));
    }

    @Test
    void negativeFdsAreRefusedBeforeTheKernel() {
        MemorySegment buf = arena.allocate(8);
        assertThrows(IllegalArgumentException.class, () -> OpSpec.read(-1, buf, 0));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.write(-7, buf, 0));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.pollAdd(-1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.asyncCancelFd(-1));
    }

    @Test
    void lengthsOutsideTheKernelsRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OpSpec.checkLength(-1));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.checkLength(1L << 31));
        assertEquals(Integer.MAX_VALUE, OpSpec.checkLength(Integer.MAX_VALUE));
        // a native segment of 3 GiB (never touched: only its size matters)
        MemorySegment huge = arena.allocate(8).reinterpret(3L << 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpSpec.read(0, huge, 0));
        assertTrue(e.getMessage().contains(String.valueOf(3L << 30)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpSpec.read(0, arena.allocate(8), -2));
    }

    @Test
    void heapAndClosedMemoryIsRefused() {
        IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                () -> OpSpec.read(0, MemorySegment.ofArray(new byte[16]), 0));
        assertTrue(heap.getMessage().contains("native memory"), heap.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> OpSpec.write(0, MemorySegment.ofBuffer(java.nio.ByteBuffer.allocate(16)), 0));
        Arena closed = Arena.ofConfined();
        MemorySegment gone = closed.allocate(16);
        closed.close();
        assertThrows(IllegalStateException.class, () -> OpSpec.read(0, gone, 0));
    }

    @Test
    void specWhoseBufferWasFreedBeforeSubmitIsRefused() throws Exception {
        try (TestPipe pipe = new TestPipe()) {
            Arena shortLived = Arena.ofConfined();
            OpSpec spec = OpSpec.read(pipe.readFd, shortLived.allocate(64), -1);
            shortLived.close();
            pipe.write(new byte[64]); // the kernel would write these into freed memory at once
            RecordingOperation op = new RecordingOperation(spec);
            assertThrows(IllegalStateException.class, () -> loop.submit(op));
            assertThrows(IllegalStateException.class, () -> loop.submit(new RecordingOperation(spec)));
            assertFalse(op.done.isDone());
        }
    }

    @Test
    void nullsAreRefusedWithNullPointerException() {
        assertThrows(NullPointerException.class, () -> OpSpec.read(0, null, 0));
        assertThrows(NullPointerException.class, () -> OpSpec.timeout(null, 0));
        assertThrows(NullPointerException.class, () -> new RecordingOperation(null));
        assertThrows(NullPointerException.class, () -> new RecordingOperation(OpSpec.nop()).spec(null));
        assertThrows(NullPointerException.class, () -> loop.submit(null));
        assertThrows(NullPointerException.class, () -> loop.submitLinked((UringOperation[]) null));
        assertThrows(NullPointerException.class,
                () -> loop.submitLinked(new RecordingOperation(OpSpec.nop()), null));
        assertThrows(NullPointerException.class, () -> loop.execute(null));
        assertThrows(NullPointerException.class, () -> loop.cancel(null, r -> { }));
    }

    @Test
    void operationWithoutSpecOrWithEmptyChainIsRefused() {
        UringOperation noSpec = new UringOperation() {
            @Override
            protected void onCompletion(int res, int flags) {
                fail("must not complete");
            }
        };
        assertThrows(IllegalArgumentException.class, () -> loop.submit(noSpec));
        assertThrows(IllegalArgumentException.class, () -> loop.submitLinked());
    }

    @Test
    void negativeTimeoutsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OpSpec.timeout(Duration.ofMillis(-1), 0));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.timeout(Duration.ofMillis(1), -1));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.linkTimeout(Duration.ofMillis(-1)));
    }

    @Test
    void chainThatCouldNeverGetEnoughSlotsIsRefused() throws Exception {
        try (UringLoop small = new UringLoop(LoopOptions.defaults().withQueues(8, 16).withMaxInFlight(2)
                .withThreadName("small"))) {
            RecordingOperation[] chain = {new RecordingOperation(OpSpec.nop()),
                new RecordingOperation(OpSpec.nop()), new RecordingOperation(OpSpec.nop())};
            assertThrows(IllegalArgumentException.class, () -> small.submitLinked(chain));
            // and the loop is not wedged: a chain that fits still runs
            RecordingOperation a = new RecordingOperation(OpSpec.nop());
            RecordingOperation b = new RecordingOperation(OpSpec.nop());
            small.submitLinked(a, b);
            assertEquals(0, a.awaitRes());
            assertEquals(0, b.awaitRes());
        }
    }

    @Test
    void opcodeTheKernelLacksIsRefusedNamingTheOp() {
        RecordingOperation op = new RecordingOperation(OpSpec.of((byte) 200));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.submit(op));
        assertTrue(e.getMessage().contains("OP_200"), e.getMessage());
        assertFalse(op.done.isDone());
        assertThrows(IllegalArgumentException.class,
                () -> loop.submitLinked(new RecordingOperation(OpSpec.nop()), op));
    }

    @Test
    void specThatWouldSuppressItsCompletionIsRefused() {
        // without a CQE the engine could never free the slot nor deliver the final completion
        RecordingOperation op = new RecordingOperation(OpSpec.nop().withSqeFlags(IoUring.IOSQE_CQE_SKIP_SUCCESS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.submit(op));
        assertTrue(e.getMessage().contains("CQE_SKIP_SUCCESS"), e.getMessage());
    }

    @Test
    void linkFlagInASingleSpecDoesNotChainItToUnrelatedOps() throws Exception {
        try (TestPipe pipe = new TestPipe()) {
            RecordingOperation read = new RecordingOperation(
                    OpSpec.read(pipe.readFd, arena.allocate(8), -1).withSqeFlags(IoUring.IOSQE_IO_LINK));
            RecordingOperation nop = new RecordingOperation(OpSpec.nop());
            // both in the same io_uring_enter (links only form within one batch): the NOP must not wait for the
            // pending read
            loop.execute(() -> {
                loop.submit(read);
                loop.submit(nop);
            });
            assertEquals(0, nop.awaitRes());
            assertFalse(read.done.isDone());
            pipe.write(new byte[] {9});
            assertEquals(1, read.awaitRes());
        }
    }

    @Test
    void registerFromAnotherThreadIsRefused() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.register(IoUring.IORING_REGISTER_PROBE, arena.allocate(16), 0));
        assertTrue(e.getMessage().contains("loop thread"), e.getMessage());
        // on the loop thread it reaches the kernel (which refuses nr_args == 0 for a probe with EINVAL)
        CompletableFuture<Integer> onLoop = new CompletableFuture<>();
        loop.execute(() -> onLoop.complete(loop.register(IoUring.IORING_REGISTER_PROBE, arena.allocate(16), 0)));
        assertTrue(onLoop.get(10, TimeUnit.SECONDS) < 0 || onLoop.get() == 0);
    }

    @Test
    void submitAfterCloseCompletesWithEcanceled() throws Exception {
        loop.close();
        RecordingOperation op = new RecordingOperation(OpSpec.nop());
        loop.submit(op);
        assertEquals(-Errno.ECANCELED, op.awaitRes());
        assertEquals(UringOperation.FLAG_LOOP_TERMINATED, op.done.get()[1] & UringOperation.FLAG_LOOP_TERMINATED);
    }
}
