package io.reactiveuring.core.buffer;

import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Hands out {@link UringBuffer}s over native memory that the allocator owns, pooled by size class so that the hot
 * path creates no arena: capacities up to {@link #MAX_POOLED_CAPACITY} are rounded up to a power of two (at least
 * {@link #MIN_POOLED_CAPACITY}) and carved from slabs of one shared arena; a released buffer's chunk goes back to
 * a lock-free free list of its class and is reused. Larger requests, and requests beyond a class's
 * {@link #MAX_CHUNKS_PER_CLASS} chunks, get an arena of their own, closed on release. A pooled chunk is aligned to
 * {@code min(its size class, 4096)} bytes (enough for most {@code O_DIRECT} I/O within a page).
 *
 * <p>Thread-safe: allocate and release from any thread. Memory is never freed while a buffer over it is live; the
 * pool does not shrink. {@link #close()} refuses new allocations and frees the pool's memory once the last buffer
 * is released (at once if none is live).
 */
public final class BufferAllocator implements AutoCloseable {
    public static final int MIN_POOLED_CAPACITY = 64;
    public static final int MAX_POOLED_CAPACITY = 64 * 1024;
    /** Upper bound of chunks carved for one size class; beyond it allocations are unpooled. */
    public static final int MAX_CHUNKS_PER_CLASS = 4096;

    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_POOLED_CAPACITY);
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_POOLED_CAPACITY) - MIN_SHIFT + 1;
    private static final long SLAB_BYTES = 64 * 1024;
    private static final int MIN_CHUNKS_PER_SLAB = 16;
    private static final long PAGE = 4096;

    private final LeakDetector leakDetector;
    private final Arena poolArena = Arena.ofShared();
    private final AtomicReferenceArray<SizeClass> classes = new AtomicReferenceArray<>(CLASSES);
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong unpooledAllocations = new AtomicLong();
    private volatile boolean closed;
    private boolean poolFreed;

    private BufferAllocator(LeakDetector leakDetector) {
        this.leakDetector = leakDetector;
    }

    /** A pooled allocator without leak tracking. */
    public static BufferAllocator pooled() {
        return new BufferAllocator(null);
    }

    /** A pooled allocator that reports every allocation and final release to {@code leakDetector} (tests). */
    public static BufferAllocator pooled(LeakDetector leakDetector) {
        return new BufferAllocator(Objects.requireNonNull(leakDetector, "leakDetector"));
    }

    /**
     * An empty buffer (indices 0) of exactly {@code capacity} bytes, reference count 1.
     *
     * @throws IllegalArgumentException if {@code capacity < 0}
     * @throws IllegalStateException    if the allocator was closed
     */
    public UringBuffer allocate(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        reserve();
        BufferMemory memory = null;
        try {
            if (capacity <= MAX_POOLED_CAPACITY) {
                int index = classIndex(capacity);
                MemorySegment chunk = sizeClass(index).take();
                if (chunk != null) {
                    memory = new BufferMemory(chunk, this, index, null, null);
                }
            }
            if (memory == null) {
                Arena own = Arena.ofShared();
                unpooledAllocations.incrementAndGet();
                memory = new BufferMemory(own.allocate(Math.max(capacity, 1), PAGE), this, BufferMemory.UNPOOLED,
                        own, null);
            }
        } catch (RuntimeException | Error e) {
            unreserve();
            throw e;
        }
        return track(memory, memory.block.asSlice(0, capacity), 0);
    }

    /** A buffer holding a copy of {@code bytes} (readable in full). */
    public UringBuffer copyOf(byte[] bytes) {
        return allocate(Objects.requireNonNull(bytes, "bytes").length).writeBytes(bytes);
    }

    /** A buffer holding a copy of the remaining bytes of {@code src}; the position of {@code src} does not move. */
    public UringBuffer copyOf(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        return allocate(src.remaining()).writeBytes(src.duplicate());
    }

    /**
     * A borrowed buffer over {@code lent} (readable in full): a view of memory that someone else owns, e.g. a
     * provided-buffer ring's entry. Its {@link UringBuffer#retain()} returns a copy from this allocator; its final
     * {@link UringBuffer#release()} runs {@code giveBack} (once, on the releasing thread) instead of freeing
     * anything. The lender keeps {@code lent} valid until then.
     *
     * @throws IllegalArgumentException if {@code lent} is not native memory
     */
    public UringBuffer borrow(MemorySegment lent, Runnable giveBack) {
        Objects.requireNonNull(lent, "lent");
        Objects.requireNonNull(giveBack, "giveBack");
        if (!lent.isNative()) {
            throw new IllegalArgumentException("a borrowed buffer must be native memory");
        }
        if (lent.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a buffer holds at most " + Integer.MAX_VALUE + " bytes");
        }
        reserve();
        BufferMemory memory = new BufferMemory(lent, this, BufferMemory.BORROWED, null, giveBack);
        return track(memory, lent, (int) lent.byteSize());
    }

    /** Buffers (roots, not slices) allocated or borrowed and not yet released. */
    public long liveBuffers() {
        return live.get();
    }

    /** Allocations that could not be served from the pool (too large, or the class was exhausted). */
    public long unpooledAllocations() {
        return unpooledAllocations.get();
    }

    /** Refuses new allocations; the pool's memory is freed once no buffer is live. */
    @Override
    public void close() {
        closed = true;
        if (live.get() == 0) {
            freePool();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------------------------------------- internals

    /**
     * Counts a buffer as live before touching the pool, then checks for close: with {@link #close()} writing
     * {@code closed} before reading {@code live}, one side always sees the other, so the pool is never freed under
     * an allocation in progress.
     */
    private void reserve() {
        live.incrementAndGet();
        if (closed) {
            unreserve();
            throw new IllegalStateException("buffer allocator is closed");
        }
    }

    private void unreserve() {
        if (live.decrementAndGet() == 0 && closed) {
            freePool();
        }
    }

    private UringBuffer track(BufferMemory memory, MemorySegment view, int writerIndex) {
        if (leakDetector != null) {
            leakDetector.track(memory, (memory.isBorrowed() ? "borrowed " : "") + "UringBuffer of "
                    + view.byteSize() + " bytes");
        }
        return new UringBuffer(memory, view, 0, writerIndex);
    }

    /** The final release of {@code memory}, from {@link BufferMemory#release()} on any thread. */
    void free(BufferMemory memory) {
        if (leakDetector != null) {
            leakDetector.untrack(memory);
        }
        try {
            if (memory.isBorrowed()) {
                memory.giveBack.run();
            } else if (memory.ownArena != null) {
                memory.ownArena.close();
            } else {
                classes.get(memory.sizeClass).give(memory.block);
            }
        } finally {
            unreserve();
        }
    }

    private synchronized void freePool() {
        if (!poolFreed && live.get() == 0) {
            poolFreed = true;
            poolArena.close();
        }
    }

    private static int classIndex(int capacity) {
        int size = Math.max(capacity, MIN_POOLED_CAPACITY);
        int shift = 32 - Integer.numberOfLeadingZeros(size - 1); // ceil(log2(size))
        return shift - MIN_SHIFT;
    }

    private SizeClass sizeClass(int index) {
        SizeClass c = classes.get(index);
        if (c == null) {
            classes.compareAndSet(index, null, new SizeClass(MIN_POOLED_CAPACITY << index));
            c = classes.get(index);
        }
        return c;
    }

    /** Free chunks of one size; carves a new slab from the pool arena when empty, up to the class limit. */
    private final class SizeClass {
        private final long chunkSize;
        private final MpmcAtomicArrayQueue<MemorySegment> free = new MpmcAtomicArrayQueue<>(MAX_CHUNKS_PER_CLASS);
        private int carved; // guarded by this

        SizeClass(long chunkSize) {
            this.chunkSize = chunkSize;
        }

        MemorySegment take() {
            MemorySegment chunk = free.poll();
            return chunk != null ? chunk : carve();
        }

        void give(MemorySegment chunk) {
            // cannot fail: the queue holds as many entries as chunks can ever be carved
            free.offer(chunk);
        }

        private synchronized MemorySegment carve() {
            MemorySegment chunk = free.poll(); // another thread may have refilled meanwhile
            if (chunk != null) {
                return chunk;
            }
            int count = (int) Math.min(Math.max(SLAB_BYTES / chunkSize, MIN_CHUNKS_PER_SLAB),
                    MAX_CHUNKS_PER_CLASS - carved);
            if (count <= 0) {
                return null;
            }
            MemorySegment slab;
            synchronized (BufferAllocator.this) {
                if (poolFreed) {
                    return null;
                }
                slab = poolArena.allocate(chunkSize * count, Math.min(chunkSize, PAGE));
            }
            carved += count;
            for (int i = 1; i < count; i++) {
                free.offer(slab.asSlice(i * chunkSize, chunkSize));
            }
            return slab.asSlice(0, chunkSize);
        }
    }
}
