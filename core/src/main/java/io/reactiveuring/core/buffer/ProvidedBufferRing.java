package io.reactiveuring.core.buffer;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.IoUringBufLayout;
import io.reactiveuring.core.binding.IoUringBufRegLayout;
import io.reactiveuring.core.binding.NativeCallException;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

import static io.reactiveuring.core.linux.IoUring.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}): a group of equally sized buffers that the kernel
 * picks from when an op asks for buffer selection ({@code IOSQE_BUFFER_SELECT} + this {@link #groupId()}), e.g. a
 * multishot recv. A completion that used a buffer has {@code IORING_CQE_F_BUFFER} and the buffer id in the upper 16
 * bits of its flags ({@link #bufferId(int)}); the buffer then belongs to the application until it is given back with
 * {@link #recycle(int)}.
 *
 * <p>Memory: the ring ({@code struct io_uring_buf} entries, tail at byte 14) and the buffers come from an arena the
 * library owns; the ring is page aligned (aligned to 64 KiB, the largest page size of x86_64 and aarch64, and sized to
 * whole pages, as the kernel pins it page by page). The application publishes new entries with a release store of
 * the 16-bit tail, so the kernel, which load-acquires the tail, sees complete entries.
 *
 * <p>Lifetime: every op that selects from this group holds a {@link #lease()} (attached as its
 * {@link OwnedResource}, released by the engine after its final completion). {@link #close()} marks the ring closed;
 * it is unregistered and its memory freed only when the last lease is released, so the kernel never picks or fills
 * a freed buffer. If the loop ended while an op never completed (its memory quarantined), the lease is never
 * released and the memory is never freed, on purpose. Buffers the application still holds become inaccessible
 * (access fails with {@link IllegalStateException}) once the memory is freed.
 *
 * <p>Threading: confined to its loop's thread ({@link #register}, {@link #lease()}, {@link #recycle}, {@link #take},
 * buffer access), except {@link #registerAsync} and {@link #close()}, which may be called from any thread.
 */
public final class ProvidedBufferRing implements AutoCloseable {
    /** The kernel refuses 65536 and more: its 16-bit head and tail could not tell a full ring from an empty one. */
    private static final int MAX_ENTRIES = 32768;
    /** Largest page size among the supported architectures (aarch64 with 64 KiB pages); 4 KiB pages divide it. */
    private static final long RING_ALIGNMENT = 64 * 1024;

    // JAVA_SHORT var handle over (segment, offset): release mode for publishing the tail.
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();

    private final UringLoop loop;
    private final int groupId;
    private final int entries;
    private final int bufferSize;
    private final int mask;
    private final Arena arena;
    private final MemorySegment ring;
    private final MemorySegment buffers;
    /** True while buffer {@code bid} is in the ring (the kernel may pick it); false while the application holds it. */
    private final boolean[] inRing;

    /** The next tail value to publish; only this thread writes the tail, so this copy is authoritative. */
    private short tail;
    private int available;
    private int leases;
    private volatile boolean closed;
    private volatile boolean freed;
    private final OwnedResource leaseRelease = this::releaseLease;

    private ProvidedBufferRing(UringLoop loop, int groupId, int entries, int bufferSize) {
        this.loop = loop;
        this.groupId = groupId;
        this.entries = entries;
        this.bufferSize = bufferSize;
        this.mask = entries - 1;
        this.arena = Arena.ofShared();
        long ringBytes = roundUp(entries * IoUringBufLayout.SIZE, RING_ALIGNMENT);
        this.ring = arena.allocate(ringBytes, RING_ALIGNMENT);
        this.ring.fill((byte) 0);
        this.buffers = arena.allocate((long) entries * bufferSize, 64);
        this.inRing = new boolean[entries];
    }

    /**
     * Registers a ring of {@code entries} buffers of {@code bufferSize} bytes as buffer group {@code groupId} of
     * {@code loop}'s ring, all buffers provided. Loop thread only ({@code io_uring_register} under
     * {@code SINGLE_ISSUER}); see {@link #registerAsync} from elsewhere.
     *
     * @throws IllegalArgumentException if {@code entries} is not a power of two in [1, 32768], the buffer size is not
     *                                  positive, or the group id is outside [0, 65535]
     * @throws IllegalStateException    if not called on the loop thread
     * @throws NativeCallException      if the kernel refused ({@code EEXIST}: the group id is taken)
     */
    public static ProvidedBufferRing register(UringLoop loop, int groupId, int entries, int bufferSize) {
        Objects.requireNonNull(loop, "loop");
        if (entries < 1 || entries > MAX_ENTRIES || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries must be a power of two in [1, "
                    + MAX_ENTRIES + "]: " + entries);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        if (groupId < 0 || groupId > 0xFFFF) {
            throw new IllegalArgumentException("groupId must be in [0, 65535]: " + groupId);
        }
        if (!loop.inLoop()) {
            throw new IllegalStateException("register a provided-buffer ring on the loop thread (registerAsync)");
        }
        ProvidedBufferRing pbr = new ProvidedBufferRing(loop, groupId, entries, bufferSize);
        int r;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = pbr.registration(tmp);
            reg.set(JAVA_LONG, IoUringBufRegLayout.RING_ADDR, pbr.ring.address());
            reg.set(JAVA_INT, IoUringBufRegLayout.RING_ENTRIES, entries);
            r = loop.register(IORING_REGISTER_PBUF_RING, reg, 1);
        } catch (RuntimeException | Error e) {
            pbr.arena.close();
            throw e;
        }
        if (r < 0) {
            pbr.arena.close();
            throw new NativeCallException("io_uring_register(IORING_REGISTER_PBUF_RING, bgid=" + groupId + ")", -r);
        }
        for (int bid = 0; bid < entries; bid++) {
            pbr.add(bid);
        }
        pbr.publish();
        return pbr;
    }

    /** {@link #register} run on {@code loop}'s thread; the future completes there. */
    public static CompletableFuture<ProvidedBufferRing> registerAsync(UringLoop loop, int groupId, int entries,
                                                                      int bufferSize) {
        Objects.requireNonNull(loop, "loop");
        CompletableFuture<ProvidedBufferRing> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(register(loop, groupId, entries, bufferSize));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** True if a completion's {@code flags} name a selected buffer. */
    public static boolean hasBuffer(int cqeFlags) {
        return (cqeFlags & IORING_CQE_F_BUFFER) != 0;
    }

    /** The buffer id in a completion's {@code flags} (valid only if {@link #hasBuffer}). */
    public static int bufferId(int cqeFlags) {
        return cqeFlags >>> IORING_CQE_BUFFER_SHIFT;
    }

    /** The loop whose ring this buffer group is registered with; its thread is the only one that may use it. */
    public UringLoop loop() {
        return loop;
    }

    public int groupId() {
        return groupId;
    }

    public int entries() {
        return entries;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** Buffers currently in the ring (published, not yet known to be picked); loop thread. */
    public int available() {
        return available;
    }

    /** True once {@link #close()} was requested. */
    public boolean isClosed() {
        return closed;
    }

    /** True once the ring was unregistered and its memory freed. */
    public boolean isFreed() {
        return freed;
    }

    /**
     * Takes ownership of the buffer a completion names and returns its id: until {@link #recycle(int)} the kernel
     * will not pick it. Loop thread.
     *
     * @throws IllegalArgumentException if {@code cqeFlags} name no buffer or an id outside this ring
     * @throws IllegalStateException    if the buffer is already held by the application
     */
    public int take(int cqeFlags) {
        checkThread();
        if (!hasBuffer(cqeFlags)) {
            throw new IllegalArgumentException("completion flags 0x" + Integer.toHexString(cqeFlags)
                    + " name no buffer (IORING_CQE_F_BUFFER unset)");
        }
        int bid = checkBid(bufferId(cqeFlags));
        if (!inRing[bid]) {
            throw new IllegalStateException("buffer " + bid + " of group " + groupId + " is already held");
        }
        inRing[bid] = false;
        available--;
        return bid;
    }

    /** The whole buffer {@code bid} (its first {@code res} bytes are what a recv received). */
    public MemorySegment buffer(int bid) {
        checkThread();
        checkBid(bid);
        return buffers.asSlice((long) bid * bufferSize, bufferSize);
    }

    /** The first {@code length} bytes of buffer {@code bid}. */
    public MemorySegment buffer(int bid, int length) {
        if (length < 0 || length > bufferSize) {
            throw new IllegalArgumentException("length must be in [0, " + bufferSize + "]: " + length);
        }
        return buffer(bid).asSlice(0, length);
    }

    /**
     * Gives buffer {@code bid} back to the kernel: written at the tail and published at once. A no-op once the ring
     * is closed. Loop thread.
     *
     * @throws IllegalStateException if the buffer is not held by the application (already recycled)
     */
    public void recycle(int bid) {
        checkThread();
        checkBid(bid);
        if (closed) {
            return;
        }
        if (inRing[bid]) {
            throw new IllegalStateException("buffer " + bid + " of group " + groupId + " is already in the ring");
        }
        add(bid);
        publish();
    }

    /**
     * A lease for one op that selects buffers from this ring: attach it to the op ({@code op.attach(ring.lease())});
     * the engine releases it after the op's final completion. Loop thread.
     *
     * @throws IllegalStateException if the ring is closed
     */
    public OwnedResource lease() {
        checkThread();
        if (closed) {
            throw new IllegalStateException("provided-buffer ring " + groupId + " is closed");
        }
        leases++;
        return leaseRelease;
    }

    /** Leases not yet released, i.e. ops that may still pick from the ring; loop thread. */
    public int leases() {
        return leases;
    }

    /**
     * Closes the ring: no new leases; unregistered and freed once no op holds a lease (at once if none does). From
     * any thread; the work runs on the loop thread (or here, if the loop has ended).
     */
    @Override
    public void close() {
        if (loop.inLoop()) {
            closeOnLoop();
            return;
        }
        try {
            loop.execute(this::closeOnLoop);
        } catch (RejectedExecutionException loopEnded) {
            // The ring is gone with its loop; the loop thread has finished, so its writes are visible here
            // (termination is published through the loop's volatile state).
            closed = true;
            if (leases == 0) {
                free();
            }
        }
    }

    private void closeOnLoop() {
        closed = true;
        if (leases == 0) {
            unregisterAndFree();
        }
    }

    private void releaseLease() {
        leases--;
        if (leases == 0 && closed) {
            unregisterAndFree();
        }
    }

    private void unregisterAndFree() {
        if (freed) {
            return;
        }
        if (!loop.isTerminated()) {
            try (Arena tmp = Arena.ofConfined()) {
                int r = loop.register(IORING_UNREGISTER_PBUF_RING, registration(tmp), 1);
                if (r < 0 && r != -Errno.ENOENT) {
                    // Still registered: the kernel may pick from the ring; leak it rather than free it.
                    throw new NativeCallException("io_uring_register(IORING_UNREGISTER_PBUF_RING, bgid="
                            + groupId + ")", -r);
                }
            } catch (IllegalStateException notOnRing) {
                // The ring closed meanwhile, or the last lease was released on another thread by an op the closing
                // loop rejected. Either way no op holds a lease, so nothing will make the kernel touch the ring.
            }
        }
        free();
    }

    /** Synchronized: after the loop ended, a close() on another thread and a late lease release may race here. */
    private synchronized void free() {
        if (!freed) {
            freed = true;
            arena.close();
        }
    }

    /** A zeroed {@code io_uring_buf_reg} naming this group (the reserved words must stay 0). */
    private MemorySegment registration(Arena tmp) {
        MemorySegment reg = tmp.allocate(IoUringBufRegLayout.LAYOUT);
        reg.fill((byte) 0);
        reg.set(JAVA_SHORT, IoUringBufRegLayout.BGID, (short) groupId);
        return reg;
    }

    /** Writes buffer {@code bid} into the entry at the (unpublished) tail. */
    private void add(int bid) {
        long entry = (long) (tail & mask) * IoUringBufLayout.SIZE;
        ring.set(JAVA_LONG, entry + IoUringBufLayout.ADDR, buffers.address() + (long) bid * bufferSize);
        ring.set(JAVA_INT, entry + IoUringBufLayout.LEN, bufferSize);
        ring.set(JAVA_SHORT, entry + IoUringBufLayout.BID, (short) bid);
        tail++;
        inRing[bid] = true;
        available++;
    }

    /** Release store of the tail: the kernel load-acquires it, so it sees the entries written before. */
    private void publish() {
        SHORT.setRelease(ring, IoUringBufLayout.RING_TAIL, tail);
    }

    private int checkBid(int bid) {
        if (bid < 0 || bid >= entries) {
            throw new IllegalArgumentException("buffer id " + bid + " outside [0, " + entries + ")");
        }
        return bid;
    }

    private void checkThread() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("a provided-buffer ring is used on its loop thread only");
        }
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    @Override
    public String toString() {
        return "ProvidedBufferRing[group=" + groupId + ", entries=" + entries + ", bufferSize=" + bufferSize
                + ", closed=" + closed + "]";
    }
}
