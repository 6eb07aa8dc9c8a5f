package io.reactiveuring.benchmarks.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * BASELINE for comparison only, not library code: the buffer allocator as it was at commit {@code b6e17a6}
 * ({@code core/.../buffer/BufferAllocator.java} and {@code BufferMemory.java}), reduced to allocate and release.
 * Its pooling, its per-class limit ({@value #MAX_CHUNKS_PER_CLASS} chunks), its shared arena per unpooled buffer
 * (closed on release) and its bookkeeping are kept as they were; borrowing, copies and the test leak detector are
 * left out, and the buffer is a minimal handle (memory, view, reference count) with the same three objects per
 * allocation as the old {@code UringBuffer}. The benchmarks run it beside the current allocator so that both are
 * measured in the same run.
 *
 * <p>Threading: as the original, thread-safe. Ownership: as the original, the allocator owns all memory.
 */
final class ArenaPoolBaseline implements AutoCloseable {
    static final int MIN_POOLED_CAPACITY = 64;
    static final int MAX_POOLED_CAPACITY = 64 * 1024;
    static final int MAX_CHUNKS_PER_CLASS = 4096;

    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_POOLED_CAPACITY);
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_POOLED_CAPACITY) - MIN_SHIFT + 1;
    private static final long SLAB_BYTES = 64 * 1024;
    private static final int MIN_CHUNKS_PER_SLAB = 16;
    private static final long PAGE = 4096;
    private static final int UNPOOLED = -1;

    private final Arena poolArena = Arena.ofShared();
    private final AtomicReferenceArray<SizeClass> classes = new AtomicReferenceArray<>(CLASSES);
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong unpooledAllocations = new AtomicLong();
    private volatile boolean closed;
    private boolean poolFreed;

    /** The old buffer reduced to what allocate and release touch. */
    static final class Buffer {
        private final Memory memory;
        private final MemorySegment segment;

        Buffer(Memory memory, MemorySegment segment) {
            this.memory = memory;
            this.segment = segment;
        }

        MemorySegment segment() {
            return segment;
        }

        boolean release() {
            return memory.release();
        }
    }

    /** The old {@code BufferMemory}: block, size class, own arena, reference count. */
    static final class Memory {
        private static final VarHandle REF_CNT;

        static {
            try {
                REF_CNT = MethodHandles.lookup().findVarHandle(Memory.class, "refCnt", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final MemorySegment block;
        final ArenaPoolBaseline allocator;
        final int sizeClass;
        final Arena ownArena;
        private volatile int refCnt = 1;

        Memory(MemorySegment block, ArenaPoolBaseline allocator, int sizeClass, Arena ownArena) {
            this.block = block;
            this.allocator = allocator;
            this.sizeClass = sizeClass;
            this.ownArena = ownArena;
        }

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
    }

    Buffer allocate(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        reserve();
        Memory memory = null;
        try {
            if (capacity <= MAX_POOLED_CAPACITY) {
                int index = classIndex(capacity);
                MemorySegment chunk = sizeClass(index).take();
                if (chunk != null) {
                    memory = new Memory(chunk, this, index, null);
                }
            }
            if (memory == null) {
                Arena own = Arena.ofShared();
                unpooledAllocations.incrementAndGet();
                memory = new Memory(own.allocate(Math.max(capacity, 1), PAGE), this, UNPOOLED, own);
            }
        } catch (RuntimeException | Error e) {
            unreserve();
            throw e;
        }
        return new Buffer(memory, memory.block.asSlice(0, capacity));
    }

    long liveBuffers() {
        return live.get();
    }

    long unpooledAllocations() {
        return unpooledAllocations.get();
    }

    @Override
    public void close() {
        closed = true;
        if (live.get() == 0) {
            freePool();
        }
    }

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

    void free(Memory memory) {
        try {
            if (memory.ownArena != null) {
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

    /**
     * The original's JCTools {@code MpmcAtomicArrayQueue}, created reflectively: this module does not read JCTools
     * (it runs from the class path, where it can), and the {@link Queue} calls are monomorphic, so the JIT sees
     * the same code.
     */
    @SuppressWarnings("unchecked")
    private static Queue<MemorySegment> newMpmcQueue(int capacity) {
        try {
            return (Queue<MemorySegment>) Class.forName("org.jctools.queues.atomic.MpmcAtomicArrayQueue")
                    .getConstructor(int.class).newInstance(capacity);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JCTools is on the benchmarks' class path", e);
        }
    }

    private static int classIndex(int capacity) {
        int size = Math.max(capacity, MIN_POOLED_CAPACITY);
        int shift = 32 - Integer.numberOfLeadingZeros(size - 1);
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

    private final class SizeClass {
        private final long chunkSize;
        private final Queue<MemorySegment> free = newMpmcQueue(MAX_CHUNKS_PER_CLASS);
        private int carved;

        SizeClass(long chunkSize) {
            this.chunkSize = chunkSize;
        }

        MemorySegment take() {
            MemorySegment chunk = free.poll();
            return chunk != null ? chunk : carve();
        }

        void give(MemorySegment chunk) {
            free.offer(chunk);
        }

        private synchronized MemorySegment carve() {
            MemorySegment chunk = free.poll();
            if (chunk != null) {
                return chunk;
            }
            int count = (int) Math.min(Math.max(SLAB_BYTES / chunkSize, MIN_CHUNKS_PER_SLAB),
                    MAX_CHUNKS_PER_CLASS - carved);
            if (count <= 0) {
                return null;
            }
            MemorySegment slab;
            synchronized (ArenaPoolBaseline.this) {
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
