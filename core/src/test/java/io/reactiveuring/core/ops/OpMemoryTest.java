package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.FileFlags.AT_FDCWD;
import static io.reactiveuring.core.linux.FileFlags.O_RDONLY;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link OpMemory}: aligned zeroed allocations from pooled chunks, held buffers, release after the final CQE. */
class OpMemoryTest extends FileOpsFixture {
    @Test
    void allocationsAreAlignedZeroedAndLargeOnesGetTheirOwnChunk() {
        OpMemory m = memory();
        MemorySegment a = m.allocate(3, 1);
        a.fill((byte) 1);
        MemorySegment b = m.allocate(16, 8);
        assertEquals(0, b.address() % 8);
        assertArrayEquals(new byte[16], b.toArray(JAVA_BYTE), "zeroed");
        MemorySegment big = m.allocate(5000, 16);
        assertEquals(5000, big.byteSize());
        MemorySegment path = m.allocateFrom("/a/b");
        assertEquals(5, path.byteSize(), "NUL-terminated");
        assertEquals(0, path.get(JAVA_BYTE, 4));
        assertThrows(IllegalArgumentException.class, () -> m.allocate(8, 3));
        assertEquals(2, allocator.liveBuffers(), "the first chunk and the large one, whose tail took the path");
        m.release();
        assertEquals(0, allocator.liveBuffers());
        assertThrows(IllegalStateException.class, () -> m.allocate(1, 1));
        assertThrows(IllegalStateException.class, m::release);
    }

    @Test
    void heldBuffersAreReleasedWithTheMemory() {
        OpMemory m = memory();
        UringBuffer b = m.hold(allocator.allocate(10));
        UringBuffer kept = m.hold(allocator.allocate(10).retain());
        m.release();
        assertEquals(0, b.refCnt());
        assertEquals(1, kept.refCnt(), "the caller's own reference survives");
        kept.release();
        UringBuffer dead = allocator.allocate(1);
        dead.release();
        assertThrows(IllegalStateException.class, () -> memory().hold(dead));
    }

    @Test
    void attachedMemoryIsReleasedByTheEngineOnlyAfterTheFinalCompletionWasDelivered() throws Exception {
        OpMemory m = memory();
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        UringOperation op = new UringOperation(FileOps.openat(AT_FDCWD, "/definitely/not/here", O_RDONLY, 0, m)) {
            @Override
            protected void onCompletion(int res, int flags) {
                seen.complete(new int[] {res, m.isReleased() ? 1 : 0});
            }
        };
        op.attach(m);
        loop.submit(op);
        int[] r = seen.get(10, TimeUnit.SECONDS);
        assertEquals(-Errno.ENOENT, r[0]);
        assertEquals(0, r[1], "still owned while the completion is delivered");
        // released right after the callback, on the loop thread: observe it from there
        assertTrue(onLoop(m::isReleased));
    }

    @Test
    void memoryOfAnOpRefusedBecauseTheLoopEndedIsReleasedToo() throws Exception {
        UringLoop ended = new UringLoop(LoopOptions.defaults().withThreadName("ended"));
        ended.close();
        OpMemory m = memory();
        CompletableFuture<Integer> res = new CompletableFuture<>();
        UringOperation op = new UringOperation(FileOps.openat(AT_FDCWD, "/", O_RDONLY, 0, m)) {
            @Override
            protected void onCompletion(int r, int flags) {
                res.complete(r);
            }
        };
        ended.submit(op.attach(m));
        assertEquals(-Errno.ECANCELED, (int) res.get(10, TimeUnit.SECONDS));
        assertTrue(m.isReleased());
        assertFalse(allocator.liveBuffers() > 0);
    }
}
