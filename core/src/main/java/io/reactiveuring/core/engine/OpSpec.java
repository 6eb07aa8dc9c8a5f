package io.reactiveuring.core.engine;

import io.reactiveuring.core.linux.IoUring;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

import static io.reactiveuring.core.linux.IoUring.*;

/**
 * The description of one submission queue entry: every SQE field, plus the one small struct the engine writes into
 * the slot's scratch memory at preparation time (a {@code __kernel_timespec} for timeouts). Immutable: build one
 * with a factory ({@link #read}, {@link #timeout}, ... or those of the op catalogue) or with {@link #builder}, derive
 * variants with the {@code with*} methods (each returns a new spec). The engine copies a spec into its SQE through
 * exactly one preparation path ({@link UringOperation#prepare(SqeWriter)}), so adding an op means adding a factory,
 * never a new submit path.
 *
 * <p>Ownership: memory that an address field points to (buffers, iovecs, paths) is owned by the caller and must
 * stay valid until the op's final completion; attach it to the {@link UringOperation} as an {@link OwnedResource}
 * to have the engine release it then. Heap segments are refused: the kernel may write asynchronously. Threading: a
 * spec may be shared by any number of operations and threads.
 */
public final class OpSpec {
    private static final long NO_TIMESPEC = -1;

    final byte opcode;
    final byte sqeFlags;
    final short ioprio;
    final int fd;
    final long off;
    final long addr;
    final int len;
    final int opFlags;
    final short bufIndex;
    final short personality;
    final int spliceFdIn;
    final long addr3;
    /** When >= 0, a timespec with this many nanoseconds is written to scratch and {@code addr} points to it. */
    final long timespecNanos;
    /** The scope of the memory {@code addr} points to, when a factory got a segment: re-checked at submit. */
    final MemorySegment.Scope memoryScope;
    // The SQE's packed 64-bit words (little-endian, as on every architecture the library runs on), computed once so
    // that preparing an SQE is a few stores: opcode|flags(0)|ioprio|fd, len|op_flags, buf_index|personality|splice.
    final long word0;
    final long word3;
    final long word5;

    private OpSpec(Builder b) {
        this.opcode = b.opcode;
        this.sqeFlags = b.sqeFlags;
        this.ioprio = b.ioprio;
        this.fd = b.fd;
        this.off = b.off;
        this.addr = b.addr;
        this.len = b.len;
        this.opFlags = b.opFlags;
        this.bufIndex = b.bufIndex;
        this.personality = b.personality;
        this.spliceFdIn = b.spliceFdIn;
        this.addr3 = b.addr3;
        this.timespecNanos = b.timespecNanos;
        this.memoryScope = b.memoryScope;
        this.word0 = (opcode & 0xFFL) | (ioprio & 0xFFFFL) << 16 | (long) fd << 32;
        this.word3 = (len & 0xFFFF_FFFFL) | (long) opFlags << 32;
        this.word5 = (bufIndex & 0xFFFFL) | (personality & 0xFFFFL) << 16 | (long) spliceFdIn << 32;
    }

    /**
     * A builder for a spec of {@code opcode}, every other field 0 (and {@code fd} -1).
     *
     * @param opcode an {@code IORING_OP_*} constant
     * @return a new builder
     */
    public static Builder builder(byte opcode) {
        return new Builder(opcode);
    }

    /**
     * A spec with only the opcode set.
     *
     * @param opcode an {@code IORING_OP_*} constant
     * @return the spec
     */
    public static OpSpec of(byte opcode) {
        return new Builder(opcode).build();
    }

    /** A builder that starts from this spec's fields. @return a new builder */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** {@code IORING_OP_NOP}: completes with 0. @return the spec */
    public static OpSpec nop() {
        return of(IORING_OP_NOP);
    }

    /**
     * {@code IORING_OP_READ} of up to {@code buffer.byteSize()} bytes at {@code fileOffset} ({@code -1}: the
     * file's current position, or a stream).
     *
     * @param fd         the file
     * @param buffer     native memory to read into
     * @param fileOffset the position, or -1
     * @return the spec
     */
    public static OpSpec read(int fd, MemorySegment buffer, long fileOffset) {
        return rw(IORING_OP_READ, fd, buffer, fileOffset, 0);
    }

    /**
     * {@code IORING_OP_WRITE} of {@code buffer} at {@code fileOffset} ({@code -1}: current position).
     *
     * @param fd         the file
     * @param buffer     native memory to write from
     * @param fileOffset the position, or -1
     * @return the spec
     */
    public static OpSpec write(int fd, MemorySegment buffer, long fileOffset) {
        return rw(IORING_OP_WRITE, fd, buffer, fileOffset, 0);
    }

    /**
     * {@link #read} or {@link #write} with {@code rw_flags} ({@code RWF_NOWAIT}, ...).
     *
     * @param opcode     {@code IORING_OP_READ} or {@code IORING_OP_WRITE}
     * @param fd         the file
     * @param buffer     native memory
     * @param fileOffset the position, or -1
     * @param rwFlags    {@code RWF_*} flags
     * @return the spec
     */
    public static OpSpec rw(byte opcode, int fd, MemorySegment buffer, long fileOffset, int rwFlags) {
        checkFd(fd);
        checkNative(buffer);
        checkFileOffset(fileOffset);
        return new Builder(opcode).fd(fd).memory(buffer).len(checkLength(buffer.byteSize())).off(fileOffset)
                .opFlags(rwFlags).build();
    }

    /**
     * {@code IORING_OP_TIMEOUT}: completes with {@code -ETIME} after {@code timeout}, or with 0 once
     * {@code count} other completions have happened ({@code count == 0}: only the timer).
     *
     * @param timeout how long
     * @param count   completions that end it early, or 0
     * @return the spec
     */
    public static OpSpec timeout(Duration timeout, int count) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || count < 0) {
            throw new IllegalArgumentException("timeout and count must not be negative: " + timeout + ", " + count);
        }
        return new Builder(IORING_OP_TIMEOUT).timespec(saturatedNanos(timeout)).len(1).off(count).build();
    }

    /**
     * {@code IORING_OP_LINK_TIMEOUT}: cancels the op linked before it if that one has not completed after
     * {@code timeout}. Only valid as the element after a linked op.
     *
     * @param timeout how long
     * @return the spec
     */
    public static OpSpec linkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return new Builder(IORING_OP_LINK_TIMEOUT).timespec(saturatedNanos(timeout)).len(1).build();
    }

    /**
     * {@code IORING_OP_POLL_ADD} for {@code events} ({@code POLLIN} = 1, {@code POLLOUT} = 4, ...); completes with
     * the ready mask. {@code multishot} keeps it armed ({@code IORING_POLL_ADD_MULTI}).
     *
     * @param fd        the fd to watch
     * @param events    {@code POLL*} bits
     * @param multishot stay armed
     * @return the spec
     */
    public static OpSpec pollAdd(int fd, int events, boolean multishot) {
        checkFd(fd);
        return new Builder(IORING_OP_POLL_ADD).fd(fd).opFlags(events).len(multishot ? IORING_POLL_ADD_MULTI : 0)
                .build();
    }

    /**
     * {@code IORING_OP_POLL_REMOVE} of the poll whose user_data is {@code targetUserData}.
     *
     * @param targetUserData the poll's user_data
     * @return the spec
     */
    public static OpSpec pollRemove(long targetUserData) {
        return new Builder(IORING_OP_POLL_REMOVE).addr(targetUserData).build();
    }

    /**
     * {@code IORING_OP_ASYNC_CANCEL} of the request whose user_data is {@code targetUserData}, with
     * {@code IORING_ASYNC_CANCEL_*} {@code flags} (0 for one request by user_data).
     *
     * @param targetUserData the request's user_data
     * @param flags          {@code IORING_ASYNC_CANCEL_*} flags
     * @return the spec
     */
    public static OpSpec asyncCancel(long targetUserData, int flags) {
        return new Builder(IORING_OP_ASYNC_CANCEL).addr(targetUserData).opFlags(flags).build();
    }

    /**
     * {@code IORING_OP_ASYNC_CANCEL} of every request on {@code fd} ({@code IORING_ASYNC_CANCEL_FD | ALL}).
     *
     * @param fd the fd
     * @return the spec
     */
    public static OpSpec asyncCancelFd(int fd) {
        checkFd(fd);
        return new Builder(IORING_OP_ASYNC_CANCEL).fd(fd).opFlags(IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL)
                .build();
    }

    // ---- derived specs (each a new spec; this one is unchanged)

    /** @param flags {@code IOSQE_*} flags @return a copy with these SQE flags */
    public OpSpec withSqeFlags(int flags) {
        return toBuilder().sqeFlags(flags).build();
    }

    /** @param ioprio the ioprio field (also send/recv/accept flags) @return a copy with it */
    public OpSpec withIoprio(int ioprio) {
        return toBuilder().ioprio(ioprio).build();
    }

    /** @param opFlags the op-specific flags ({@code rw_flags}, {@code msg_flags}, ...) @return a copy with them */
    public OpSpec withOpFlags(int opFlags) {
        return toBuilder().opFlags(opFlags).build();
    }

    /** @param fd the fd @return a copy on another fd */
    public OpSpec withFd(int fd) {
        return toBuilder().fd(fd).build();
    }

    // ---- reading the fields

    /** @return the {@code IORING_OP_*} opcode */
    public byte opcode() {
        return opcode;
    }

    /** @return the {@code IOSQE_*} flags */
    public int sqeFlags() {
        return sqeFlags;
    }

    /** @return the fd, or -1 */
    public int fd() {
        return fd;
    }

    /** @return the {@code off} field (offset, addr2) */
    public long off() {
        return off;
    }

    /** @return the {@code addr} field */
    public long addr() {
        return addr;
    }

    /** @return the {@code len} field */
    public int len() {
        return len;
    }

    /** @return the op-specific flags */
    public int opFlags() {
        return opFlags;
    }

    /** @return the {@code ioprio} field */
    public int ioprio() {
        return ioprio;
    }

    /** @return the {@code buf_index} / {@code buf_group} field */
    public int bufIndex() {
        return bufIndex;
    }

    /** @return the {@code splice_fd_in} / {@code file_index} field */
    public int spliceFdIn() {
        return spliceFdIn;
    }

    /** @return the {@code addr3} field */
    public long addr3() {
        return addr3;
    }

    /** @return for messages: {@code READ fd=42} */
    public String describe() {
        String name = IoUring.opName(opcode);
        return fd >= 0 ? name + " fd=" + fd : name;
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * Writes the whole SQE under {@code sqe}: this spec's fields, the SQE {@code flags} byte and {@code userData}
     * (the engine's one preparation path; an operation's own {@link UringOperation#prepare(SqeWriter)} runs after it).
     */
    void writeEntry(SqeWriter sqe, byte flags, long userData) {
        long a = timespecNanos >= 0 ? sqe.timespec(timespecNanos) : addr;
        sqe.entry(word0 | (flags & 0xFFL) << 8, off, a, word3, userData, word5, addr3);
    }

    // ---- argument checks shared by the factories (also used by the op catalogue)

    /**
     * Rejects negative fds before they reach the kernel.
     *
     * @param fd the fd
     * @throws IllegalArgumentException if negative
     */
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

    /**
     * The kernel may write or read asynchronously: only native memory, never the Java heap.
     *
     * @param segment the memory
     * @throws IllegalArgumentException if it is heap memory
     * @throws IllegalStateException    if its arena is closed
     */
    public static void checkNative(MemorySegment segment) {
        Objects.requireNonNull(segment, "buffer");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("io_uring needs native memory; copy heap data into an owned buffer");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("buffer's arena is already closed");
        }
    }

    /**
     * A length the kernel takes as {@code __u32}, capped at {@code Integer.MAX_VALUE} (the kernel's own cap).
     *
     * @param length the length
     * @return it, as an int
     * @throws IllegalArgumentException if out of range
     */
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

    /**
     * Builds an {@link OpSpec}: set the fields the op uses, then {@link #build()}. Not thread-safe; short-lived (the
     * JIT usually removes it altogether).
     */
    public static final class Builder {
        private final byte opcode;
        private byte sqeFlags;
        private short ioprio;
        private int fd = -1;
        private long off;
        private long addr;
        private int len;
        private int opFlags;
        private short bufIndex;
        private short personality;
        private int spliceFdIn;
        private long addr3;
        private long timespecNanos = NO_TIMESPEC;
        private MemorySegment.Scope memoryScope;

        private Builder(byte opcode) {
            this.opcode = opcode;
        }

        private Builder(OpSpec s) {
            this.opcode = s.opcode;
            this.sqeFlags = s.sqeFlags;
            this.ioprio = s.ioprio;
            this.fd = s.fd;
            this.off = s.off;
            this.addr = s.addr;
            this.len = s.len;
            this.opFlags = s.opFlags;
            this.bufIndex = s.bufIndex;
            this.personality = s.personality;
            this.spliceFdIn = s.spliceFdIn;
            this.addr3 = s.addr3;
            this.timespecNanos = s.timespecNanos;
            this.memoryScope = s.memoryScope;
        }

        /** @param flags {@code IOSQE_*} flags @return this builder */
        public Builder sqeFlags(int flags) {
            this.sqeFlags = (byte) flags;
            return this;
        }

        /** @param ioprio the ioprio field @return this builder */
        public Builder ioprio(int ioprio) {
            this.ioprio = (short) ioprio;
            return this;
        }

        /** @param fd the fd @return this builder */
        public Builder fd(int fd) {
            this.fd = fd;
            return this;
        }

        /** @param off the off field @return this builder */
        public Builder off(long off) {
            this.off = off;
            return this;
        }

        /** @param addr a raw address (its lifetime is the caller's business) @return this builder */
        public Builder addr(long addr) {
            this.addr = addr;
            this.memoryScope = null;
            return this;
        }

        /**
         * The address of {@code memory}, whose arena is checked again at each submission.
         *
         * @param memory native memory
         * @return this builder
         */
        public Builder memory(MemorySegment memory) {
            this.addr = memory.address();
            this.memoryScope = memory.scope();
            return this;
        }

        /** @param len the len field @return this builder */
        public Builder len(int len) {
            this.len = len;
            return this;
        }

        /** @param opFlags the op-specific flags @return this builder */
        public Builder opFlags(int opFlags) {
            this.opFlags = opFlags;
            return this;
        }

        /** @param bufIndex the buf_index / buf_group field @return this builder */
        public Builder bufIndex(int bufIndex) {
            this.bufIndex = (short) bufIndex;
            return this;
        }

        /** @param personality the personality field @return this builder */
        public Builder personality(int personality) {
            this.personality = (short) personality;
            return this;
        }

        /** @param spliceFdIn the splice_fd_in / file_index field @return this builder */
        public Builder spliceFdIn(int spliceFdIn) {
            this.spliceFdIn = spliceFdIn;
            return this;
        }

        /** @param addr3 the addr3 field @return this builder */
        public Builder addr3(long addr3) {
            this.addr3 = addr3;
            return this;
        }

        /**
         * A {@code __kernel_timespec} of {@code nanos} that the engine writes into the slot's scratch memory at each
         * submission; {@code addr} points to it.
         *
         * @param nanos the time, at least 0
         * @return this builder
         */
        public Builder timespec(long nanos) {
            if (nanos < 0) {
                throw new IllegalArgumentException("a timespec must not be negative: " + nanos);
            }
            this.timespecNanos = nanos;
            return this;
        }

        /** @return the spec */
        public OpSpec build() {
            return new OpSpec(this);
        }
    }
}
