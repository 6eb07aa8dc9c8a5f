package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A cancel issued on the loop thread for an op another thread submitted a moment ago, still in the hand-off
 * queue: the op must end cancelled without ever reaching the kernel, not run after its cancel.
 */
class CancelBeforeHandoffTest {
    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("cancel-handoff-test"));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.staleCompletions());
        }
    }

    @Test
    void loopThreadCancelOfAnOpStillInTheHandoffQueueEndsItWithoutTheKernel() throws Exception {
        try (TestPipe pipe = new TestPipe(); Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(8);
            RecordingOperation read = new RecordingOperation(OpSpec.read(pipe.readFd, buf, -1));
            CountDownLatch submitted = new CountDownLatch(1);
            CompletableFuture<Integer> cancelResult = new CompletableFuture<>();
            CompletableFuture<Boolean> wasQueued = new CompletableFuture<>();
            loop.execute(() -> {
                // The loop is busy in this task, so it cannot drain what the other thread hands off meanwhile.
                Thread submitter = new Thread(() -> {
                    loop.submit(read);
                    submitted.countDown();
                });
                submitter.start();
                try {
                    wasQueued.complete(submitted.await(10, TimeUnit.SECONDS) && !read.isInFlight());
                } catch (InterruptedException e) {
                    wasQueued.completeExceptionally(e);
                    return;
                }
                loop.cancel(read, cancelResult::complete);
            });
            assertTrue(wasQueued.get(10, TimeUnit.SECONDS), "the read was still in the hand-off queue");
            assertEquals(1, cancelResult.get(10, TimeUnit.SECONDS), "cancelled before it reached the kernel");
            assertEquals(-Errno.ECANCELED, read.awaitRes());
            // The read never ran: a byte written now is still in the pipe for a plain read(2).
            assertEquals(1, pipe.write(new byte[] {9}));
            MemorySegment plain = arena.allocate(1);
            assertEquals(1, LibC.read(pipe.readFd, plain, 1));
            assertEquals(9, plain.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
    }
}
