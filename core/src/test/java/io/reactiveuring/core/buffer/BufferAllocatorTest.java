package io.reactiveuring.core.buffer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
            // one slab of the 128-byte class has 512 chunks; the pool cycles through them
            assertTrue(addresses.size() <= 512, "distinct chunks: " + addresses.size());
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
            assertEquals(1, allocator.unpooledAllocations());
            assertEquals(0, big.segment().address() % 4096);
            big.segment().fill((byte) 7);
            assertTrue(big.release());
            assertEquals(0, allocator.liveBuffers());
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
    void closeRefusesNewBuffersButLiveOnesStayUsableUntilReleased() {
        BufferAllocator allocator = BufferAllocator.pooled();
        UringBuffer b = allocator.copyOf(new byte[] {1, 2, 3});
        allocator.close();
        assertTrue(allocator.isClosed());
        assertThrows(IllegalStateException.class, () -> allocator.allocate(1));
        assertThrows(IllegalStateException.class, () -> allocator.copyOf(new byte[1]));
        assertArrayEquals(new byte[] {1, 2, 3}, b.toByteArray());
        assertTrue(b.release());
        assertEquals(0, allocator.liveBuffers());
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
