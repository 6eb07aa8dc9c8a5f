package io.reactiveuring.core.ops;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OwnedResource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The native memory one operation points at, kept until its final completion: the small structs an SQE refers to
 * (NUL-terminated paths, iovec arrays, {@code open_how}, a {@code statx} result) and the buffers it reads into or
 * writes from. It is a bump allocator over pooled chunks of a {@link BufferAllocator} (no arena per operation), and
 * an {@link OwnedResource}: attach it to the operation and the engine releases everything after the final CQE.
 *
 * <pre>{@code
 * OpMemory mem = OpMemory.of(allocator);
 * op.spec(FileOps.openat(AT_FDCWD, "/etc/hostname", O_RDONLY, 0, mem)).attach(mem);
 * loop.submit(op);   // mem is released on the loop thread after the final completion
 * }</pre>
 *
 * <p>If the operation is never submitted (a factory threw), call {@link #release()} yourself. Not thread-safe:
 * fill it on the submitting thread; the hand-off to the loop orders it for the kernel and for the release.
 */
public final class OpMemory implements SegmentAllocator, OwnedResource {
    /** Chunk size for the structs; a path or struct larger than this gets a chunk of its own size. */
    static final int CHUNK_BYTES = 512;

    private final BufferAllocator allocator;
    private final List<UringBuffer> owned = new ArrayList<>(2);
    private MemorySegment chunk;
    private long used;
    private boolean released;

    private OpMemory(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    /** Empty op memory that takes its chunks from {@code allocator}. */
    public static OpMemory of(BufferAllocator allocator) {
        return new OpMemory(Objects.requireNonNull(allocator, "allocator"));
    }

    /**
     * Zeroed native memory that lives until {@link #release()}. From {@link SegmentAllocator}, so
     * {@code allocate(layout)} and {@code allocateFrom(String)} (UTF-8, NUL-terminated) work too.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkLive();
        if (byteSize < 0 || byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            throw new IllegalArgumentException("bad size/alignment: " + byteSize + "/" + byteAlignment);
        }
        long start = chunk == null ? 0 : alignUp(chunk.address() + used, byteAlignment) - chunk.address();
        if (chunk == null || start + byteSize > chunk.byteSize()) {
            long need = byteSize + byteAlignment;
            if (need > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("op memory chunk too large: " + byteSize);
            }
            UringBuffer b = allocator.allocate((int) Math.max(CHUNK_BYTES, need));
            owned.add(b);
            chunk = b.segment();
            start = alignUp(chunk.address(), byteAlignment) - chunk.address();
        }
        used = start + byteSize;
        return chunk.asSlice(start, byteSize).fill((byte) 0);
    }

    /**
     * Takes over one reference of {@code buffer} (the caller's: {@link UringBuffer#retain()} first to keep one) and
     * releases it with this memory, e.g. the buffer a read fills. Returns the buffer.
     */
    public UringBuffer hold(UringBuffer buffer) {
        checkLive();
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.refCnt() <= 0) {
            throw new IllegalStateException("buffer already released");
        }
        owned.add(buffer);
        return buffer;
    }

    /** True once {@link #release()} ran. */
    public boolean isReleased() {
        return released;
    }

    /**
     * Gives every chunk and held buffer back. Called by the engine after the final completion when attached;
     * otherwise by the caller, once.
     *
     * @throws IllegalStateException on a second call
     */
    @Override
    public void release() {
        checkLive();
        released = true;
        chunk = null;
        RuntimeException failure = null;
        for (UringBuffer b : owned) {
            try {
                b.release();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        owned.clear();
        if (failure != null) {
            throw failure;
        }
    }

    void checkLive() {
        if (released) {
            throw new IllegalStateException("op memory already released");
        }
    }

    private static long alignUp(long address, long alignment) {
        return (address + alignment - 1) & -alignment;
    }
}
