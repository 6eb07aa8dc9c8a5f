package io.reactiveuring.core.engine;

import io.reactiveuring.core.binding.KernelTimespecLayout;
import io.reactiveuring.core.binding.SqeLayout;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A flyweight over the one SQE being prepared, handed to {@link UringOperation#prepare(SqeWriter)}: by then the
 * engine has written the whole SQE from the op's {@link OpSpec}, its flags and its user_data; a long-lived operation
 * that re-submits itself changes only the fields that differ per submission (a new buffer address and length), so
 * its re-submission allocates nothing. The writer offers no way to touch the flags or user_data, which are the
 * engine's.
 *
 * <p>Threading: loop thread only, and only inside {@code prepare}; the writer points to another SQE afterwards, so
 * never keep it. Ownership: memory an address points to must stay valid until the op's final completion.
 */
public final class SqeWriter {
    static {
        // The packed writes assume the SQE's little-endian layout, as on x86_64 and aarch64 (Uring.isAvailable
        // refuses other architectures).
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("reactive-uring needs a little-endian machine");
        }
    }

    private final MemorySegment sqes;
    private final MemorySegment scratch;
    private long sqe;
    private long scratchOffset;

    SqeWriter(MemorySegment sqes, MemorySegment scratch) {
        this.sqes = sqes;
        this.scratch = scratch;
    }

    /** Points the writer at the SQE at byte offset {@code sqe} and the slot's scratch memory at {@code scratch}. */
    void at(long sqe, long scratchOffset) {
        this.sqe = sqe;
        this.scratchOffset = scratchOffset;
    }

    /**
     * The whole SQE in eight stores, flags and user_data included ({@code word0} carries opcode, flags, ioprio and
     * fd): one method over one segment, so the JIT checks the segment once for all of them.
     */
    void entry(long word0, long off, long addr, long word3, long userData, long word5, long addr3) {
        MemorySegment m = sqes;
        long o = sqe;
        m.set(JAVA_LONG_UNALIGNED, o, word0);
        m.set(JAVA_LONG_UNALIGNED, o + SqeLayout.OFF, off);
        m.set(JAVA_LONG_UNALIGNED, o + SqeLayout.ADDR, addr);
        m.set(JAVA_LONG_UNALIGNED, o + SqeLayout.LEN, word3);
        m.set(JAVA_LONG_UNALIGNED, o + SqeLayout.USER_DATA, userData);
        m.set(JAVA_LONG_UNALIGNED, o + SqeLayout.BUF_INDEX, word5);
        m.set(JAVA_LONG_UNALIGNED, o + SqeLayout.ADDR3, addr3);
        m.set(JAVA_LONG_UNALIGNED, o + SqeLayout.PAD2, 0L);
    }

    /** Writes a {@code __kernel_timespec} of {@code nanos} into the slot's scratch memory; returns its address. */
    long timespec(long nanos) {
        scratch.set(JAVA_LONG_UNALIGNED, scratchOffset + KernelTimespecLayout.TV_SEC, nanos / 1_000_000_000L);
        scratch.set(JAVA_LONG_UNALIGNED, scratchOffset + KernelTimespecLayout.TV_NSEC, nanos % 1_000_000_000L);
        return scratch.address() + scratchOffset;
    }

    /** @param fd the fd @return this writer */
    public SqeWriter fd(int fd) {
        sqes.set(JAVA_INT_UNALIGNED, sqe + SqeLayout.FD, fd);
        return this;
    }

    /** @param off the off field (file offset, addr2) @return this writer */
    public SqeWriter off(long off) {
        sqes.set(JAVA_LONG_UNALIGNED, sqe + SqeLayout.OFF, off);
        return this;
    }

    /** @param addr the addr field (a buffer address) @return this writer */
    public SqeWriter addr(long addr) {
        sqes.set(JAVA_LONG_UNALIGNED, sqe + SqeLayout.ADDR, addr);
        return this;
    }

    /** @param len the len field (a byte count, an iovec count) @return this writer */
    public SqeWriter len(int len) {
        sqes.set(JAVA_INT_UNALIGNED, sqe + SqeLayout.LEN, len);
        return this;
    }

    /** @param opFlags the op-specific flags ({@code msg_flags}, {@code rw_flags}, ...) @return this writer */
    public SqeWriter opFlags(int opFlags) {
        sqes.set(JAVA_INT_UNALIGNED, sqe + SqeLayout.OP_FLAGS, opFlags);
        return this;
    }

    /** @param ioprio the ioprio field (also send/recv flags such as {@code IORING_RECVSEND_POLL_FIRST}) @return this */
    public SqeWriter ioprio(int ioprio) {
        sqes.set(JAVA_SHORT_UNALIGNED, sqe + SqeLayout.IOPRIO, (short) ioprio);
        return this;
    }

    /** @param bufIndex the buf_index / buf_group field @return this writer */
    public SqeWriter bufIndex(int bufIndex) {
        sqes.set(JAVA_SHORT_UNALIGNED, sqe + SqeLayout.BUF_INDEX, (short) bufIndex);
        return this;
    }

    /** @param addr3 the addr3 field @return this writer */
    public SqeWriter addr3(long addr3) {
        sqes.set(JAVA_LONG_UNALIGNED, sqe + SqeLayout.ADDR3, addr3);
        return this;
    }
}
