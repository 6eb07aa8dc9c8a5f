package io.reactiveuring.core.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;

/**
 * The memory behind a {@link UringBuffer} and its slices: where the bytes live, the reference count they share, and
 * where the memory goes when the count reaches zero (its chunk back to its slab, its large block freed, or, for a
 * borrowed buffer, the lender's callback). It is also what the sampled leak detection tracks: every view of the
 * memory refers to it, so it is unreachable only when no buffer or slice over it is.
 *
 * <p>Threading: the count is updated atomically from any thread. Ownership: the allocator's; the buffers over it
 * hold it by reference count. Package-private.
 */
final class BufferMemory {
    /** A chunk of a {@link Slab}. */
    static final int POOLED = 0;
    /** A block of its own ({@code posix_memalign}), freed on the final release. */
    static final int LARGE = 1;
    /** Memory lent by someone else, handed back on the final release. */
    static final int BORROWED = 2;

    private static final VarHandle REF_CNT;

    static {
        try {
            REF_CNT = MethodHandles.lookup().findVarHandle(BufferMemory.class, "refCnt", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The allocator: pool to return to, allocator for copies, leak detection. */
    final BufferAllocator allocator;
    /** {@link #POOLED}, {@link #LARGE} or {@link #BORROWED}. */
    final int kind;
    /** The slab of a pooled chunk; null otherwise. */
    final Slab slab;
    /** The chunk index in {@link #slab}; -1 otherwise. */
    final int chunk;
    /** The whole block of a large or borrowed buffer (what is freed or lent); null for a pooled chunk. */
    final MemorySegment block;
    /** What to run on the final release of a borrowed block (give it back to the lender); null otherwise. */
    final Runnable giveBack;
    /** The sampled leak detection's record of this memory; null if not sampled. */
    final LeakDetection.Tracker leak;

    private volatile int refCnt = 1;

    private BufferMemory(BufferAllocator allocator, int kind, Slab slab, int chunk, MemorySegment block,
                         Runnable giveBack, int capacity, boolean tracked) {
        this.allocator = allocator;
        this.kind = kind;
        this.slab = slab;
        this.chunk = chunk;
        this.block = block;
        this.giveBack = giveBack;
        // last: the tracker reads the fields above; it refers to this memory only through the cleaner's phantom
        // reference, so it does not keep it reachable
        this.leak = tracked ? new LeakDetection.Tracker(this, capacity) : null;
    }

    static BufferMemory pooled(BufferAllocator allocator, Slab slab, int chunk, int capacity, boolean tracked) {
        return new BufferMemory(allocator, POOLED, slab, chunk, null, null, capacity, tracked);
    }

    static BufferMemory large(BufferAllocator allocator, MemorySegment block, int capacity, boolean tracked) {
        return new BufferMemory(allocator, LARGE, null, -1, block, null, capacity, tracked);
    }

    static BufferMemory borrowed(BufferAllocator allocator, MemorySegment lent, Runnable giveBack, boolean tracked) {
        return new BufferMemory(allocator, BORROWED, null, -1, lent, giveBack, (int) lent.byteSize(), tracked);
    }

    boolean isBorrowed() {
        return kind == BORROWED;
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
                    if (leak != null) {
                        leak.close();
                        // Until the record is closed this memory must stay reachable: otherwise the collector could
                        // find it unreachable between the last use of 'this' and close(), and report a leak that
                        // was released.
                        Reference.reachabilityFence(this);
                    }
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
