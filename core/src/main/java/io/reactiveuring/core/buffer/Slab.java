package io.reactiveuring.core.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One anonymous mapping carved into equal chunks of one size class, with a lock-free stack of its free chunks.
 *
 * <p>The whole stack is one 64-bit word, changed only by compare-and-set: the index of the top free chunk, the
 * number of free chunks, two flags and a tag that every successful update increments. The tag rules out ABA (a pop
 * that read top {@code t} and its successor, stalled while {@code t} was taken and given back with another successor,
 * fails instead of installing a stale successor); the count makes "every chunk is free" an exact, atomic fact, so
 * a slab can be unmapped by a compare-and-set that no concurrent pop can slip past. The links between free chunks
 * live on the Java heap ({@link #nextFree}), never in the native memory: a pop from a slab that another thread
 * has just unmapped reads only Java memory and fails on the {@link #UNMAPPED} flag.
 *
 * <p>Threading: {@link #pop()} and {@link #push(int)} from any thread, lock-free. {@link #tryDetach()} and
 * {@link #tryUnmap()} are called by the holder of the owning size class's lock, which also guards the list links
 * ({@link #prev}, {@link #next}, {@link #listed}, {@link #idle}).
 *
 * <p>Ownership: the mapping belongs to the allocator; a chunk belongs to the one buffer that popped it until that
 * buffer's final release pushes it back. The mapping is unmapped only after {@link #tryUnmap()} succeeded, i.e.
 * while no chunk of it is taken.
 */
final class Slab {
    /** Most chunks per slab: indices fit in {@link #INDEX_BITS} with room for {@link #NONE}. */
    static final int MAX_CHUNKS = 4096;

    private static final int INDEX_BITS = 13;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    /** "No chunk": the successor of the last free chunk, the top of an empty stack. */
    private static final int NONE = (int) INDEX_MASK;
    private static final int COUNT_SHIFT = INDEX_BITS;
    private static final long COUNT_MASK = INDEX_MASK << COUNT_SHIFT;
    /**
     * Empty and in no list: the size class dropped it as its current slab. The push that clears the flag must put
     * the slab back where allocations find it ({@link #PUSHED_INTO_DETACHED}).
     */
    private static final long DETACHED = 1L << 26;
    /** Unmapped (or about to be): nothing may be popped. */
    private static final long UNMAPPED = 1L << 27;
    private static final int TAG_SHIFT = 28;
    private static final long TAG_ONE = 1L << TAG_SHIFT;

    /** {@link #push} result: an ordinary push. */
    static final int PUSHED = 0;
    /** {@link #push} result: the slab was detached; the caller must list it again. */
    static final int PUSHED_INTO_DETACHED = 1;
    /** {@link #push} result: every chunk is free now. */
    static final int PUSHED_LAST = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Slab.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The size class that carved it, whose lock guards its role. */
    private final BufferAllocator.SizeClass owner;
    /** The mapping (global scope: its lifetime is guarded by the chunks' reference counts, not by an arena). */
    final MemorySegment memory;
    final int chunkSize;
    final int chunks;
    /**
     * Successor of each free chunk in the stack. Written by the pusher before the compare-and-set that publishes
     * the new top, read by a popper after the volatile read of {@link #state} that saw that top; a racy read (the
     * chunk was popped and pushed again meanwhile) is harmless because the tag makes the popper's CAS fail.
     */
    private final int[] nextFree;
    private volatile long state;

    // Guarded by the owning size class's lock.
    Slab prev;
    Slab next;
    /** In the size class's list of slabs with free chunks. */
    boolean listed;
    /** Counted as idle (every chunk free) by the size class. */
    boolean idle;

    /** A slab over {@code memory} with every chunk free. */
    Slab(MemorySegment memory, int chunkSize, BufferAllocator.SizeClass owner) {
        long n = memory.byteSize() / chunkSize;
        if (n < 1 || n > MAX_CHUNKS) {
            throw new IllegalArgumentException("chunks per slab must be in [1, " + MAX_CHUNKS + "]: " + n);
        }
        this.owner = owner;
        this.memory = memory;
        this.chunkSize = chunkSize;
        this.chunks = (int) n;
        this.nextFree = new int[chunks];
        for (int i = 0; i < chunks; i++) {
            nextFree[i] = i + 1 < chunks ? i + 1 : NONE;
        }
        // a plain store in the constructor: the slab is published to other threads through the size class's
        // volatile current-slab field or its lock
        this.state = (long) chunks << COUNT_SHIFT; // top 0, tag 0, no flags
    }

    /** Takes a free chunk: its index, or -1 if none is free (or the slab is unmapped). */
    int pop() {
        while (true) {
            long s = state;
            int top = (int) (s & INDEX_MASK);
            if (top == NONE) {
                return -1; // empty, detached or unmapped: all have no top
            }
            int successor = nextFree[top];
            long updated = ((s & ~INDEX_MASK) + TAG_ONE - (1L << COUNT_SHIFT)) | successor;
            if (STATE.compareAndSet(this, s, updated)) {
                return top;
            }
        }
    }

    /**
     * Gives chunk {@code index} back (its buffer's final release).
     *
     * @return {@link #PUSHED}, {@link #PUSHED_INTO_DETACHED} (the flag is cleared by this push; the caller lists the
     *         slab) or {@link #PUSHED_LAST} (every chunk is free now; the caller applies the retention policy)
     */
    int push(int index) {
        while (true) {
            long s = state;
            int count = (int) ((s & COUNT_MASK) >>> COUNT_SHIFT);
            nextFree[index] = (int) (s & INDEX_MASK);
            long updated = ((s & ~(INDEX_MASK | DETACHED)) + TAG_ONE + (1L << COUNT_SHIFT)) | index;
            if (STATE.compareAndSet(this, s, updated)) {
                if ((s & DETACHED) != 0) {
                    return PUSHED_INTO_DETACHED;
                }
                return count + 1 == chunks ? PUSHED_LAST : PUSHED;
            }
        }
    }

    /**
     * Marks an empty slab detached so that the next push reports it; fails (false) if a chunk came back first,
     * in which case the slab can still serve allocations. Size-class lock held.
     */
    boolean tryDetach() {
        long s = state;
        if ((s & COUNT_MASK) != 0 || (s & (DETACHED | UNMAPPED)) != 0) {
            return false;
        }
        return STATE.compareAndSet(this, s, (s + TAG_ONE) | DETACHED);
    }

    /**
     * Closes a slab whose chunks are all free for good: no pop can succeed afterwards. Fails (false) if any chunk
     * is taken, which a concurrent pop may have done a moment ago. Size-class lock held.
     */
    boolean tryUnmap() {
        long s = state;
        if ((int) ((s & COUNT_MASK) >>> COUNT_SHIFT) != chunks || (s & (DETACHED | UNMAPPED)) != 0) {
            return false;
        }
        long closed = ((s & ~(INDEX_MASK | COUNT_MASK)) + TAG_ONE) | UNMAPPED | NONE;
        return STATE.compareAndSet(this, s, closed);
    }

    BufferAllocator.SizeClass sizeClass() {
        return owner;
    }

    /** Free chunks now (a snapshot). */
    int freeChunks() {
        return (int) ((state & COUNT_MASK) >>> COUNT_SHIFT);
    }

    /** The {@code length} bytes at the start of chunk {@code index}. */
    MemorySegment chunk(int index, int length) {
        return memory.asSlice((long) index * chunkSize, length);
    }
}
