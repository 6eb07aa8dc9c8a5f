package io.reactiveuring.core.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * A reference-counted buffer over off-heap memory that the library owns, the one buffer type of reactive-uring:
 * the kernel reads and writes its {@link #segment()} directly. It has a capacity, a reader index and a writer
 * index ({@code 0 <= readerIndex <= writerIndex <= capacity}): the readable bytes are
 * {@code [readerIndex, writerIndex)}, the writable ones {@code [writerIndex, capacity)}.
 *
 * <h2>Ownership</h2>
 * A new buffer has a reference count of 1. {@link #retain()} adds a reference, {@link #release()} drops one; at 0
 * the memory goes back to its {@link BufferAllocator} and every further use of the buffer (or of its slices, which
 * share the count) throws {@link IllegalStateException}. Hand a buffer to the kernel only while you hold a
 * reference, and keep it until the operation's final completion (attach {@code buffer::release} to the operation).
 * A {@link MemorySegment} obtained from a buffer ({@link #segment()}, {@link #readableSegment()},
 * {@link #writableSegment()}, {@link #asByteBuffer()}) is not checked after the release: do not keep it beyond
 * your reference, as its memory may then belong to another buffer, or be unmapped.
 *
 * <p>A buffer that becomes unreachable before its final release is a leak; the allocator's sampled
 * {@link LeakDetection} logs where such a buffer was allocated.
 *
 * <h2>Borrowed buffers: retain copies</h2>
 * A <em>borrowed</em> buffer ({@link BufferAllocator#borrow}) is a view of memory lent by someone else, typically a
 * provided-buffer ring that wants it back soon. Its {@link #retain()} does not add a reference: it returns
 * {@link #retainedCopy()}, a new owned buffer with the same readable bytes, so that one slow holder never keeps the
 * lender's memory. Therefore always continue with the buffer that {@code retain()} returns and release that one;
 * the borrowed view itself is released once by whoever received it, which gives the memory back to the lender.
 *
 * <h2>Threading</h2>
 * Reference counting ({@code retain}, {@code release}, {@code refCnt}) is atomic and safe from any thread. The
 * indices and contents are not synchronised: one thread uses a buffer at a time, and hands it to another through
 * something that orders memory (a queue, the loop's hand-off, an io_uring completion).
 */
public final class UringBuffer {
    private final BufferMemory memory;
    /** This view's memory: the whole block for a root buffer, a part of it for a slice. */
    private final MemorySegment segment;
    private int readerIndex;
    private int writerIndex;

    UringBuffer(BufferMemory memory, MemorySegment segment, int readerIndex, int writerIndex) {
        this.memory = memory;
        this.segment = segment;
        this.readerIndex = readerIndex;
        this.writerIndex = writerIndex;
    }

    // ---------------------------------------------------------------------------------------------- reference count

    /**
     * Keeps the bytes beyond the current holder's release. For an owned buffer: adds a reference and returns
     * {@code this}. For a borrowed one: returns {@link #retainedCopy()} (the borrowed view's count is unchanged).
     * Either way, release the returned buffer when done.
     *
     * @throws IllegalStateException if the buffer was already released
     */
    public UringBuffer retain() {
        if (memory.isBorrowed()) {
            return retainedCopy();
        }
        memory.retain();
        return this;
    }

    /**
     * Drops one reference; at zero the memory is handed back (to the pool, or to the lender of a borrowed buffer).
     *
     * @return true if this was the last reference
     * @throws IllegalStateException if the buffer was already released
     */
    public boolean release() {
        return memory.release();
    }

    /** The current reference count (shared with slices); 0 once released. */
    public int refCnt() {
        return memory.refCnt();
    }

    /** True for a view of lent memory whose {@link #retain()} copies. */
    public boolean isBorrowed() {
        return memory.isBorrowed();
    }

    /**
     * A new owned buffer (count 1, from this buffer's allocator) holding a copy of the readable bytes, with
     * reader index 0 and writer index at their end. This buffer is unchanged.
     */
    public UringBuffer retainedCopy() {
        memory.checkAlive();
        int n = readableBytes();
        UringBuffer copy = memory.allocator.allocate(n);
        MemorySegment.copy(segment, readerIndex, copy.segment, 0, n);
        copy.writerIndex = n;
        return copy;
    }

    // ---------------------------------------------------------------------------------------------- indices

    public int capacity() {
        return (int) segment.byteSize();
    }

    public int readerIndex() {
        return readerIndex;
    }

    public int writerIndex() {
        return writerIndex;
    }

    public int readableBytes() {
        return writerIndex - readerIndex;
    }

    public int writableBytes() {
        return capacity() - writerIndex;
    }

    /** Sets the reader index; it must lie in {@code [0, writerIndex]}. */
    public UringBuffer readerIndex(int index) {
        memory.checkAlive();
        if (index < 0 || index > writerIndex) {
            throw new IndexOutOfBoundsException("reader index " + index + " not in [0, " + writerIndex + "]");
        }
        readerIndex = index;
        return this;
    }

    /** Sets the writer index; it must lie in {@code [readerIndex, capacity]}. */
    public UringBuffer writerIndex(int index) {
        memory.checkAlive();
        if (index < readerIndex || index > capacity()) {
            throw new IndexOutOfBoundsException("writer index " + index + " not in [" + readerIndex + ", "
                    + capacity() + "]");
        }
        writerIndex = index;
        return this;
    }

    /** Marks {@code n} more bytes as written, e.g. after a read completed with {@code res = n}. */
    public UringBuffer advanceWriterIndex(int n) {
        return writerIndex(writerIndex + checkCount(n, writableBytes(), "writable"));
    }

    /** Marks {@code n} readable bytes as consumed, e.g. after a write completed with {@code res = n}. */
    public UringBuffer advanceReaderIndex(int n) {
        return readerIndex(readerIndex + checkCount(n, readableBytes(), "readable"));
    }

    /** Empties the buffer: both indices to 0 (the contents are not touched). */
    public UringBuffer clear() {
        memory.checkAlive();
        readerIndex = 0;
        writerIndex = 0;
        return this;
    }

    // ---------------------------------------------------------------------------------------------- memory

    /** The whole buffer ({@code capacity} bytes), for the kernel or for direct access. */
    public MemorySegment segment() {
        memory.checkAlive();
        return segment;
    }

    /** The readable bytes {@code [readerIndex, writerIndex)}, e.g. the source of a write. */
    public MemorySegment readableSegment() {
        memory.checkAlive();
        return segment.asSlice(readerIndex, readableBytes());
    }

    /** The writable bytes {@code [writerIndex, capacity)}, e.g. the target of a read. */
    public MemorySegment writableSegment() {
        memory.checkAlive();
        return segment.asSlice(writerIndex, writableBytes());
    }

    /**
     * A view of {@code length} bytes from {@code index} (relative to this buffer's memory, ignoring the indices)
     * that shares the memory and the reference count: it is readable in full, and releasing either the slice or
     * this buffer drops the same count. Retain the slice if it must outlive the current reference.
     */
    public UringBuffer slice(int index, int length) {
        memory.checkAlive();
        Objects.checkFromIndexSize(index, length, capacity());
        return new UringBuffer(memory, segment.asSlice(index, length), 0, length);
    }

    /** {@link #slice(int, int)} of the readable bytes. */
    public UringBuffer slice() {
        return slice(readerIndex, readableBytes());
    }

    /**
     * A {@link ByteBuffer} view of the readable bytes (position 0, limit {@code readableBytes}); changes through it
     * are seen by this buffer and the other way round. Do not use it after the buffer was released.
     */
    public ByteBuffer asByteBuffer() {
        return readableSegment().asByteBuffer();
    }

    // ---------------------------------------------------------------------------------------------- copy in / out

    /** Appends all of {@code src} at the writer index. */
    public UringBuffer writeBytes(byte[] src) {
        return writeBytes(src, 0, Objects.requireNonNull(src, "src").length);
    }

    /** Appends {@code length} bytes of {@code src} from {@code offset} at the writer index. */
    public UringBuffer writeBytes(byte[] src, int offset, int length) {
        Objects.requireNonNull(src, "src");
        Objects.checkFromIndexSize(offset, length, src.length);
        memory.checkAlive();
        checkCount(length, writableBytes(), "writable");
        MemorySegment.copy(src, offset, segment, ValueLayout.JAVA_BYTE, writerIndex, length);
        writerIndex += length;
        return this;
    }

    /** Appends the remaining bytes of {@code src} (heap or direct) and advances its position past them. */
    public UringBuffer writeBytes(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        memory.checkAlive();
        int n = checkCount(src.remaining(), writableBytes(), "writable");
        MemorySegment.copy(MemorySegment.ofBuffer(src), 0, segment, writerIndex, n);
        src.position(src.position() + n);
        writerIndex += n;
        return this;
    }

    /** Fills {@code dst} from the reader index and advances it. */
    public UringBuffer readBytes(byte[] dst) {
        return readBytes(dst, 0, Objects.requireNonNull(dst, "dst").length);
    }

    /** Copies {@code length} readable bytes into {@code dst} at {@code offset} and advances the reader index. */
    public UringBuffer readBytes(byte[] dst, int offset, int length) {
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(offset, length, dst.length);
        memory.checkAlive();
        checkCount(length, readableBytes(), "readable");
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, readerIndex, dst, offset, length);
        readerIndex += length;
        return this;
    }

    /**
     * Copies {@code min(dst.remaining(), readableBytes())} bytes into {@code dst} (advancing its position) and
     * advances the reader index by as much.
     */
    public UringBuffer readBytes(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        memory.checkAlive();
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only ByteBuffer");
        }
        int n = Math.min(dst.remaining(), readableBytes());
        MemorySegment.copy(segment, readerIndex, MemorySegment.ofBuffer(dst), 0, n);
        dst.position(dst.position() + n);
        readerIndex += n;
        return this;
    }

    /** The readable bytes as a new array; the indices do not move. */
    public byte[] toByteArray() {
        return readableSegment().toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The readable bytes decoded with {@code charset} (malformed input becomes the charset's replacement); the
     * indices do not move.
     *
     * @param charset how the bytes are encoded
     * @return the decoded text
     * @throws IllegalStateException if the buffer was already released
     */
    public String toString(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return new String(toByteArray(), charset);
    }

    @Override
    public String toString() {
        return "UringBuffer[ridx=" + readerIndex + ", widx=" + writerIndex + ", cap=" + capacity()
                + ", refCnt=" + refCnt() + (isBorrowed() ? ", borrowed" : "") + "]";
    }

    /** The shared memory (tests: leak tracking). */
    BufferMemory memory() {
        return memory;
    }

    private static int checkCount(int n, int available, String what) {
        if (n < 0 || n > available) {
            throw new IndexOutOfBoundsException(n + " bytes requested, " + available + " " + what);
        }
        return n;
    }
}
