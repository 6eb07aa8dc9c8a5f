package io.reactiveuring.core.ring;

import io.reactiveuring.core.binding.CqeLayout;
import io.reactiveuring.core.binding.IoUringParamsLayout;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The completion queue: the mapped CQ ring and a flyweight CQE reader.
 *
 * <p>Single consumer: only the ring's owning thread may call any method. Use: {@link #acquireTail()}, read the
 * entries between {@link #head()} and that tail through {@link #userData}, {@link #res}, {@link #flags}, then
 * {@link #releaseHead(int)}. Head and tail are wrap-safe unsigned 32-bit counters.
 */
public final class CompletionQueue {
    private static final VarHandle INT = JAVA_INT.varHandle();

    static {
        // copyOut hands CQEs on as [user_data, res | flags << 32] pairs of longs (little-endian, as SqeWriter checks)
        if (CqeLayout.USER_DATA != 0 || CqeLayout.RES != 8 || CqeLayout.FLAGS != 12 || CqeLayout.SIZE != 16) {
            throw new ExceptionInInitializerError("unexpected io_uring_cqe layout");
        }
    }

    private final MemorySegment ring;
    private final long headOffset;
    private final long tailOffset;
    private final long overflowOffset;
    private final long cqesOffset;
    private final int mask;
    private final int entries;
    /** Local copy of the head: only this thread moves it. */
    private int head;

    CompletionQueue(MemorySegment ring, MemorySegment params) {
        this.ring = ring;
        this.headOffset = params.get(JAVA_INT, IoUringParamsLayout.CQ_OFF_HEAD);
        this.tailOffset = params.get(JAVA_INT, IoUringParamsLayout.CQ_OFF_TAIL);
        this.overflowOffset = params.get(JAVA_INT, IoUringParamsLayout.CQ_OFF_OVERFLOW);
        this.cqesOffset = params.get(JAVA_INT, IoUringParamsLayout.CQ_OFF_CQES);
        this.mask = ring.get(JAVA_INT, params.get(JAVA_INT, IoUringParamsLayout.CQ_OFF_RING_MASK));
        this.entries = ring.get(JAVA_INT, params.get(JAVA_INT, IoUringParamsLayout.CQ_OFF_RING_ENTRIES));
        this.head = (int) INT.getAcquire(ring, headOffset);
    }

    public int entries() {
        return entries;
    }

    public int head() {
        return head;
    }

    /** The kernel's tail, acquire: every CQE before it is fully written once we see the new tail. */
    public int acquireTail() {
        return (int) INT.getAcquire(ring, tailOffset);
    }

    /** CQEs ready to be read. */
    public int ready() {
        return acquireTail() - head;
    }

    private long cqe(int index) {
        return cqesOffset + (long) (index & mask) * CqeLayout.SIZE;
    }

    // CQE fields through the *_UNALIGNED layouts: the ring is mapped page-aligned and the CQE array 16-byte
    // aligned in it, so the per-access alignment check of the aligned layouts could never fail. Bounds are checked.

    public long userData(int index) {
        return ring.get(JAVA_LONG_UNALIGNED, cqe(index) + CqeLayout.USER_DATA);
    }

    public int res(int index) {
        return ring.get(JAVA_INT_UNALIGNED, cqe(index) + CqeLayout.RES);
    }

    public int flags(int index) {
        return ring.get(JAVA_INT_UNALIGNED, cqe(index) + CqeLayout.FLAGS);
    }

    /**
     * Copies {@code count} CQEs from {@code index} on into {@code dst} as pairs {@code [user_data, res | flags << 32]}
     * (two longs per CQE, from {@code dst[0]}), in one tight loop per contiguous run of the ring (two where it
     * wraps), so the JIT checks the segment once per run instead of twice per CQE, and a batch of one costs no more
     * than its two loads (a bulk {@code MemorySegment.copy} has a fixed cost that a single CQE does not repay). The
     * caller then releases the head past them at once, and the kernel may reuse the entries while their copies are
     * dispatched.
     *
     * @param index the first CQE (the head)
     * @param count how many, at most {@code ready()} and {@code dst.length / 2}
     * @param dst   the destination
     */
    public void copyOut(int index, int count, long[] dst) {
        int first = index & mask;
        int untilWrap = Math.min(count, entries - first);
        copyRun(cqesOffset + (long) first * CqeLayout.SIZE, dst, 0, 2 * untilWrap);
        if (untilWrap < count) {
            copyRun(cqesOffset, dst, 2 * untilWrap, 2 * (count - untilWrap));
        }
    }

    private void copyRun(long from, long[] dst, int at, int longs) {
        MemorySegment m = ring;
        for (int i = 0; i < longs; i++) {
            dst[at + i] = m.get(JAVA_LONG_UNALIGNED, from + 8L * i);
        }
    }

    /**
     * Hands the entries before {@code newHead} back to the kernel. Release: the kernel only sees the new head
     * after our reads of those CQEs are done, so it cannot overwrite one we are still reading.
     */
    public void releaseHead(int newHead) {
        head = newHead;
        INT.setRelease(ring, headOffset, newHead);
    }

    /** CQEs the kernel had to drop (only without {@code IORING_FEAT_NODROP}). */
    public int overflow() {
        return (int) INT.getAcquire(ring, overflowOffset);
    }
}
