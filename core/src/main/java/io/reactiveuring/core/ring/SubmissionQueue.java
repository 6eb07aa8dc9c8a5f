package io.reactiveuring.core.ring;

import io.reactiveuring.core.binding.IoUringParamsLayout;
import io.reactiveuring.core.binding.SqeLayout;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The submission queue: the mapped SQ ring (head, tail, flags) and the SQE array, with a flyweight SQE writer.
 *
 * <p>Single producer: only the ring's owning thread may call any method. Head and tail are free-running unsigned
 * 32-bit counters; {@code tail - head} is the number of queued entries in two's-complement arithmetic, which stays
 * right across the 2^32 wrap.
 *
 * <p>SQE fields are written through the {@code *_UNALIGNED} layouts: the SQE array is mapped page-aligned and
 * every field sits at its natural offset ({@link SqeLayout}), so the alignment check that the aligned layouts make
 * on each access could never fail and only costs time on the hot path. Bounds are still checked.
 */
public final class SubmissionQueue {
    // JAVA_INT var handles over a segment take (segment, offset); aligned, so acquire/release modes work.
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final MemorySegment sqes;
    private final long headOffset;
    private final long tailOffset;
    private final long flagsOffset;
    private final long droppedOffset;
    private final int mask;
    private final int entries;

    /** Next free entry; only this thread writes the kernel's tail, so a local copy is authoritative. */
    private int tail;
    /** Tail up to which entries have been handed to {@code io_uring_enter}. */
    private int submittedTail;
    /**
     * The kernel's head as last read (acquire). The kernel only moves the head forward, so this copy can only
     * under-count the free entries; {@link #hasFree} reads the kernel's head again only when the copy shows too few.
     */
    private int knownHead;

    SubmissionQueue(MemorySegment ring, MemorySegment sqes, MemorySegment params, boolean noSqArray) {
        this.ring = ring;
        this.sqes = sqes;
        this.headOffset = params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_HEAD);
        this.tailOffset = params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_TAIL);
        this.flagsOffset = params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_FLAGS);
        this.droppedOffset = params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_DROPPED);
        this.mask = ring.get(JAVA_INT, params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_RING_MASK));
        this.entries = ring.get(JAVA_INT, params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_RING_ENTRIES));
        if (!noSqArray) {
            // Identity indirection once: SQE i always sits in slot i, so the array never changes afterwards.
            long array = params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_ARRAY);
            for (int i = 0; i < entries; i++) {
                ring.set(JAVA_INT, array + 4L * i, i);
            }
        }
        this.tail = (int) INT.getAcquire(ring, tailOffset);
        this.submittedTail = tail;
        this.knownHead = (int) INT.getAcquire(ring, headOffset);
    }

    public int entries() {
        return entries;
    }

    /** Free SQEs. The kernel advances the head inside {@code io_uring_enter}; acquire so its reads are done. */
    public int free() {
        knownHead = (int) INT.getAcquire(ring, headOffset);
        return entries - (tail - knownHead);
    }

    /**
     * True if at least {@code count} SQEs are free. Cheaper than {@link #free()} on the hot path: the kernel's head
     * is read (acquire, as there) only when the copy from the last read shows fewer than {@code count} free; an
     * entry counted free by an older read stays free, because only this thread fills entries.
     */
    public boolean hasFree(int count) {
        return entries - (tail - knownHead) >= count || free() >= count;
    }

    /** The position (free-running counter) that the next {@link #claim()} takes. */
    public int nextPosition() {
        return tail;
    }

    /**
     * True if the SQE claimed at {@code position} has not been passed to {@code io_uring_enter} yet, so the kernel
     * has not seen it and it may still be rewritten.
     */
    public boolean isUnsubmitted(int position) {
        return position - submittedTail >= 0 && tail - position > 0;
    }

    /**
     * Turns the not yet submitted SQE at {@code position} into a NOP that keeps its user_data: the kernel will run
     * nothing for it but still post its CQE, so whatever owns the entry gets its completion as usual.
     */
    public void rewriteAsNop(int position, byte nopOpcode) {
        long offset = (long) (position & mask) * SqeLayout.SIZE;
        long userData = sqes.get(JAVA_LONG_UNALIGNED, offset + SqeLayout.USER_DATA);
        for (long o = 0; o < SqeLayout.SIZE; o += 8) {
            sqes.set(JAVA_LONG_UNALIGNED, offset + o, 0L);
        }
        sqes.set(JAVA_BYTE, offset + SqeLayout.OPCODE, nopOpcode);
        sqes.set(JAVA_LONG_UNALIGNED, offset + SqeLayout.USER_DATA, userData);
    }

    /** Entries written but not yet passed to {@code io_uring_enter}. */
    public int unsubmitted() {
        return tail - submittedTail;
    }

    /**
     * Claims the next SQE, zeroed, and returns its byte offset in {@link #sqes()}; {@code -1} when the queue is
     * full (the caller submits and tries again). The kernel sees it only after {@link #publish()}.
     */
    public long claim() {
        if (!hasFree(1)) {
            return -1;
        }
        long offset = (long) (tail & mask) * SqeLayout.SIZE;
        tail++;
        // Zero the whole entry: a field left from an earlier op would change the meaning of this one.
        for (long o = 0; o < SqeLayout.SIZE; o += 8) {
            sqes.set(JAVA_LONG_UNALIGNED, offset + o, 0L);
        }
        return offset;
    }

    /**
     * Claims the next SQE without zeroing it, for a caller that writes every one of its 64 bytes; there must be a
     * free entry ({@link #hasFree}). The kernel sees it only after {@link #publish()}.
     *
     * @return its byte offset in {@link #sqes()}
     */
    public long claimUnzeroed() {
        long offset = (long) (tail & mask) * SqeLayout.SIZE;
        tail++;
        return offset;
    }

    /**
     * Makes every claimed SQE visible to the kernel: a release store of the tail, so the kernel, which
     * acquire-loads the tail, sees the SQE contents written before it.
     */
    public void publish() {
        INT.setRelease(ring, tailOffset, tail);
    }

    /** Records that {@code io_uring_enter} consumed {@code count} entries. */
    public void submitted(int count) {
        submittedTail += count;
    }

    /** {@code sq_ring->flags}: {@code IORING_SQ_CQ_OVERFLOW}, {@code IORING_SQ_TASKRUN}. Written by the kernel
     * at any time, so read with acquire. */
    public int flags() {
        return (int) INT.getAcquire(ring, flagsOffset);
    }

    /** Invalid SQEs the kernel dropped. */
    public int dropped() {
        return (int) INT.getAcquire(ring, droppedOffset);
    }

    /** The mapped SQE array; write through the {@code set*} methods with an offset from {@link #claim()}. */
    public MemorySegment sqes() {
        return sqes;
    }

    public void setOpcode(long sqe, byte opcode) {
        sqes.set(JAVA_BYTE, sqe + SqeLayout.OPCODE, opcode);
    }

    public void setFlags(long sqe, byte flags) {
        sqes.set(JAVA_BYTE, sqe + SqeLayout.FLAGS, flags);
    }

    public void setIoprio(long sqe, short ioprio) {
        sqes.set(JAVA_SHORT_UNALIGNED, sqe + SqeLayout.IOPRIO, ioprio);
    }

    public void setFd(long sqe, int fd) {
        sqes.set(JAVA_INT_UNALIGNED, sqe + SqeLayout.FD, fd);
    }

    public void setOff(long sqe, long off) {
        sqes.set(JAVA_LONG_UNALIGNED, sqe + SqeLayout.OFF, off);
    }

    public void setAddr(long sqe, long addr) {
        sqes.set(JAVA_LONG_UNALIGNED, sqe + SqeLayout.ADDR, addr);
    }

    public void setLen(long sqe, int len) {
        sqes.set(JAVA_INT_UNALIGNED, sqe + SqeLayout.LEN, len);
    }

    public void setOpFlags(long sqe, int opFlags) {
        sqes.set(JAVA_INT_UNALIGNED, sqe + SqeLayout.OP_FLAGS, opFlags);
    }

    public void setUserData(long sqe, long userData) {
        sqes.set(JAVA_LONG_UNALIGNED, sqe + SqeLayout.USER_DATA, userData);
    }

    public void setBufIndex(long sqe, short bufIndex) {
        sqes.set(JAVA_SHORT_UNALIGNED, sqe + SqeLayout.BUF_INDEX, bufIndex);
    }

    public void setPersonality(long sqe, short personality) {
        sqes.set(JAVA_SHORT_UNALIGNED, sqe + SqeLayout.PERSONALITY, personality);
    }

    public void setSpliceFdIn(long sqe, int spliceFdIn) {
        sqes.set(JAVA_INT_UNALIGNED, sqe + SqeLayout.SPLICE_FD_IN, spliceFdIn);
    }

    public void setAddr3(long sqe, long addr3) {
        sqes.set(JAVA_LONG_UNALIGNED, sqe + SqeLayout.ADDR3, addr3);
    }
}
