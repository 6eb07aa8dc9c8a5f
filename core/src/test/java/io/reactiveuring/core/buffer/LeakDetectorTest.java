package io.reactiveuring.core.buffer;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak detector reports exactly the buffers never released, with where they were allocated. */
class LeakDetectorTest {
    @Test
    void reportsTheUnreleasedBufferWithItsAllocationStack() {
        LeakDetector detector = new LeakDetector();
        try (BufferAllocator allocator = BufferAllocator.pooled(detector)) {
            UringBuffer released = allocator.allocate(10);
            UringBuffer leaked = allocateHere(allocator);
            released.release();

            List<LeakDetector.Leak> leaks = detector.leaks();
            assertEquals(1, leaks.size());
            assertTrue(leaks.get(0).description().contains("33 bytes"), leaks.get(0).description());
            assertTrue(Arrays.stream(leaks.get(0).allocationSite().getStackTrace())
                    .anyMatch(e -> e.getMethodName().equals("allocateHere")), "stack names the allocating method");
            AssertionError e = assertThrows(AssertionError.class, detector::assertNoLeaks);
            assertTrue(e.getMessage().contains("allocateHere"), e.getMessage());

            leaked.release();
            assertDoesNotThrow(detector::assertNoLeaks);
            assertEquals(0, detector.liveCount());
        }
    }

    @Test
    void slicesShareTheirParentsEntryAndRetainedReferencesKeepItLive() {
        LeakDetector detector = new LeakDetector();
        try (BufferAllocator allocator = BufferAllocator.pooled(detector)) {
            UringBuffer b = allocator.allocate(64);
            UringBuffer s = b.slice(0, 8).retain();
            assertEquals(1, detector.liveCount());
            b.release();
            assertEquals(1, detector.liveCount(), "the slice still holds a reference");
            s.release();
            assertEquals(0, detector.liveCount());
        }
    }

    @Test
    void borrowedBuffersAndTheirCopiesAreTrackedSeparately() {
        LeakDetector detector = new LeakDetector();
        try (BufferAllocator allocator = BufferAllocator.pooled(detector); Arena lender = Arena.ofConfined()) {
            UringBuffer borrowed = allocator.borrow(lender.allocate(16), () -> { });
            UringBuffer copy = borrowed.retain();
            assertEquals(2, detector.liveCount());
            borrowed.release();
            assertEquals(1, detector.liveCount());
            assertTrue(detector.leaks().get(0).description().startsWith("UringBuffer"));
            copy.release();
            detector.assertNoLeaks();
        }
    }

    private static UringBuffer allocateHere(BufferAllocator allocator) {
        return allocator.allocate(33);
    }
}
