package io.reactiveuring.core.buffer;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pooling, alignment, thread safety and close of {@link BufferAllocator}. */
class BufferAllocatorTest {
    @Test
    void releasedChunksAreReusedInsteadOfAllocatingNewMemory() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            Set<Long> addresses = new HashSet<>();
            for (int i = 0; i < 10_000; i++) {
                UringBuffer b = allocator.allocate(100);
                addresses.add(b.segment().address());
                b.release();
            }
            // a slab's free chunks are a stack: the chunk just released is the next one handed out (cache-warm)
            assertEquals(1, addresses.size(), "distinct chunks");
            assertEquals(1, allocator.slabsMapped());
            assertEquals(0, allocator.unpooledAllocations());
            assertEquals(0, allocator.liveBuffers());
        }
    }

    @Test
    void capacityIsExactAndChunksAreAlignedToTheirSizeClassUpToAPage() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            List<UringBuffer> live = new ArrayList<>();
            for (int capacity : new int[] {0, 1, 63, 64, 65, 100, 4095, 4096, 5000, 65_536}) {
                UringBuffer b = allocator.allocate(capacity);
                live.add(b);
                assertEquals(capacity, b.capacity());
                assertEquals(capacity, b.writableBytes());
                int sizeClass = Math.max(64, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1);
                long alignment = Math.min(Math.min(sizeClass, 65_536), 4096);
                assertEquals(0, b.segment().address() % alignment, "capacity " + capacity);
            }
            live.forEach(UringBuffer::release);
            assertEquals(0, allocator.unpooledAllocations());
        }
    }

    @Test
    void largeBuffersGetTheirOwnMemoryAndAreFreedOnRelease() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            UringBuffer big = allocator.allocate(1 << 20);
            UringBuffer justOverTheLimit = allocator.allocate(BufferAllocator.MAX_POOLED_CAPACITY + 1);
            assertEquals(2, allocator.unpooledAllocations());
            assertEquals(0, allocator.slabsMapped(), "no slab for large buffers");
            assertEquals((1 << 20) + BufferAllocator.MAX_POOLED_CAPACITY + 1, allocator.retainedBytes());
            assertEquals(0, big.segment().address() % 4096);
            assertEquals(0, justOverTheLimit.segment().address() % 4096);
            big.segment().fill((byte) 7);
            justOverTheLimit.segment().fill((byte) 8);
            assertEquals(7, big.segment().get(JAVA_BYTE, (1 << 20) - 1));
            assertTrue(big.release());
            assertEquals(BufferAllocator.MAX_POOLED_CAPACITY + 1, allocator.retainedBytes(), "freed on release");
            assertTrue(justOverTheLimit.release());
            assertEquals(0, allocator.retainedBytes());
            assertEquals(0, allocator.liveBuffers());
            assertThrows(IllegalStateException.class, big::segment);
        }
    }

    @Test
    void aHundredThousandLiveBuffersOfOneClassArePooledAndTheBurstsMemoryIsReturnedAfterRelease() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            int n = 100_000;
            List<UringBuffer> live = new ArrayList<>(n);
            Set<Long> addresses = new HashSet<>(2 * n);
            for (int i = 0; i < n; i++) {
                UringBuffer b = allocator.allocate(4096);
                live.add(b);
                assertTrue(addresses.add(b.segment().address()), "chunk handed out twice");
            }
            assertEquals(n, allocator.liveBuffers());
            assertEquals(0, allocator.unpooledAllocations(), "no size-class limit: all pooled");
            assertTrue(allocator.retainedBytes() >= (long) n * 4096, "retained " + allocator.retainedBytes());
            UringBuffer last = live.get(n - 1);
            last.segment().fill((byte) 3); // the memory past any former per-class limit is real
            assertEquals(3, last.segment().get(JAVA_BYTE, 4095));

            Collections.shuffle(live, new Random(42)); // release in no particular order: slabs drain unevenly
            for (UringBuffer b : live) {
                assertTrue(b.release());
            }
            assertEquals(0, allocator.liveBuffers());
            assertTrue(allocator.retainedBytes() <= BufferAllocator.RETAINED_BYTES_PER_IDLE_CLASS,
                    "retained after the burst: " + allocator.retainedBytes());
            assertEquals(allocator.slabsMapped() * (256 * 1024) - allocator.retainedBytes(),
                    allocator.slabsUnmapped() * (256 * 1024), "retained bytes are exactly the slabs still mapped");

            // the pool still serves, from what it kept
            UringBuffer again = allocator.allocate(4096);
            again.release();
        }
    }

    @Test
    void aBufferPastTheFormerLimitOf4096ChunksPerClassIsPooled() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            List<UringBuffer> live = new ArrayList<>();
            for (int i = 0; i < 4097; i++) {
                live.add(allocator.allocate(BufferAllocator.MAX_POOLED_CAPACITY));
            }
            assertEquals(0, allocator.unpooledAllocations(), "the 4097th 64 KiB buffer came from a slab");
            assertEquals(0, live.get(4096).segment().address() % 4096);
            live.forEach(UringBuffer::release);
            assertEquals(0, allocator.liveBuffers());
        }
    }

    @Test
    void churnWithinTheHysteresisNeverUnmapsOrMapsAgain() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            Random random = new Random(7);
            List<UringBuffer> live = new ArrayList<>();
            long mappedAfterFirstRound = -1;
            for (int round = 0; round < 50; round++) {
                // 200 buffers of 4 KiB: about three slabs, swinging between all live and none live
                for (int i = 0; i < 200; i++) {
                    live.add(allocator.allocate(4000));
                }
                Collections.shuffle(live, random);
                live.forEach(UringBuffer::release);
                live.clear();
                if (round == 0) {
                    mappedAfterFirstRound = allocator.slabsMapped();
                }
            }
            assertEquals(mappedAfterFirstRound, allocator.slabsMapped(), "no slab mapped again");
            assertEquals(0, allocator.slabsUnmapped(), "no slab unmapped in the steady state");
        }
    }

    @Test
    void concurrentAllocateWriteVerifyReleaseNeverHandsOutTheSameChunkTwice() throws Exception {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            int threads = 4;
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte id = (byte) (t + 1);
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        UringBuffer b = allocator.allocate(64 + (i % 200));
                        b.segment().fill(id);
                        Thread.yield();
                        byte[] seen = b.segment().toArray(JAVA_BYTE);
                        for (byte x : seen) {
                            if (x != id) {
                                throw new AssertionError("chunk shared between threads: saw " + x + " in " + id);
                            }
                        }
                        b.release();
                    }
                }, r -> new Thread(r).start()));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(0, allocator.liveBuffers());
        }
    }

    @Test
    void aBusyClassKeepsIdleSlabsInProportionToItsUseAndGivesThemBackWhenItsBuffersAreReleased() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            // 64 KiB chunks, 16 to a 1 MiB slab: the fixed minimum keeps only one idle slab
            List<UringBuffer> steady = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                steady.add(allocator.allocate(65_536)); // 25 busy slabs
            }
            List<UringBuffer> swing = new ArrayList<>();
            long mappedAfterFirstSwing = -1;
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 96; i++) { // 6 more slabs' worth, then none
                    swing.add(allocator.allocate(65_536));
                }
                swing.forEach(UringBuffer::release);
                swing.clear();
                if (round == 0) {
                    mappedAfterFirstSwing = allocator.slabsMapped();
                }
            }
            assertEquals(mappedAfterFirstSwing, allocator.slabsMapped(), "the swing's slabs stayed mapped");
            assertEquals(0, allocator.slabsUnmapped(), "6 idle slabs are within a quarter of 31 mapped");

            steady.forEach(UringBuffer::release);
            assertEquals(0, allocator.liveBuffers());
            assertTrue(allocator.retainedBytes() <= BufferAllocator.RETAINED_BYTES_PER_IDLE_CLASS,
                    "retained once all are released: " + allocator.retainedBytes());
        }
    }

    @Test
    void fourThreadsAllocatingAndReleasingInBurstsKeepExactCountsAndNeverShareMemory() throws Exception {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            int threads = 4;
            int keep = 3_000;
            int[] sizes = {100, 4000, 4000, 4000, 70_000}; // two size classes, mostly one, and some large blocks
            CyclicBarrier holding = new CyclicBarrier(threads + 1);
            CyclicBarrier checked = new CyclicBarrier(threads + 1);
            List<List<UringBuffer>> heldByThread = new ArrayList<>();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte id = (byte) (t + 1);
                List<UringBuffer> held = new ArrayList<>();
                heldByThread.add(held);
                Random random = new Random(t);
                MemorySegment pattern = MemorySegment.ofArray(new byte[70_000]).fill(id);
                done.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int round = 0; round < 4; round++) {
                            // grow to the working set, then drain it in random order: slabs fill, empty, go idle
                            while (held.size() < keep) {
                                held.add(filled(allocator, sizes[random.nextInt(sizes.length)], pattern));
                            }
                            while (!held.isEmpty()) {
                                verifyAndRelease(removeRandom(held, random), pattern);
                                if (random.nextInt(10) < 3) {
                                    held.add(filled(allocator, sizes[random.nextInt(sizes.length)], pattern));
                                }
                            }
                        }
                        while (held.size() < keep) {
                            held.add(filled(allocator, sizes[random.nextInt(sizes.length)], pattern));
                        }
                        holding.await(60, TimeUnit.SECONDS);
                        checked.await(60, TimeUnit.SECONDS);
                        while (!held.isEmpty()) {
                            verifyAndRelease(removeRandom(held, random), pattern);
                        }
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }, r -> new Thread(r).start()));
            }
            holding.await(60, TimeUnit.SECONDS);
            assertEquals((long) threads * keep, allocator.liveBuffers(), "exactly the buffers the threads hold");
            List<long[]> ranges = new ArrayList<>();
            for (List<UringBuffer> held : heldByThread) {
                for (UringBuffer b : held) {
                    ranges.add(new long[] {b.segment().address(), b.capacity()});
                }
            }
            ranges.sort((a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < ranges.size(); i++) {
                assertTrue(ranges.get(i - 1)[0] + ranges.get(i - 1)[1] <= ranges.get(i)[0], "two live buffers overlap");
            }
            checked.await(60, TimeUnit.SECONDS);
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(0, allocator.liveBuffers());
            assertTrue(allocator.retainedBytes() <= 2 * BufferAllocator.RETAINED_BYTES_PER_IDLE_CLASS,
                    "two classes used; retained " + allocator.retainedBytes());
            assertTrue(allocator.slabsUnmapped() > 0, "the bursts' slabs were returned");
        }
    }

    private static UringBuffer filled(BufferAllocator allocator, int size, MemorySegment pattern) {
        UringBuffer b = allocator.allocate(size);
        b.segment().copyFrom(pattern.asSlice(0, size));
        return b;
    }

    private static void verifyAndRelease(UringBuffer b, MemorySegment pattern) {
        long mismatch = b.segment().mismatch(pattern.asSlice(0, b.capacity()));
        if (mismatch != -1) {
            throw new AssertionError("memory shared with another buffer: byte " + mismatch + " changed");
        }
        b.release();
    }

    private static UringBuffer removeRandom(List<UringBuffer> held, Random random) {
        int i = random.nextInt(held.size());
        UringBuffer b = held.get(i);
        held.set(i, held.get(held.size() - 1));
        held.remove(held.size() - 1);
        return b;
    }

    @Test
    void closeRefusesNewBuffersButLiveOnesStayUsableUntilReleased() {
        BufferAllocator allocator = BufferAllocator.pooled();
        UringBuffer b = allocator.copyOf(new byte[] {1, 2, 3});
        UringBuffer big = allocator.allocate(100_000);
        UringBuffer spare = allocator.allocate(60); // the same 64-byte class as b: one slab
        spare.release();
        allocator.close();
        assertTrue(allocator.isClosed());
        assertThrows(IllegalStateException.class, () -> allocator.allocate(1));
        assertThrows(IllegalStateException.class, () -> allocator.copyOf(new byte[1]));
        assertThrows(IllegalStateException.class, () -> allocator.allocate(1 << 20));
        assertEquals(2, allocator.liveBuffers());
        assertArrayEquals(new byte[] {1, 2, 3}, b.toByteArray());
        assertEquals(256 * 1024 + 100_000, allocator.retainedBytes(), "nothing freed while buffers are live");
        assertTrue(big.release());
        assertEquals(256 * 1024, allocator.retainedBytes(), "the slab stays until its last chunk is released");
        assertEquals(0, allocator.slabsUnmapped());
        assertTrue(b.release());
        assertEquals(0, allocator.liveBuffers());
        assertEquals(0, allocator.retainedBytes(), "the last release unmapped the pool");
        assertEquals(1, allocator.slabsUnmapped());
        assertThrows(IllegalStateException.class, () -> allocator.allocate(1));
        try (BufferAllocator other = BufferAllocator.pooled()) {
            assertThrows(IllegalArgumentException.class, () -> other.allocate(-1));
        }
    }

    @Test
    void copyOfByteBufferLeavesTheSourcePositionAlone() {
        try (BufferAllocator allocator = BufferAllocator.pooled()) {
            java.nio.ByteBuffer src = java.nio.ByteBuffer.wrap(new byte[] {5, 6, 7});
            src.position(1);
            UringBuffer b = allocator.copyOf(src);
            assertEquals(1, src.position());
            assertArrayEquals(new byte[] {6, 7}, b.toByteArray());
            b.release();
        }
    }
}
