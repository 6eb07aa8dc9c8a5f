package io.reactiveuring.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The memory behind a {@link UringBuffer} and its slices: the native segment, the reference count they share, and
 * where the memory goes when the count reaches zero (back to its allocator's pool, its own arena closed, or, for a
 * borrowed buffer, the lender's callback). Package-private; the count is updated atomically from any thread.
 */
final class BufferMemory {
    private static final VarHandle REF_CNT;

    static {
        try {
            REF_CNT = MethodHandles.lookup().findVarHandle(BufferMemory.class, "refCnt", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The whole block (a size-class chunk, a dedicated allocation, or the lent segment). */
    final MemorySegment block;
    /** The allocator: pool to return to, allocator for copies, leak detector. */
    final BufferAllocator allocator;
    /** Size-class index in the pool, or {@link #UNPOOLED} / {@link #BORROWED}. */
    final int sizeClass;
    /** The arena of an unpooled block, closed on the final release; null otherwise. */
    final Arena ownArena;
    /** What to run on the final release of a borrowed block (give it back to the lender); null otherwise. */
    final Runnable giveBack;

    static final int UNPOOLED = -1;
    static final int BORROWED = -2;

    private volatile int refCnt = 1;

    BufferMemory(MemorySegment block, BufferAllocator allocator, int sizeClass, Arena ownArena, Runnable giveBack) {
        this.block = block;
        this.allocator = allocator;
        this.sizeClass = sizeClass;
        this.ownArena = ownArena;
        this.giveBack = giveBack;
    }

    boolean isBorrowed() {
        return sizeClass == BORROWED;
    }

    int refCnt() {
        return refCnt;
    }

    /** Adds one reference; fails if the memory was already released (a count of 0 never comes back). */
    void retain() {
        while (true) {
            int c = refCnt;
            if (c <= 0) {
                throw new IllegalStateException("buffer already released");
            }
            if (c == Integer.MAX_VALUE) {
                throw new IllegalStateException("reference count overflow");
            }
            if (REF_CNT.compareAndSet(this, c, c + 1)) {
                return;
            }
        }
    }

    /** Drops one reference; true (and the memory handed back) if it was the last one. */
    boolean release() {
        while (true) {
            int c = refCnt;
            if (c <= 0) {
                throw new IllegalStateException("buffer already released");
            }
            if (REF_CNT.compareAndSet(this, c, c - 1)) {
                if (c == 1) {
                    allocator.free(this);
                    return true;
                }
                return false;
            }
        }
    }

    void checkAlive() {
        if (refCnt <= 0) {
            throw new IllegalStateException("buffer already released");
        }
    }
}
