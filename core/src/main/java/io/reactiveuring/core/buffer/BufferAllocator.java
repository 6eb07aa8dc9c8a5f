package io.reactiveuring.core.buffer;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.NativeCallException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Hands out {@link UringBuffer}s over native memory that the allocator owns, pooled by size class. Freeing memory
 * never closes a shared arena (a handshake with every thread of the JVM): the memory comes from libc, and the
 * buffers' own reference counts guard its lifetime.
 *
 * <h2>Memory</h2>
 * <ul>
 * <li>Capacities up to {@link #MAX_POOLED_CAPACITY} are rounded up to a power of two (at least
 *     {@link #MIN_POOLED_CAPACITY}): a size class. A class carves <em>slabs</em> (anonymous {@code mmap}s of
 *     {@code max(256 KiB, 16 chunks)}) into chunks; each slab keeps a lock-free stack of its free chunks. There is no
 *     limit per class: the ten-thousandth live buffer of a class is pooled like the first. Allocation pops from the
 *     class's current slab; a release pushes its chunk back onto its own slab. Both are one compare-and-set in the
 *     common case; the class's lock is taken only when a slab changes role (its current slab ran empty, a full slab
 *     got a chunk back, a slab became wholly free), a bounded amount of work whatever the number of live buffers.
 *     A chunk is aligned to {@code min(its size class, 4096)} bytes (enough for most {@code O_DIRECT} I/O within a
 *     page).</li>
 * <li>Larger requests get a block of their own from {@code posix_memalign} (4096-byte aligned), freed with
 *     {@code free} on the final release; they are counted by {@link #unpooledAllocations()}. Whether libc keeps
 *     such a block for reuse or returns it to the OS at once is libc's policy.</li>
 * </ul>
 *
 * <h2>Returning memory after a burst</h2>
 * A slab's pages go back to the OS ({@code madvise(MADV_DONTNEED)}, its address range kept for the class's next
 * slab, so a stale raw segment never faults the JVM; ranges are unmapped only at {@link #close()}) only when all of
 * its chunks are free ("idle"), it is not its class's current
 * slab, and its class already keeps more idle slabs than {@code max(IDLE_BYTES_PER_CLASS worth (at least one),
 * a quarter of the class's mapped slabs)}. The idle slabs are the hysteresis: a class whose number of live buffers
 * swings by up to a third of its busy slabs' worth (or by {@link #IDLE_BYTES_PER_CLASS}) never unmaps and maps
 * again, which matters because a fresh mapping is faulted in page by page on first use. Once every buffer of a
 * class has been released, the quarter of {@code idle + 1} is less than the minimum, so the class keeps at most
 * its current slab and {@code IDLE_BYTES_PER_CLASS} of idle slabs: at most {@link #RETAINED_BYTES_PER_IDLE_CLASS}
 * bytes, however large the burst was ({@link #retainedBytes()} reports what is mapped now). A slab with any live
 * chunk is never unmapped, so memory that a buffer (and the kernel operation holding it) still uses is never given
 * back; a leaked buffer keeps its slab mapped for good.
 *
 * <h2>Leak detection</h2>
 * Allocators sample their allocations for {@link LeakDetection} ({@code SIMPLE}: one in 128, at most 1,000 a
 * second, by default; see its system properties): a sampled buffer that becomes unreachable unreleased is logged
 * with its allocation stack and counted in {@link #reportedLeaks()}. For tests, {@link #pooled(LeakDetector)} tracks
 * every buffer instead.
 *
 * <p>Threading: thread-safe; allocate and release from any thread. Ownership: the allocator owns all memory it hands
 * out; a buffer owns its memory by reference count until its final release. {@link #close()} refuses new
 * allocations and unmaps the pool once the last buffer is released (at once if none is live).
 *
 * <p>A {@link MemorySegment} taken from a buffer ({@link UringBuffer#segment()} and its relatives) has no lifetime
 * of its own: every method of the buffer throws after its release, but a segment kept beyond the release points at
 * memory that may be reused, or unmapped, and must not be used.
 */
public final class BufferAllocator implements AutoCloseable {
    public static final int MIN_POOLED_CAPACITY = 64;
    public static final int MAX_POOLED_CAPACITY = 64 * 1024;
    /**
     * Wholly free slabs a size class always keeps (in bytes; at least one slab), beyond which it keeps up to a quarter
     * of its mapped slabs idle.
     */
    public static final long IDLE_BYTES_PER_CLASS = 1024 * 1024;
    /**
     * What a size class keeps mapped at most once all its buffers are released: its current slab (at most 1 MiB)
     * plus {@link #IDLE_BYTES_PER_CLASS} of idle slabs.
     */
    public static final long RETAINED_BYTES_PER_IDLE_CLASS = 2 * 1024 * 1024;

    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_POOLED_CAPACITY);
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_POOLED_CAPACITY) - MIN_SHIFT + 1;
    private static final long MIN_SLAB_BYTES = 256 * 1024;
    private static final int MIN_CHUNKS_PER_SLAB = 16;
    private static final long PAGE = 4096;

    private final LeakDetector leakDetector;
    private final LeakDetection.Level leakLevel;
    private final int samplingInterval;
    /** Limit on SIMPLE samples: the JVM's, or null (unlimited; tests of the sampling rate). */
    private final LeakDetection.SampleBudget sampleBudget;
    private final AtomicReferenceArray<SizeClass> classes = new AtomicReferenceArray<>(CLASSES);
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong unpooledAllocations = new AtomicLong();
    private final AtomicLong retainedBytes = new AtomicLong();
    private final AtomicLong slabsMapped = new AtomicLong();
    private final AtomicLong slabsUnmapped = new AtomicLong();
    private final AtomicLong reportedLeaks = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean poolFreed;

    private BufferAllocator(LeakDetector leakDetector, LeakDetection.Level leakLevel, int samplingInterval,
                            LeakDetection.SampleBudget sampleBudget) {
        this.leakDetector = leakDetector;
        this.leakLevel = leakLevel;
        this.samplingInterval = samplingInterval;
        this.sampleBudget = sampleBudget;
    }

    /**
     * A pooled allocator whose leak detection has the default level and sampling interval
     * ({@link LeakDetection#level()}, {@link LeakDetection#samplingInterval()}).
     *
     * @return a new allocator
     */
    public static BufferAllocator pooled() {
        return new BufferAllocator(null, LeakDetection.level(), LeakDetection.samplingInterval(),
                LeakDetection.SIMPLE_BUDGET);
    }

    /**
     * A pooled allocator that reports every allocation and final release to {@code leakDetector} (tests). The
     * detector refers to every live buffer, so none can become unreachable: the sampled leak detection is off.
     *
     * @param leakDetector receives every allocation and final release
     * @return a new allocator
     */
    public static BufferAllocator pooled(LeakDetector leakDetector) {
        return new BufferAllocator(Objects.requireNonNull(leakDetector, "leakDetector"), LeakDetection.Level.DISABLED,
                1, null);
    }

    /**
     * A pooled allocator with its own leak detection level.
     *
     * @param level            how many allocations to track
     * @param samplingInterval at {@link LeakDetection.Level#SIMPLE}, one allocation in this many is tracked (within
     *                         the JVM's {@value LeakDetection#MAX_SIMPLE_SAMPLES_PER_SECOND} a second)
     * @return a new allocator
     * @throws IllegalArgumentException if {@code samplingInterval < 1}
     */
    public static BufferAllocator pooled(LeakDetection.Level level, int samplingInterval) {
        return pooled(level, samplingInterval, LeakDetection.SIMPLE_BUDGET);
    }

    /** {@link #pooled(LeakDetection.Level, int)} with another sample budget (null: unlimited); tests. */
    static BufferAllocator pooled(LeakDetection.Level level, int samplingInterval,
                                  LeakDetection.SampleBudget budget) {
        Objects.requireNonNull(level, "level");
        if (samplingInterval < 1) {
            throw new IllegalArgumentException("samplingInterval must be positive: " + samplingInterval);
        }
        return new BufferAllocator(null, level, samplingInterval, budget);
    }

    /**
     * An empty buffer (indices 0) of exactly {@code capacity} bytes, reference count 1.
     *
     * @param capacity the buffer's size in bytes
     * @return the new buffer
     * @throws IllegalArgumentException if {@code capacity < 0}
     * @throws IllegalStateException    if the allocator was closed
     * @throws OutOfMemoryError         if libc has no memory for it
     */
    public UringBuffer allocate(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        reserve();
        boolean tracked = LeakDetection.sample(leakLevel, samplingInterval, sampleBudget);
        BufferMemory memory;
        MemorySegment view;
        try {
            if (capacity <= MAX_POOLED_CAPACITY) {
                SizeClass sizeClass = sizeClass(classIndex(capacity));
                while (true) {
                    Slab slab = sizeClass.current;
                    int chunk = slab == null ? -1 : slab.pop();
                    if (chunk >= 0) {
                        memory = BufferMemory.pooled(this, slab, chunk, capacity, tracked);
                        view = slab.chunk(chunk, capacity);
                        break;
                    }
                    sizeClass.replaceCurrent(slab);
                }
            } else {
                MemorySegment block = allocateLarge(capacity);
                memory = BufferMemory.large(this, block, capacity, tracked);
                view = block;
            }
        } catch (RuntimeException | Error e) {
            unreserve();
            throw e;
        }
        return track(memory, view, 0);
    }

    /**
     * A buffer holding a copy of {@code bytes} (readable in full).
     *
     * @param bytes what to copy
     * @return the new buffer
     */
    public UringBuffer copyOf(byte[] bytes) {
        return allocate(Objects.requireNonNull(bytes, "bytes").length).writeBytes(bytes);
    }

    /**
     * A buffer holding a copy of the remaining bytes of {@code src}; the position of {@code src} does not move.
     *
     * @param src what to copy
     * @return the new buffer
     */
    public UringBuffer copyOf(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        return allocate(src.remaining()).writeBytes(src.duplicate());
    }

    /**
     * A borrowed buffer over {@code lent} (readable in full): a view of memory that someone else owns, e.g. a
     * provided-buffer ring's entry. Its {@link UringBuffer#retain()} returns a copy from this allocator; its final
     * {@link UringBuffer#release()} runs {@code giveBack} (once, on the releasing thread) instead of freeing
     * anything. The lender keeps {@code lent} valid until then. Sampled by the leak detection like an allocation.
     *
     * @param lent     the lender's memory
     * @param giveBack run on the final release
     * @return the borrowed buffer
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
        boolean tracked = LeakDetection.sample(leakLevel, samplingInterval, sampleBudget);
        BufferMemory memory = BufferMemory.borrowed(this, lent, giveBack, tracked);
        return track(memory, lent, (int) lent.byteSize());
    }

    /**
     * Buffers (roots, not slices) allocated or borrowed and not yet released.
     *
     * @return the number of live buffers
     */
    public long liveBuffers() {
        return live.get();
    }

    /**
     * Allocations larger than {@link #MAX_POOLED_CAPACITY}, each served by a block of its own. (Every smaller
     * allocation is pooled: a size class has no limit.)
     *
     * @return the number of such allocations so far
     */
    public long unpooledAllocations() {
        return unpooledAllocations.get();
    }

    /**
     * Native memory this allocator holds now: its mapped slabs (whether their chunks are in use or free) and the
     * large blocks not yet released. Borrowed memory is the lender's and not counted.
     *
     * @return bytes held
     */
    public long retainedBytes() {
        return retainedBytes.get();
    }

    /**
     * Buffers of this allocator that the sampled leak detection found unreachable before their final release (see
     * {@link LeakDetection}).
     *
     * @return the number of leaks reported so far
     */
    public long reportedLeaks() {
        return reportedLeaks.get();
    }

    /**
     * The sampled leak detection level of this allocator.
     *
     * @return the level ({@code DISABLED} for an allocator with a {@link LeakDetector})
     */
    public LeakDetection.Level leakDetectionLevel() {
        return leakLevel;
    }

    /** Refuses new allocations; the pool's memory is unmapped once no buffer is live (at once if none is). */
    @Override
    public void close() {
        closed = true;
        if (live.get() == 0) {
            freePool();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------------------------------------- internals

    /** Slabs mapped so far (tests: the hysteresis). */
    long slabsMapped() {
        return slabsMapped.get();
    }

    /** Slabs unmapped so far (tests: memory given back after a burst). */
    long slabsUnmapped() {
        return slabsUnmapped.get();
    }

    void countLeak() {
        reportedLeaks.incrementAndGet();
    }

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
            switch (memory.kind) {
                case BufferMemory.POOLED -> memory.slab.sizeClass().release(memory.slab, memory.chunk);
                case BufferMemory.LARGE -> {
                    long size = memory.block.byteSize();
                    LibC.free(memory.block);
                    retainedBytes.addAndGet(-size);
                }
                default -> memory.giveBack.run();
            }
        } finally {
            // after the chunk is back (and its slab listed again): a close() waiting for the last release then
            // finds every slab where freePool() looks for it
            unreserve();
        }
    }

    private MemorySegment allocateLarge(int capacity) {
        MemorySegment block;
        try {
            block = LibC.posixMemalign(PAGE, capacity);
        } catch (NativeCallException e) {
            OutOfMemoryError oom = new OutOfMemoryError("no native memory for a buffer of " + capacity + " bytes");
            oom.initCause(e);
            throw oom;
        }
        unpooledAllocations.incrementAndGet();
        retainedBytes.addAndGet(capacity);
        return block;
    }

    /** Unmaps every slab; runs once, when the allocator is closed and no buffer is live. */
    private synchronized void freePool() {
        if (poolFreed || live.get() != 0) {
            return;
        }
        poolFreed = true;
        for (int i = 0; i < CLASSES; i++) {
            SizeClass c = classes.get(i);
            if (c != null) {
                c.unmapAll();
            }
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

    private static void unmap(Slab slab) {
        int r = LibC.munmap(slab.memory);
        if (r < 0) {
            // cannot happen for a mapping of ours; the memory stays mapped, which is only a leak
            LeakDetection.log().log(System.Logger.Level.WARNING, "munmap of a buffer slab failed: errno " + -r);
        }
    }

    /**
     * The slabs of one chunk size. {@link #current} serves allocations without a lock; the lock (this object)
     * guards the list of other slabs with free chunks (partly free ones at the head, idle ones at the tail), the
     * idle count, and every change of a slab's role.
     *
     * <p>Invariant (outside the lock): a slab with a free chunk is the current slab, or listed, or about to be
     * listed by the thread whose push cleared its detached flag. A detached slab has no free chunk. So no free chunk
     * is ever lost to allocation, and at quiescence every slab is the current one or listed.
     */
    final class SizeClass {
        private final int chunkSize;
        private final long slabBytes;
        /** Idle slabs always kept: {@link #IDLE_BYTES_PER_CLASS} worth, at least one. */
        private final int minIdleSlabs;
        /** Where allocations pop from; replaced, under the lock, only when found empty. */
        volatile Slab current;
        // guarded by this
        private Slab head;
        private Slab tail;
        private int idleSlabs;
        private int mappedSlabs;
        /** Address ranges of slabs whose pages went back to the OS: still mapped, reused before a new mmap. */
        private final java.util.ArrayDeque<MemorySegment> coldRanges = new java.util.ArrayDeque<>();

        SizeClass(int chunkSize) {
            this.chunkSize = chunkSize;
            this.slabBytes = Math.max(MIN_SLAB_BYTES, (long) MIN_CHUNKS_PER_SLAB * chunkSize);
            this.minIdleSlabs = (int) Math.max(1, IDLE_BYTES_PER_CLASS / slabBytes);
        }

        /**
         * Makes another slab current because {@code seen} (the current slab a caller found empty, or null) cannot
         * serve; a no-op if someone else did it meanwhile, or if a chunk came back to {@code seen} first. The caller
         * pops again either way. A failed {@code mmap} leaves everything as it was.
         */
        void replaceCurrent(Slab seen) {
            synchronized (this) {
                if (current != seen) {
                    return;
                }
                if (seen == null) {
                    current = head != null ? take(head) : map();
                    return;
                }
                if (head == null) {
                    Slab fresh = map(); // before detaching seen, so that a failure changes nothing
                    if (!seen.tryDetach()) {
                        linkIdle(fresh); // a chunk came back to seen meanwhile: keep the new slab for later
                        return;
                    }
                    current = fresh;
                    return;
                }
                if (!seen.tryDetach()) {
                    return; // a release pushed a chunk since the caller's pop failed
                }
                // seen is detached now: out of every list, and its next push lists it again
                current = take(head);
            }
        }

        /** Gives chunk {@code index} of {@code slab} back, and applies the role changes the push calls for. */
        void release(Slab slab, int index) {
            int outcome = slab.push(index);
            if (outcome == Slab.PUSHED) {
                return;
            }
            Slab[] unmap = null;
            synchronized (this) {
                if (outcome == Slab.PUSHED_INTO_DETACHED) {
                    linkFirst(slab); // partly free: allocations take it before the idle slabs
                }
                if (slab.listed && !slab.idle && slab.freeChunks() == slab.chunks) {
                    unlink(slab);
                    linkIdle(slab);
                    unmap = trimIdle();
                }
            }
            if (unmap != null) {
                for (Slab s : unmap) {
                    if (s != null) {
                        returnToOs(s); // the syscalls outside the lock; no pop can reach these slabs any more
                    }
                }
            }
        }

        /**
         * The retention policy, applied whenever a slab becomes idle: idle slabs beyond
         * {@code max(minIdleSlabs, mappedSlabs / 4)} are closed (the last listed, i.e. idle, ones) and returned for
         * unmapping. With a quarter of the mapped slabs allowed idle, a class whose use swings by up to a third of
         * its busy slabs keeps its memory; once its buffers are all released, {@code idle <= (idle + 1) / 4} leaves
         * only the minimum.
         */
        private Slab[] trimIdle() {
            Slab[] closed = null;
            int n = 0;
            while (idleSlabs > Math.max(minIdleSlabs, mappedSlabs / 4)) {
                Slab victim = tail; // idle slabs are listed last, so the tail is one
                if (victim == null || !victim.idle) {
                    break; // cannot happen; never unmap a slab that is not known to be idle
                }
                unlink(victim);
                clearIdle(victim);
                if (!victim.tryUnmap()) {
                    // A pop of a thread that read this slab as current long ago took a chunk: not idle after all.
                    linkFirst(victim);
                    continue;
                }
                mappedSlabs--;
                if (closed == null) {
                    closed = new Slab[Math.min(idleSlabs + 1, 64)];
                } else if (n == closed.length) {
                    closed = Arrays.copyOf(closed, n * 2);
                }
                closed[n++] = victim;
            }
            return closed;
        }

        /**
         * Gives a wholly free slab's pages back to the OS ({@code MADV_DONTNEED}) but keeps its address range mapped,
         * for the class's next slab: a stale raw segment of a released buffer then reads zeros instead of faulting
         * the JVM, and bursts cannot pile up mappings. Ranges are unmapped only when the allocator is closed.
         */
        private void returnToOs(Slab slab) {
            int r = LibC.madvise(slab.memory, LibC.MADV_DONTNEED);
            if (r < 0) {
                LeakDetection.log().log(System.Logger.Level.WARNING, "madvise of a buffer slab failed: errno " + -r);
            }
            retainedBytes.addAndGet(-slab.memory.byteSize());
            slabsUnmapped.incrementAndGet();
            synchronized (this) {
                coldRanges.push(slab.memory);
            }
        }

        /** A new slab, all chunks free. Lock held: concurrent allocators of this class wait rather than map too. */
        private Slab map() {
            if (poolFreed) {
                throw new IllegalStateException("buffer allocator is closed");
            }
            MemorySegment memory = coldRanges.poll(); // a range given back to the OS earlier: reuse it first
            try {
                if (memory == null) {
                    memory = LibC.mmapAnonymous(slabBytes);
                }
            } catch (NativeCallException e) {
                OutOfMemoryError oom = new OutOfMemoryError("no memory for a buffer slab of " + slabBytes
                        + " bytes (" + e.getMessage() + ")");
                oom.initCause(e);
                throw oom;
            }
            retainedBytes.addAndGet(slabBytes);
            slabsMapped.incrementAndGet();
            mappedSlabs++;
            return new Slab(memory, chunkSize, this);
        }

        /** Unmaps the current and every listed slab: at close, when no buffer is live, so all are wholly free. */
        void unmapAll() {
            synchronized (this) {
                MemorySegment cold;
                while ((cold = coldRanges.poll()) != null) {
                    LibC.munmap(cold);
                }
                Slab s = current;
                current = null;
                if (s != null) {
                    closeAndUnmap(s);
                }
                while ((s = head) != null) {
                    closeAndUnmap(take(s));
                }
                idleSlabs = 0;
            }
        }

        private void closeAndUnmap(Slab slab) {
            if (slab.tryUnmap()) {
                mappedSlabs--;
                unmap(slab); // the allocator is closed: the range is not needed again
                retainedBytes.addAndGet(-slab.memory.byteSize());
                slabsUnmapped.incrementAndGet();
            }
            // else: a chunk is still taken (cannot be, with no buffer live); never unmap under a live buffer
        }

        /** Takes a listed slab out of the list to make it current: no longer idle. */
        private Slab take(Slab s) {
            unlink(s);
            clearIdle(s);
            return s;
        }

        /** Lists a wholly free slab last (partly free slabs serve allocations first, so idle ones stay idle). */
        private void linkIdle(Slab s) {
            linkLast(s);
            s.idle = true;
            idleSlabs++;
        }

        private void linkFirst(Slab s) {
            s.listed = true;
            s.prev = null;
            s.next = head;
            if (head != null) {
                head.prev = s;
            } else {
                tail = s;
            }
            head = s;
        }

        private void linkLast(Slab s) {
            s.listed = true;
            s.next = null;
            s.prev = tail;
            if (tail != null) {
                tail.next = s;
            } else {
                head = s;
            }
            tail = s;
        }

        private void unlink(Slab s) {
            if (s.prev != null) {
                s.prev.next = s.next;
            } else {
                head = s.next;
            }
            if (s.next != null) {
                s.next.prev = s.prev;
            } else {
                tail = s.prev;
            }
            s.prev = null;
            s.next = null;
            s.listed = false;
        }

        /** {@code s} stops being counted as idle (it is made current, or unmapped). */
        private void clearIdle(Slab s) {
            if (s.idle) {
                s.idle = false;
                idleSlabs--;
            }
        }
    }
}
