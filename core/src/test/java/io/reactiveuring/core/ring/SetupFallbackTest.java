package io.reactiveuring.core.ring;

import io.reactiveuring.core.engine.RingFeatures;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.UringUnavailableException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.RecordingOperation;
import io.reactiveuring.core.engine.TestPipe;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.IoUring.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The setup fallback chain: refusing a flag gives the next candidate the kernel accepts, the ring still works, and
 * {@code features().setupFlags()} says what was granted. Setup failures are explained in words.
 */
class SetupFallbackTest {

    /** NOPs and a pipe read that another thread's write completes, then a clean close. */
    private static void assertLoopWorks(UringLoop loop) throws Exception {
        for (int i = 0; i < 100; i++) {
            RecordingOperation nop = new RecordingOperation(OpSpec.nop());
            loop.submit(nop);
            assertEquals(0, nop.awaitRes());
        }
        try (TestPipe pipe = new TestPipe(); Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(8);
            RecordingOperation read = new RecordingOperation(OpSpec.read(pipe.readFd, buf, -1));
            loop.submit(read);
            RecordingOperation barrier = new RecordingOperation(OpSpec.nop());
            loop.submit(barrier);
            assertEquals(0, barrier.awaitRes());
            assertFalse(read.done.isDone(), "read completed on an empty pipe");
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> pipe.write(new byte[] {5, 6}));
            assertEquals(2, read.awaitRes());
            written.get(10, TimeUnit.SECONDS);
            assertEquals(5, buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            assertEquals(6, buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 1));
        }
        loop.close();
        assertEquals(0, loop.inFlight());
        assertEquals(0, loop.staleCompletions());
    }

    @Test
    void preferredSetupUsesDeferTaskrunAndNoSqArray() throws Exception {
        UringTestSupport.requireUring();
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("setup-preferred"));
        RingFeatures f = loop.features();
        // the kernel this project targets (6.6+) grants the richest candidate
        assertTrue(f.hasSetupFlag(IORING_SETUP_DEFER_TASKRUN), f.toString());
        assertTrue(f.hasSetupFlag(IORING_SETUP_SINGLE_ISSUER), f.toString());
        assertTrue(f.hasSetupFlag(IORING_SETUP_NO_SQARRAY), f.toString());
        assertLoopWorks(loop);
    }

    @Test
    void refusingDeferTaskrunFallsBackToCoopTaskrunAndStillWorks() throws Exception {
        UringTestSupport.requireUring();
        UringLoop loop = new UringLoop(LoopOptions.defaults().withRefusedSetupFlags(IORING_SETUP_DEFER_TASKRUN)
                .withThreadName("setup-coop"));
        RingFeatures f = loop.features();
        assertFalse(f.hasSetupFlag(IORING_SETUP_DEFER_TASKRUN), f.toString());
        assertTrue(f.hasSetupFlag(IORING_SETUP_COOP_TASKRUN), f.toString());
        assertTrue(f.hasSetupFlag(IORING_SETUP_TASKRUN_FLAG), f.toString());
        assertTrue(f.setupFlagNames().contains("COOP_TASKRUN"), f.setupFlagNames().toString());
        assertLoopWorks(loop);
    }

    @Test
    void refusingNoSqArrayUsesTheSqArrayAndStillWorks() throws Exception {
        UringTestSupport.requireUring();
        // a small SQ so that the indirection array's entries are reused many times
        UringLoop loop = new UringLoop(LoopOptions.defaults().withQueues(4, 8)
                .withRefusedSetupFlags(IORING_SETUP_NO_SQARRAY).withThreadName("setup-sqarray"));
        RingFeatures f = loop.features();
        assertFalse(f.hasSetupFlag(IORING_SETUP_NO_SQARRAY), f.toString());
        assertTrue(f.hasSetupFlag(IORING_SETUP_DEFER_TASKRUN), f.toString());
        assertLoopWorks(loop);
    }

    @Test
    void refusingEveryOptionalFlagStillGivesAWorkingRing() throws Exception {
        UringTestSupport.requireUring();
        int optional = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN
                | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_NO_SQARRAY;
        UringLoop loop = new UringLoop(LoopOptions.defaults().withRefusedSetupFlags(optional)
                .withThreadName("setup-plain"));
        assertEquals(0, loop.features().setupFlags() & optional, loop.features().toString());
        assertLoopWorks(loop);
    }

    @Test
    void ringCreatedDirectlyReportsTheClampedQueueSizes() {
        UringTestSupport.requireUring();
        try (Ring ring = Ring.create(5, 9, 0)) { // the kernel rounds up to powers of two
            assertEquals(8, ring.features().sqEntries());
            assertEquals(16, ring.features().cqEntries());
            assertEquals(8, ring.sq().entries());
            assertEquals(16, ring.cq().entries());
            assertTrue(ring.features().supports(IORING_OP_NOP));
            assertFalse(ring.features().supports(200));
        }
        assertThrows(IllegalArgumentException.class, () -> Ring.create(8, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> Ring.create(0, 4, 0));
    }

    @Test
    void unavailabilityIsExplainedInWords() {
        UringUnavailableException perm = Ring.unavailable(-Errno.EPERM);
        assertEquals(Errno.EPERM, perm.errno());
        assertTrue(perm.getMessage().contains("EPERM"), perm.getMessage());
        assertTrue(perm.getMessage().contains("seccomp") || perm.getMessage().contains("io_uring_disabled"),
                perm.getMessage());

        UringUnavailableException nosys = Ring.unavailable(-Errno.ENOSYS);
        assertEquals(Errno.ENOSYS, nosys.errno());
        assertTrue(nosys.getMessage().contains("ENOSYS"), nosys.getMessage());
        assertTrue(nosys.getMessage().contains("kernel has no io_uring"), nosys.getMessage());

        UringUnavailableException nomem = Ring.unavailable(-Errno.ENOMEM);
        assertTrue(nomem.getMessage().contains("ENOMEM"), nomem.getMessage());
        assertTrue(nomem.getMessage().contains("RLIMIT_MEMLOCK"), nomem.getMessage());

        // a positive errno is read the same way
        assertEquals(perm.getMessage(), Ring.unavailable(Errno.EPERM).getMessage());
    }
}
