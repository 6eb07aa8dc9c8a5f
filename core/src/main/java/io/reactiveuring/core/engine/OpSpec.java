package io.reactiveuring.core.engine;

import io.reactiveuring.core.binding.IoUring;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

import static io.reactiveuring.core.binding.IoUring.*;

/**
 * The description of one submission queue entry: every SQE field, plus the few small structs the engine writes
 * into the slot's scratch memory at preparation time (a {@code __kernel_timespec} for timeouts). The engine has
 * exactly one preparation path that copies a spec into an SQE ({@link UringLoop}), so adding an op means adding a
 * factory here, never a new submit path.
 *
 * <p>Ownership: memory that an address field points to (buffers, iovecs, paths) is owned by the caller and must
 * stay valid until the op's final completion; attach it to the {@link UringOperation} as an
 * {@link OwnedResource} to have the engine release it then. Heap segments are refused: the kernel may write
 * asynchronously. A spec is mutable while built; once handed to {@link UringOperation#spec(OpSpec)} treat it as
 * immutable: it may be read by the loop thread at any later time, and may be shared by many operations.
 */
public final class OpSpec {
    byte opcode;
    byte sqeFlags;
    short ioprio;
    int fd = -1;
    long off;
    long addr;
    int len;
    int opFlags;
    short bufIndex;
    short personality;
    int spliceFdIn;
    long addr3;
    /** When >= 0, a timespec with this many nanoseconds is written to scratch and {@code addr} points to it. */
    long timespecNanos = -1;
    /** The scope of the memory {@code addr} points to, when a factory got a segment: re-checked at submit. */
    MemorySegment.Scope memoryScope;

    private OpSpec(byte opcode) {
        this.opcode = opcode;
    }

    /** A spec with only the opcode set; the rest through the field setters. */
    public static OpSpec of(byte opcode) {
        return new OpSpec(opcode);
    }

    /** {@code IORING_OP_NOP}: completes with 0. */
    public static OpSpec nop() {
        return new OpSpec(IORING_OP_NOP);
    }

    /**
     * {@code IORING_OP_READ} of up to {@code buffer.byteSize()} bytes at {@code fileOffset} ({@code -1}: the
     * file's current position, or a stream).
     */
    public static OpSpec read(int fd, MemorySegment buffer, long fileOffset) {
        return rw(IORING_OP_READ, fd, buffer, fileOffset);
    }

    /** {@code IORING_OP_WRITE} of {@code buffer} at {@code fileOffset} ({@code -1}: current position). */
    public static OpSpec write(int fd, MemorySegment buffer, long fileOffset) {
        return rw(IORING_OP_WRITE, fd, buffer, fileOffset);
    }

    private static OpSpec rw(byte opcode, int fd, MemorySegment buffer, long fileOffset) {
        checkFd(fd);
        checkNative(buffer);
        checkFileOffset(fileOffset);
        OpSpec s = new OpSpec(opcode);
        s.fd = fd;
        s.addr = buffer.address();
        s.memoryScope = buffer.scope();
        s.len = checkLength(buffer.byteSize());
        s.off = fileOffset;
        return s;
    }

    /**
     * {@code IORING_OP_TIMEOUT}: completes with {@code -ETIME} after {@code timeout}, or with 0 once
     * {@code count} other completions have happened ({@code count == 0}: only the timer).
     */
    public static OpSpec timeout(Duration timeout, int count) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || count < 0) {
            throw new IllegalArgumentException("timeout and count must not be negative: " + timeout + ", " + count);
        }
        OpSpec s = new OpSpec(IORING_OP_TIMEOUT);
        s.timespecNanos = saturatedNanos(timeout);
        s.len = 1;
        s.off = count;
        return s;
    }

    /**
     * {@code IORING_OP_LINK_TIMEOUT}: cancels the op linked before it if that one has not completed after
     * {@code timeout}. Only valid as the element after a linked op.
     */
    public static OpSpec linkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        OpSpec s = new OpSpec(IORING_OP_LINK_TIMEOUT);
        s.timespecNanos = saturatedNanos(timeout);
        s.len = 1;
        return s;
    }

    /**
     * {@code IORING_OP_POLL_ADD} for {@code events} ({@code POLLIN} = 1, {@code POLLOUT} = 4, ...); completes with
     * the ready mask. {@code multishot} keeps it armed ({@code IORING_POLL_ADD_MULTI}).
     */
    public static OpSpec pollAdd(int fd, int events, boolean multishot) {
        checkFd(fd);
        OpSpec s = new OpSpec(IORING_OP_POLL_ADD);
        s.fd = fd;
        s.opFlags = events;
        s.len = multishot ? IORING_POLL_ADD_MULTI : 0;
        return s;
    }

    /**
     * {@code IORING_OP_ASYNC_CANCEL} of the request whose user_data is {@code targetUserData}, with
     * {@code IORING_ASYNC_CANCEL_*} {@code flags} (0 for one request by user_data).
     */
    public static OpSpec asyncCancel(long targetUserData, int flags) {
        OpSpec s = new OpSpec(IORING_OP_ASYNC_CANCEL);
        s.addr = targetUserData;
        s.opFlags = flags;
        return s;
    }

    /** {@code IORING_OP_ASYNC_CANCEL} of every request on {@code fd} ({@code IORING_ASYNC_CANCEL_FD | ALL}). */
    public static OpSpec asyncCancelFd(int fd) {
        checkFd(fd);
        OpSpec s = new OpSpec(IORING_OP_ASYNC_CANCEL);
        s.fd = fd;
        s.opFlags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
        return s;
    }

    // ---- field setters (fluent), for ops without a factory yet and for flags

    public OpSpec sqeFlags(int flags) {
        this.sqeFlags = (byte) flags;
        return this;
    }

    public OpSpec ioprio(int ioprio) {
        this.ioprio = (short) ioprio;
        return this;
    }

    public OpSpec fd(int fd) {
        this.fd = fd;
        return this;
    }

    public OpSpec off(long off) {
        this.off = off;
        return this;
    }

    public OpSpec addr(long addr) {
        this.addr = addr;
        this.memoryScope = null; // a raw address: its lifetime is the caller's business
        return this;
    }

    public OpSpec len(int len) {
        this.len = len;
        return this;
    }

    public OpSpec opFlags(int opFlags) {
        this.opFlags = opFlags;
        return this;
    }

    public OpSpec bufIndex(int bufIndex) {
        this.bufIndex = (short) bufIndex;
        return this;
    }

    public OpSpec personality(int personality) {
        this.personality = (short) personality;
        return this;
    }

    public OpSpec spliceFdIn(int spliceFdIn) {
        this.spliceFdIn = spliceFdIn;
        return this;
    }

    public OpSpec addr3(long addr3) {
        this.addr3 = addr3;
        return this;
    }

    /** A copy that can be changed without affecting this spec (e.g. to add a nowait flag). */
    public OpSpec copy() {
        OpSpec s = new OpSpec(opcode);
        s.sqeFlags = sqeFlags;
        s.ioprio = ioprio;
        s.fd = fd;
        s.off = off;
        s.addr = addr;
        s.len = len;
        s.opFlags = opFlags;
        s.bufIndex = bufIndex;
        s.personality = personality;
        s.spliceFdIn = spliceFdIn;
        s.addr3 = addr3;
        s.timespecNanos = timespecNanos;
        s.memoryScope = memoryScope;
        return s;
    }

    public byte opcode() {
        return opcode;
    }

    public int sqeFlags() {
        return sqeFlags;
    }

    public int fd() {
        return fd;
    }

    public long off() {
        return off;
    }

    public long addr() {
        return addr;
    }

    public int len() {
        return len;
    }

    public int opFlags() {
        return opFlags;
    }

    public int ioprio() {
        return ioprio;
    }

    /** For messages: {@code READ fd=42}. */
    public String describe() {
        String name = IoUring.opName(opcode);
        return fd >= 0 ? name + " fd=" + fd : name;
    }

    @Override
    public String toString() {
        return describe();
    }

    // ---- argument checks shared by the factories (also used by the op catalogue)

    /** Rejects negative fds before they reach the kernel. */
    public static void checkFd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must not be negative: " + fd);
        }
    }

    /**
     * Rejects a file offset below -1 before it reaches the kernel ({@code -1} means the current position, or none
     * for a stream).
     *
     * @param offset the offset
     * @throws IllegalArgumentException if {@code offset < -1}
     */
    public static void checkFileOffset(long offset) {
        if (offset < -1) {
            throw new IllegalArgumentException("file offset must be >= 0 or -1 (current position): " + offset);
        }
    }

    /** The kernel may write or read asynchronously: only native memory, never the Java heap. */
    public static void checkNative(MemorySegment segment) {
        Objects.requireNonNull(segment, "buffer");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("io_uring needs native memory; copy heap data into an owned buffer");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("buffer's arena is already closed");
        }
    }

    /** A length the kernel takes as {@code __u32}, capped at {@code Integer.MAX_VALUE} (the kernel's own cap). */
    public static int checkLength(long length) {
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("length must be in [0, " + Integer.MAX_VALUE + "]: " + length);
        }
        return (int) length;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
