package io.reactiveuring.core.file;

import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.ops.RegisteredBuffers;
import io.reactiveuring.core.ops.RegisteredFiles;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the file machinery registers on one ring, shared by every {@link RingFiles} over it (a ring has at most one
 * file table and one set of registered buffers): a sparse file table whose slots busy handles take, and one
 * registered region carved into power-of-two chunks for {@code READ_FIXED}. Both are registered lazily on the loop
 * thread, at their first use; if the kernel refuses (the table is someone else's: {@code EBUSY}; the memlock limit:
 * {@code ENOMEM}), that ring goes without, for good.
 *
 * <p>Threading: the file table is loop-thread only ({@code SINGLE_ISSUER} covers {@code io_uring_register}); chunks
 * are taken on any thread (at a subscription's request) and given back on any thread (a borrowed buffer's release).
 * Ownership: the region's memory is freed once the ring has ended and every chunk is back; never while the ring may
 * still use it (if the ring quarantined operations, the region is leaked on purpose).
 */
final class RingResources {
    private static final System.Logger LOG = System.getLogger("io.reactiveuring.core.file");
    private static final ConcurrentHashMap<UringLoop, RingResources> BY_LOOP = new ConcurrentHashMap<>();

    private static final int MIN_CHUNK_SHIFT = 12; // 4 KiB
    private static final int MAX_CHUNK_SHIFT = 16; // 64 KiB
    private static final int CLASSES = MAX_CHUNK_SHIFT - MIN_CHUNK_SHIFT + 1;

    private static final int REGION_NONE = 0;
    private static final int REGION_REGISTERING = 1;
    private static final int REGION_READY = 2;
    private static final int REGION_UNAVAILABLE = 3;

    private final UringLoop loop;

    // ---- file table: loop thread only
    private RegisteredFiles table;
    private BitSet usedSlots;
    private boolean tableRefused;

    // ---- registered region
    private final AtomicInteger regionState = new AtomicInteger(REGION_NONE);
    private volatile RegisteredBuffers region;
    private volatile boolean ended;
    private final AtomicBoolean regionFreed = new AtomicBoolean();
    private final AtomicInteger chunksOut = new AtomicInteger();
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array: each element is typed when it is made
    private final MpmcAtomicArrayQueue<MemorySegment>[] free = new MpmcAtomicArrayQueue[CLASSES];
    private long carved; // guarded by this

    private RingResources(UringLoop loop) {
        this.loop = loop;
    }

    /** The resources of {@code loop}, made at the first call; forgotten once the loop has ended. */
    static RingResources of(UringLoop loop) {
        RingResources r = BY_LOOP.get(loop);
        if (r != null) {
            return r;
        }
        RingResources made = new RingResources(loop);
        r = BY_LOOP.putIfAbsent(loop, made);
        if (r != null) {
            return r;
        }
        loop.addTerminationListener(made::onLoopEnded); // runs at once if the loop has already ended
        return made;
    }

    // ------------------------------------------------------------------------------------------- file table

    /**
     * Puts {@code fd} into a free slot of the ring's table (registering the table first if needed); loop thread
     * only. Returns the slot, or -1 if there is none to be had.
     */
    int claimSlot(int fd, int tableSize) {
        if (tableRefused || loop.isShuttingDown()) {
            return -1;
        }
        if (table == null) {
            try {
                table = RegisteredFiles.registerSparse(loop, tableSize);
                usedSlots = new BitSet(tableSize);
            } catch (RuntimeException e) {
                tableRefused = true;
                LOG.log(System.Logger.Level.DEBUG, "no registered file table on " + loop + ": " + e);
                return -1;
            }
        }
        int slot = usedSlots.nextClearBit(0);
        if (slot >= table.size()) {
            return -1;
        }
        try {
            table.set(slot, fd);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "registering fd " + fd + " failed: " + e);
            return -1;
        }
        usedSlots.set(slot);
        return slot;
    }

    /** Empties {@code slot} (its file reference dropped); loop thread only. */
    void releaseSlot(int slot) {
        if (table == null || !usedSlots.get(slot)) {
            return;
        }
        usedSlots.clear(slot);
        if (table.isRegistered() && !loop.isShuttingDown()) {
            try {
                table.clear(slot);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "clearing file slot " + slot + " failed: " + e);
            }
        }
    }

    /** Slots in use (loop thread; for tests and stats). */
    int slotsInUse() {
        return usedSlots == null ? 0 : usedSlots.cardinality();
    }

    // ------------------------------------------------------------------------------------------- registered region

    /**
     * A free chunk of at least {@code length} bytes (at most {@link FileOptions#MAX_FIXED_CHUNK}) of the registered
     * region, or null: none free, the region not registered (yet: the first call asks the loop to register it, and
     * this read goes without), or the ring ending. Any thread.
     */
    FixedChunk takeChunk(int length, int regionBytes) {
        if (length <= 0 || length > FileOptions.MAX_FIXED_CHUNK || ended) {
            return null;
        }
        int state = regionState.get();
        if (state != REGION_READY) {
            if (state == REGION_NONE && regionState.compareAndSet(REGION_NONE, REGION_REGISTERING)) {
                scheduleRegistration(regionBytes);
                if (regionState.get() != REGION_READY) {
                    return null;
                }
            } else {
                return null;
            }
        }
        int c = classOf(length);
        chunksOut.incrementAndGet(); // before the check: a racing end then waits for this chunk's return
        if (ended) {
            giveBackCount();
            return null;
        }
        MemorySegment s = free[c].poll();
        if (s == null) {
            s = carve(c);
        }
        if (s == null) {
            giveBackCount();
            return null;
        }
        return new FixedChunk(this, s, c);
    }

    /** Chunks handed out and not given back (any thread; for tests). */
    int chunksOut() {
        return chunksOut.get();
    }

    /** True once the region is registered (any thread; for tests and the benchmark). */
    boolean regionReady() {
        return regionState.get() == REGION_READY;
    }

    RegisteredBuffers region() {
        return region;
    }

    void giveBack(MemorySegment chunk, int sizeClass) {
        free[sizeClass].offer(chunk); // cannot fail: each queue holds every chunk its class can carve
        giveBackCount();
    }

    private void giveBackCount() {
        if (chunksOut.decrementAndGet() == 0 && ended) {
            freeRegion();
        }
    }

    private void scheduleRegistration(int bytes) {
        if (loop.inLoop()) {
            registerRegion(bytes);
            return;
        }
        try {
            loop.execute(() -> registerRegion(bytes));
        } catch (RejectedExecutionException e) {
            regionState.set(REGION_UNAVAILABLE);
        }
    }

    private void registerRegion(int bytes) {
        if (loop.isShuttingDown()) {
            regionState.set(REGION_UNAVAILABLE);
            return;
        }
        try {
            RegisteredBuffers r = RegisteredBuffers.register(loop, 1, bytes);
            for (int c = 0; c < CLASSES; c++) {
                free[c] = new MpmcAtomicArrayQueue<>(Math.max(2, bytes >> (MIN_CHUNK_SHIFT + c)));
            }
            region = r;
            regionState.set(REGION_READY);
        } catch (RuntimeException e) {
            regionState.set(REGION_UNAVAILABLE);
            LOG.log(System.Logger.Level.DEBUG, "no registered buffers on " + loop + ": " + e);
        }
    }

    private synchronized MemorySegment carve(int sizeClass) {
        MemorySegment s = free[sizeClass].poll(); // another thread may have given one back meanwhile
        if (s != null) {
            return s;
        }
        long size = 1L << (MIN_CHUNK_SHIFT + sizeClass);
        MemorySegment whole = region.buffer(0);
        long start = (carved + size - 1) & -size; // aligned to its size, for O_DIRECT
        if (start + size > whole.byteSize()) {
            return null;
        }
        carved = start + size;
        return whole.asSlice(start, size);
    }

    private static int classOf(int length) {
        int shift = 32 - Integer.numberOfLeadingZeros(Math.max(length, 1 << MIN_CHUNK_SHIFT) - 1);
        return shift - MIN_CHUNK_SHIFT;
    }

    // ------------------------------------------------------------------------------------------- the end

    private void onLoopEnded() {
        BY_LOOP.remove(loop, this);
        table = null; // the kernel dropped it with the ring
        ended = true;
        if (chunksOut.get() == 0) {
            freeRegion();
        }
    }

    private void freeRegion() {
        RegisteredBuffers r = region;
        if (r == null || !regionFreed.compareAndSet(false, true)) {
            return;
        }
        if (loop.quarantinedOperations() > 0) {
            // an op that never got its final CQE may still be writing into the region: leak it on purpose
            LOG.log(System.Logger.Level.WARNING, "registered file buffers of " + loop + " kept: the ring ended "
                    + "with operations in flight");
            return;
        }
        r.unregister(); // the ring has ended: this only frees the memory
    }

    /**
     * One chunk of the registered region, out until {@link #run()} gives it back (once): the give-back of the
     * borrowed buffer it becomes, or the op's own release when nobody received it.
     */
    static final class FixedChunk implements Runnable {
        final RingResources owner;
        final MemorySegment segment;
        private final int sizeClass;
        private final AtomicBoolean back = new AtomicBoolean();

        FixedChunk(RingResources owner, MemorySegment segment, int sizeClass) {
            this.owner = owner;
            this.segment = segment;
            this.sizeClass = sizeClass;
        }

        /** The registered buffer index the chunk lies in. */
        int bufIndex() {
            return 0;
        }

        @Override
        public void run() {
            if (back.compareAndSet(false, true)) {
                owner.giveBack(segment, sizeClass);
            }
        }
    }
}
