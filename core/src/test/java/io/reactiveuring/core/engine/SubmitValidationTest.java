package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.reactiveuring.core.binding.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.reactiveuring.core.linux.IoUring.IOSQE_CQE_SKIP_SUCCESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The checks {@link UringLoop#submit} makes on a spec hold for every submission, also when the same spec (or the
 * same operation) is submitted again: nothing learnt from an earlier submission may let a bad one through.
 */
class SubmitValidationTest {
    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("submit-validation-test"));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
        }
    }

    @Test
    void opcodeTheKernelLacksIsRefusedOnEverySubmit() {
        int unknown = loop.features().lastOp() + 1;
        assertTrue(unknown < 256, "the kernel knows every opcode a byte can hold");
        OpSpec spec = OpSpec.of((byte) unknown);
        for (int attempt = 0; attempt < 2; attempt++) {
            RecordingOperation op = new RecordingOperation(spec);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.submit(op));
            assertTrue(e.getMessage().contains("not supported by this kernel"), e.getMessage());
            assertFalse(op.done.isDone(), "a refused op must not complete");
        }
        assertEquals(0, loop.submittedOperations(), "nothing reached the SQ");
    }

    @Test
    void resubmittingACheckedSpecStillChecksItsSkipSuccessFlag() throws Exception {
        OpSpec spec = OpSpec.nop();
        RecordingOperation first = new RecordingOperation(spec);
        loop.submit(first);
        assertEquals(0, first.awaitRes());

        // the same operation again, now with the flag: every submission is checked, not only the first
        first.spec(spec.withSqeFlags(IOSQE_CQE_SKIP_SUCCESS));
        RecordingOperation second = first;
        assertThrows(IllegalArgumentException.class, () -> loop.submit(second));
        assertEquals(1, loop.submittedOperations());
    }

    @Test
    void resubmittingACheckedSpecStillChecksThatItsBufferIsAlive() throws Exception {
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        assertTrue(fd >= 0, "eventfd");
        try (Arena caller = Arena.ofConfined()) {
            MemorySegment three = caller.allocate(JAVA_LONG);
            three.set(JAVA_LONG, 0, 3L);
            assertEquals(8, LibC.write(fd, three, 8));

            Arena arena = Arena.ofShared();
            MemorySegment buffer = arena.allocate(JAVA_LONG);
            OpSpec read = OpSpec.read(fd, buffer, -1);
            RecordingOperation first = new RecordingOperation(read);
            loop.submit(first);
            assertEquals(8, first.awaitRes());
            assertEquals(3L, buffer.get(JAVA_LONG, 0));

            arena.close(); // the same spec now points into freed memory
            RecordingOperation second = new RecordingOperation(read);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.submit(second));
            assertTrue(e.getMessage().contains("arena is already closed"), e.getMessage());
            assertEquals(1, loop.submittedOperations(), "the second read never reached the SQ");
        } finally {
            LibC.close(fd);
        }
    }
}
