package io.reactiveuring.core.buffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference counting, indices, adapters and the borrowed ("retain copies") flavour of {@link UringBuffer}. */
class UringBufferTest {
    private final LeakDetector leaks = new LeakDetector();
    private final BufferAllocator allocator = BufferAllocator.pooled(leaks);

    @AfterEach
    void noLeaks() {
        leaks.assertNoLeaks();
        assertEquals(0, allocator.liveBuffers());
        allocator.close();
    }

    @Test
    void retainAndReleaseCountReferencesAndTheLastReleaseFreesTheBuffer() {
        UringBuffer b = allocator.allocate(100);
        assertEquals(1, b.refCnt());
        assertSame(b, b.retain());
        assertEquals(2, b.refCnt());
        assertFalse(b.release());
        assertEquals(1, b.refCnt());
        assertTrue(b.release());
        assertEquals(0, b.refCnt());
        assertThrows(IllegalStateException.class, b::release);
        assertThrows(IllegalStateException.class, b::retain);
    }

    @Test
    void everyUseAfterReleaseThrowsIllegalState() {
        UringBuffer b = allocator.allocate(16);
        b.release();
        List<Consumer<UringBuffer>> uses = List.of(
                UringBuffer::segment, UringBuffer::readableSegment, UringBuffer::writableSegment,
                UringBuffer::asByteBuffer, UringBuffer::toByteArray, UringBuffer::retainedCopy, UringBuffer::clear,
                x -> x.writeBytes(new byte[1]), x -> x.readBytes(new byte[0]), x -> x.slice(0, 1),
                x -> x.writerIndex(0), x -> x.readerIndex(0), x -> x.writeBytes(ByteBuffer.allocate(1)),
                x -> x.readBytes(ByteBuffer.allocate(1)));
        for (Consumer<UringBuffer> use : uses) {
            assertThrows(IllegalStateException.class, () -> use.accept(b));
        }
    }

    @Test
    void byteArrayRoundTripMovesTheIndices() {
        UringBuffer b = allocator.allocate(10);
        b.writeBytes(new byte[] {1, 2, 3, 4, 5, 6}, 1, 4);
        assertEquals(4, b.writerIndex());
        assertEquals(4, b.readableBytes());
        assertEquals(6, b.writableBytes());
        byte[] out = new byte[3];
        b.readBytes(out);
        assertArrayEquals(new byte[] {2, 3, 4}, out);
        assertEquals(3, b.readerIndex());
        assertArrayEquals(new byte[] {5}, b.toByteArray());
        assertThrows(IndexOutOfBoundsException.class, () -> b.writeBytes(new byte[7]));
        assertThrows(IndexOutOfBoundsException.class, () -> b.readBytes(new byte[2]));
        assertThrows(IndexOutOfBoundsException.class, () -> b.writeBytes(new byte[2], 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> b.writerIndex(11));
        assertThrows(IndexOutOfBoundsException.class, () -> b.writerIndex(2));
        assertThrows(IndexOutOfBoundsException.class, () -> b.readerIndex(5));
        assertThrows(IndexOutOfBoundsException.class, () -> b.advanceWriterIndex(-1));
        assertThrows(NullPointerException.class, () -> b.writeBytes((byte[]) null));
        b.clear();
        assertEquals(0, b.readableBytes());
        assertEquals(10, b.writableBytes());
        b.release();
    }

    @Test
    void byteBufferAdaptersCopyHeapAndDirectBuffersAndAdvanceTheirPositions() {
        UringBuffer b = allocator.allocate(8);
        ByteBuffer heap = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5});
        heap.position(1);
        b.writeBytes(heap);
        assertEquals(5, heap.position());
        ByteBuffer direct = ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip();
        b.writeBytes(direct);
        assertFalse(direct.hasRemaining());
        assertArrayEquals(new byte[] {8, 7, 6, 5, 1, 2, 3}, b.toByteArray());

        ByteBuffer into = ByteBuffer.allocate(5);
        b.readBytes(into);
        assertEquals(5, into.position());
        assertArrayEquals(new byte[] {8, 7, 6, 5, 1}, into.array());
        assertEquals(2, b.readableBytes());
        assertThrows(IllegalArgumentException.class, () -> b.readBytes(ByteBuffer.allocate(2).asReadOnlyBuffer()));
        b.release();
    }

    @Test
    void asByteBufferIsAViewOfTheReadableBytesThatSharesMemory() {
        UringBuffer b = allocator.copyOf(new byte[] {1, 2, 3, 4});
        b.advanceReaderIndex(1);
        ByteBuffer view = b.asByteBuffer();
        assertEquals(3, view.remaining());
        assertEquals(2, view.get(0));
        view.put(0, (byte) 42);
        assertArrayEquals(new byte[] {42, 3, 4}, b.toByteArray());
        b.segment().set(JAVA_BYTE, 3, (byte) 99);
        assertEquals(99, view.get(2));
        b.release();
    }

    @Test
    void toStringWithACharsetDecodesTheReadableBytesAndLeavesTheIndicesAlone() {
        String text = "héllo → wörld 😀"; // 2-, 3- and 4-byte UTF-8 sequences
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        UringBuffer b = allocator.allocate(utf8.length + 8);
        b.writeBytes(new byte[] {'>', '>'}).writeBytes(utf8);
        b.advanceReaderIndex(2);
        assertEquals(text, b.toString(StandardCharsets.UTF_8));
        assertEquals(2, b.readerIndex());
        assertEquals(2 + utf8.length, b.writerIndex());
        assertEquals(utf8.length, b.toString(StandardCharsets.ISO_8859_1).length(), "one char per byte in Latin-1");
        // a cut through the 4-byte emoji is malformed input: replaced, not thrown
        UringBuffer cut = b.slice(2, utf8.length - 1);
        assertEquals(text.substring(0, text.length() - 2) + "\uFFFD", cut.toString(StandardCharsets.UTF_8));
        UringBuffer empty = allocator.allocate(0);
        assertEquals("", empty.toString(StandardCharsets.UTF_8));
        empty.release();
        assertThrows(NullPointerException.class, () -> b.toString(null));
        b.release();
        assertThrows(IllegalStateException.class, () -> b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void sliceSharesMemoryAndTheReferenceCount() {
        UringBuffer b = allocator.copyOf(new byte[] {0, 1, 2, 3, 4, 5});
        UringBuffer s = b.slice(2, 3);
        assertArrayEquals(new byte[] {2, 3, 4}, s.toByteArray());
        assertEquals(3, s.capacity());
        s.segment().set(JAVA_BYTE, 0, (byte) 77);
        assertEquals(77, b.segment().get(JAVA_BYTE, 2));
        s.retain();
        assertEquals(2, b.refCnt());
        b.release();
        assertEquals(1, s.refCnt(), "the slice's reference keeps the memory");
        assertEquals(3, s.toByteArray().length);
        assertTrue(s.release());
        assertThrows(IllegalStateException.class, b::segment);
        UringBuffer small = allocator.allocate(4);
        assertThrows(IndexOutOfBoundsException.class, () -> small.slice(2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> small.slice(-1, 1));
        small.release();
    }

    @Test
    void retainedCopyIsAnIndependentOwnedBufferWithTheReadableBytes() {
        UringBuffer b = allocator.copyOf(new byte[] {1, 2, 3, 4});
        b.advanceReaderIndex(1);
        UringBuffer copy = b.retainedCopy();
        assertNotSame(b, copy);
        assertEquals(1, b.refCnt());
        assertEquals(1, copy.refCnt());
        assertArrayEquals(new byte[] {2, 3, 4}, copy.toByteArray());
        assertNotEquals(b.segment().address(), copy.segment().address());
        b.segment().set(JAVA_BYTE, 1, (byte) 50);
        assertEquals(2, copy.toByteArray()[0], "the copy does not see later changes");
        b.release();
        copy.release();
    }

    @Test
    void borrowedRetainReturnsACopyAndTheBorrowedReleaseGivesTheMemoryBack() {
        AtomicInteger givenBack = new AtomicInteger();
        try (Arena lender = Arena.ofShared()) {
            MemorySegment lent = lender.allocate(5);
            lent.copyFrom(MemorySegment.ofArray(new byte[] {10, 20, 30, 40, 50}));
            UringBuffer borrowed = allocator.borrow(lent, givenBack::incrementAndGet);
            assertTrue(borrowed.isBorrowed());
            assertEquals(5, borrowed.readableBytes());

            UringBuffer kept = borrowed.retain();
            assertNotSame(borrowed, kept);
            assertFalse(kept.isBorrowed());
            assertEquals(1, borrowed.refCnt(), "retain of a borrowed buffer does not pin the lender's memory");
            assertArrayEquals(new byte[] {10, 20, 30, 40, 50}, kept.toByteArray());

            UringBuffer slicedCopy = borrowed.slice(1, 2).retain();
            assertArrayEquals(new byte[] {20, 30}, slicedCopy.toByteArray());
            assertNotEquals(lent.address() + 1, slicedCopy.segment().address());

            assertTrue(borrowed.release());
            assertEquals(1, givenBack.get(), "the lender gets its memory back on the borrowed release");
            lent.fill((byte) 0); // the lender reuses it
            assertArrayEquals(new byte[] {10, 20, 30, 40, 50}, kept.toByteArray(), "the copy survives reuse");
            assertSame(kept, kept.retain(), "a copy is owned: retain counts");
            kept.release();
            kept.release();
            slicedCopy.release();
            assertThrows(IllegalStateException.class, borrowed::release);
            assertEquals(1, givenBack.get());
        }
        assertThrows(IllegalArgumentException.class, () -> allocator.borrow(MemorySegment.ofArray(new byte[1]),
                () -> { }));
    }
}
