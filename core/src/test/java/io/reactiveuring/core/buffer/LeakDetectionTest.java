package io.reactiveuring.core.buffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sampled leak detection: a buffer that becomes unreachable unreleased is logged through the buffer package's
 * {@link System.Logger} with its size and allocation site, and counted; its memory is not reused. The test puts a
 * capturing {@code System.Logger} (which keeps the records off the console) in the detector's place.
 * Sizes are unique per test so that buffers leaked elsewhere in this JVM cannot be mistaken for the ones under test.
 */
class LeakDetectionTest {
    private CapturingLogger captured;
    private System.Logger real;

    @BeforeEach
    void captureLog() {
        real = LeakDetection.log();
        captured = new CapturingLogger(real);
        LeakDetection.useLogger(captured);
    }

    @AfterEach
    void stopCapturing() {
        LeakDetection.useLogger(real);
    }

    @Test
    void aLeakedBufferIsLoggedWithItsSizeAndAllocationSiteCountedAndItsMemoryNeverReused() throws Exception {
        BufferAllocator allocator = BufferAllocator.pooled(LeakDetection.Level.PARANOID, 1);
        long globalBefore = LeakDetection.reportedLeaks();
        long leakedAddress = allocateAndDrop(allocator, 4321);

        String report = awaitReport("UringBuffer of 4321 bytes");
        assertTrue(report.startsWith("LEAK: a UringBuffer of 4321 bytes became unreachable before its final release()"),
                report);
        assertTrue(report.contains("Allocated at:\n\tat io.reactiveuring.core.buffer.BufferAllocator.allocate("),
                "the stack starts at the allocator's entry, not at the detector's own frames: " + report);
        assertTrue(report.contains("\n\tat io.reactiveuring.core.buffer.LeakDetectionTest.allocateAndDrop("),
                "the stack names the allocating method: " + report);
        assertEquals(1, allocator.reportedLeaks());
        assertTrue(LeakDetection.reportedLeaks() > globalBefore);
        assertEquals("WARNING", captured.levelOf(report));

        // Not given back (an unreachable buffer may be quarantined under a kernel write): still live, never reused.
        assertEquals(1, allocator.liveBuffers());
        List<UringBuffer> sameClass = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // the 8 KiB class: 32 chunks a slab, so the leaked one's slab is covered
            UringBuffer b = allocator.allocate(4321);
            assertNotEquals(leakedAddress, b.segment().address(), "the leaked chunk was handed out again");
            sameClass.add(b);
        }
        sameClass.forEach(UringBuffer::release);
        allocator.close();
        assertEquals(1, allocator.liveBuffers());
        assertTrue(allocator.retainedBytes() > 0, "a leaked buffer keeps its slab mapped, even after close");
    }

    @Test
    void aLiveSliceKeepsItsParentFromBeingReportedAndReleasedBuffersAreNeverReported() throws Exception {
        BufferAllocator allocator = BufferAllocator.pooled(LeakDetection.Level.PARANOID, 1);
        for (int i = 0; i < 1000; i++) {
            allocator.allocate(5555).release();
        }
        UringBuffer slice = sliceOfDroppedParent(allocator, 1111);
        allocateAndDrop(allocator, 2222);
        awaitReport("UringBuffer of 2222 bytes");
        // a second, later leak: by its report the collector has long seen the parent's buffer object unreachable
        allocateAndDrop(allocator, 3333);
        awaitReport("UringBuffer of 3333 bytes");

        assertEquals(2, allocator.reportedLeaks());
        assertNull(captured.find("of 1111 bytes"), "the slice keeps the shared memory reachable");
        assertNull(captured.find("of 5555 bytes"), "released buffers are not reported");
        assertEquals(3, allocator.liveBuffers());
        assertTrue(slice.release());
        assertEquals(2, allocator.liveBuffers());
        Reference.reachabilityFence(slice);
    }

    @Test
    void aLeakedBorrowedBufferIsReportedAndNotGivenBackByTheDetector() throws Exception {
        BufferAllocator allocator = BufferAllocator.pooled(LeakDetection.Level.PARANOID, 1);
        AtomicInteger givenBack = new AtomicInteger();
        try (Arena lender = Arena.ofShared()) {
            borrowAndDrop(allocator, lender, 777, givenBack);
            String report = awaitReport("borrowed UringBuffer of 777 bytes");
            assertTrue(report.contains("LeakDetectionTest.borrowAndDrop("), report);
            assertTrue(report.contains("provided-buffer ring has lost that buffer"), report);
            assertEquals(1, allocator.reportedLeaks());
            assertEquals(0, givenBack.get(), "the give-back belongs to the lender's thread; the detector never runs");
            assertEquals(1, allocator.liveBuffers());
        }
    }

    @Test
    void simpleSamplesOneAllocationInTheIntervalParanoidAllAndDisabledNone() {
        assertEquals(8000, trackedOf(BufferAllocator.pooled(LeakDetection.Level.PARANOID, 8), 8000));
        assertEquals(0, trackedOf(BufferAllocator.pooled(LeakDetection.Level.DISABLED, 8), 8000));
        assertEquals(0, trackedOf(BufferAllocator.pooled(new LeakDetector()), 8000),
                "a test detector refers to every buffer; sampling would be wasted");
        int simple = trackedOf(BufferAllocator.pooled(LeakDetection.Level.SIMPLE, 8, null), 8000);
        // binomial(8000, 1/8): mean 1000, standard deviation 30
        assertTrue(simple > 800 && simple < 1200, "tracked " + simple + " of 8000");
        assertEquals(8000, trackedOf(BufferAllocator.pooled(LeakDetection.Level.SIMPLE, 1, null), 8000));
        assertThrows(IllegalArgumentException.class, () -> BufferAllocator.pooled(LeakDetection.Level.SIMPLE, 0));
    }

    @Test
    void simpleTracksAtMostTheBudgetsBurstAndRateHoweverFastBuffersAreAllocated() {
        LeakDetection.SampleBudget budget = new LeakDetection.SampleBudget(1000, 100);
        long start = System.nanoTime();
        int tracked = trackedOf(BufferAllocator.pooled(LeakDetection.Level.SIMPLE, 1, budget), 50_000);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tracked >= 100, "the burst is granted at once: " + tracked);
        assertTrue(tracked <= 100 + elapsedMillis + 1, tracked + " tracked in " + elapsedMillis + " ms");
        assertEquals(50_000, trackedOf(BufferAllocator.pooled(LeakDetection.Level.PARANOID, 1, budget), 50_000),
                "paranoid is not limited");
    }

    @Test
    void theDefaultLevelAndIntervalComeFromTheSystemPropertiesAndBadValuesFallBackToSimpleAnd128() {
        assertEquals(LeakDetection.parseLevel(System.getProperty(LeakDetection.LEVEL_PROPERTY)), LeakDetection.level());
        assertEquals(LeakDetection.level(), BufferAllocator.pooled().leakDetectionLevel());
        assertEquals(LeakDetection.Level.SIMPLE, LeakDetection.parseLevel(null));
        assertEquals(LeakDetection.Level.PARANOID, LeakDetection.parseLevel("paranoid"));
        assertEquals(LeakDetection.Level.DISABLED, LeakDetection.parseLevel(" DISABLED "));
        assertEquals(LeakDetection.Level.SIMPLE, LeakDetection.parseLevel("Simple"));
        assertEquals(LeakDetection.Level.SIMPLE, LeakDetection.parseLevel("advanced"));
        assertTrue(captured.find("advanced is not one of disabled, simple, paranoid") != null);
        assertEquals(128, LeakDetection.parseSamplingInterval(null));
        assertEquals(64, LeakDetection.parseSamplingInterval("64"));
        assertEquals(128, LeakDetection.parseSamplingInterval("0"));
        assertEquals(128, LeakDetection.parseSamplingInterval("often"));
        assertTrue(captured.find("=often is not a positive integer") != null);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Allocates a buffer and drops it unreleased; returns its address (nothing that keeps it reachable). */
    private static long allocateAndDrop(BufferAllocator allocator, int size) {
        return allocator.allocate(size).segment().address();
    }

    private static UringBuffer sliceOfDroppedParent(BufferAllocator allocator, int size) {
        UringBuffer parent = allocator.allocate(size);
        return parent.slice(0, 10); // the parent buffer object is dropped here; the slice shares its memory
    }

    private static void borrowAndDrop(BufferAllocator allocator, Arena lender, int size, AtomicInteger givenBack) {
        allocator.borrow(lender.allocate(size), givenBack::incrementAndGet);
    }

    private static int trackedOf(BufferAllocator allocator, int allocations) {
        int tracked = 0;
        for (int i = 0; i < allocations; i++) {
            UringBuffer b = allocator.allocate(16);
            if (b.memory().leak != null) {
                tracked++;
            }
            b.release();
        }
        allocator.close();
        return tracked;
    }

    /** Collects garbage until a report containing {@code marker} is logged (10 s at most); returns it. */
    private String awaitReport(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String found;
        while ((found = captured.find(marker)) == null) {
            assertTrue(System.nanoTime() < deadline, "no leak report containing '" + marker + "' within 10 s");
            System.gc();
            captured.awaitNext(100, TimeUnit.MILLISECONDS);
        }
        return found;
    }

    /** A {@link System.Logger} that keeps every record (and prints none), with a signal per record. */
    private static final class CapturingLogger implements System.Logger {
        private record Entry(Level level, String message) {
        }

        private final System.Logger replaced;
        private final List<Entry> records = new CopyOnWriteArrayList<>();
        private final BlockingQueue<Entry> arrivals = new LinkedBlockingQueue<>();

        CapturingLogger(System.Logger replaced) {
            this.replaced = replaced;
        }

        @Override
        public String getName() {
            return replaced.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            record(level, msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            record(level, format);
        }

        @Override
        public void log(Level level, String msg) {
            record(level, msg);
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            record(level, msgSupplier.get());
        }

        private void record(Level level, String message) {
            Entry e = new Entry(level, message);
            records.add(e);
            arrivals.add(e);
        }

        String find(String marker) {
            for (Entry e : records) {
                if (e.message() != null && e.message().contains(marker)) {
                    return e.message();
                }
            }
            return null;
        }

        String levelOf(String message) {
            for (Entry e : records) {
                if (message.equals(e.message())) {
                    return e.level().getName();
                }
            }
            return null;
        }

        void awaitNext(long timeout, TimeUnit unit) throws InterruptedException {
            arrivals.poll(timeout, unit);
        }
    }
}
