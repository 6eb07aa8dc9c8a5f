package io.reactiveuring.core.ops;

import io.reactiveuring.core.binding.IovecLayout;
import io.reactiveuring.core.binding.OpenHowLayout;
import io.reactiveuring.core.binding.StatxLayout;
import io.reactiveuring.core.engine.OpSpec;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static io.reactiveuring.core.linux.FileFlags.AT_EMPTY_PATH;
import static io.reactiveuring.core.linux.FileFlags.AT_FDCWD;
import static io.reactiveuring.core.linux.FileFlags.AT_STATX_DONT_SYNC;
import static io.reactiveuring.core.linux.FileFlags.AT_STATX_FORCE_SYNC;
import static io.reactiveuring.core.linux.FileFlags.AT_SYMLINK_NOFOLLOW;
import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_COLLAPSE_RANGE;
import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_INSERT_RANGE;
import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_KEEP_SIZE;
import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_PUNCH_HOLE;
import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_UNSHARE_RANGE;
import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_ZERO_RANGE;
import static io.reactiveuring.core.linux.FileFlags.O_CLOEXEC;
import static io.reactiveuring.core.linux.FileFlags.O_CREAT;
import static io.reactiveuring.core.linux.FileFlags.O_TMPFILE;
import static io.reactiveuring.core.linux.FileFlags.SPLICE_F_GIFT;
import static io.reactiveuring.core.linux.FileFlags.SPLICE_F_MORE;
import static io.reactiveuring.core.linux.FileFlags.SPLICE_F_MOVE;
import static io.reactiveuring.core.linux.FileFlags.SPLICE_F_NONBLOCK;
import static io.reactiveuring.core.linux.IoUring.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The file half of the op catalogue: factories of {@link OpSpec}s for vectored, fixed-buffer and plain file I/O,
 * sync, open/close (also into and out of registered-file slots), statx, fallocate and splice. Each factory checks
 * its arguments and throws a standard exception ({@link NullPointerException}, {@link IllegalArgumentException},
 * {@link IndexOutOfBoundsException}, {@link IllegalStateException}) before anything reaches the kernel; the
 * kernel's own refusals arrive as {@code res < 0} in the completion.
 *
 * <p>Ownership: an op's SQE points at native memory (paths, iovec arrays, {@code open_how}, buffers) that must stay
 * valid until its final completion. Factories that need such structs write them into an {@link OpMemory} the caller
 * passes; attach that {@code OpMemory} to the {@link io.reactiveuring.core.engine.UringOperation} (and
 * {@link OpMemory#hold hold} the data buffers in it, or release them in the completion), and the engine releases
 * it after the final CQE. Heap memory is refused.
 *
 * <p>Results ({@code res} of the final completion): byte counts for reads, writes and splice; the new fd for
 * {@code openat}; the allocated slot for a direct open with {@link #ANY_FREE_SLOT}, else 0; 0 for the rest.
 *
 * <p>Stateless; safe from any thread. The returned specs are new objects the caller may still adjust.
 */
public final class FileOps {
    private FileOps() {
    }

    /** Slot argument of the direct-descriptor variants: let the kernel pick a free slot and return it. */
    public static final int ANY_FREE_SLOT = IORING_FILE_INDEX_ALLOC;

    private static final int KNOWN_FALLOC_MODES = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE
            | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE;
    private static final int KNOWN_SPLICE_FLAGS = SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT
            | SPLICE_F_FD_IN_FIXED;
    private static final int KNOWN_STATX_FLAGS = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_STATX_FORCE_SYNC
            | AT_STATX_DONT_SYNC;
    /** Longest path the kernel accepts ({@code PATH_MAX}, including the NUL). */
    private static final int PATH_MAX = 4096;

    // ------------------------------------------------------------------------------------------ scatter / gather

    /**
     * {@code IORING_OP_READV}: reads into {@code targets} in order, at {@code fileOffset} ({@code -1}: the current
     * position, or a stream). The iovec array is written into {@code memory}; the targets must stay valid until the
     * final completion too ({@link OpMemory#hold} them). {@code res} is the total byte count.
     */
    public static OpSpec readv(int fd, long fileOffset, OpMemory memory, MemorySegment... targets) {
        return vectored(IORING_OP_READV, fd, fileOffset, memory, targets);
    }

    /** {@code IORING_OP_WRITEV}: writes {@code sources} in order at {@code fileOffset}; see {@link #readv}. */
    public static OpSpec writev(int fd, long fileOffset, OpMemory memory, MemorySegment... sources) {
        return vectored(IORING_OP_WRITEV, fd, fileOffset, memory, sources);
    }

    private static OpSpec vectored(byte opcode, int fd, long fileOffset, OpMemory memory, MemorySegment[] segments) {
        OpSpec.checkFd(fd);
        OpSpec.checkFileOffset(fileOffset);
        checkMemory(memory);
        Objects.requireNonNull(segments, "segments");
        IovecLayout.checkCount(segments.length);
        long total = 0;
        for (MemorySegment s : segments) {
            OpSpec.checkNative(s);
            total += s.byteSize();
        }
        OpSpec.checkLength(total); // res is an int: the total must fit
        MemorySegment iovecs = memory.allocate(IovecLayout.LAYOUT, segments.length);
        for (int i = 0; i < segments.length; i++) {
            IovecLayout.set(iovecs, i, segments[i]);
        }
        return OpSpec.builder(opcode).fd(fd).addr(iovecs.address()).len(segments.length).off(fileOffset).build();
    }

    // ------------------------------------------------------------------------------------------ registered buffers

    /**
     * {@code IORING_OP_READ_FIXED}: reads into {@code target}, which must lie inside registered buffer
     * {@code bufIndex} of {@code buffers}.
     */
    public static OpSpec readFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment target,
                                   long fileOffset) {
        return fixedBuffer(IORING_OP_READ_FIXED, fd, buffers, bufIndex, target, fileOffset);
    }

    /** {@code IORING_OP_WRITE_FIXED}: writes {@code source}, inside registered buffer {@code bufIndex}. */
    public static OpSpec writeFixed(int fd, RegisteredBuffers buffers, int bufIndex, MemorySegment source,
                                    long fileOffset) {
        return fixedBuffer(IORING_OP_WRITE_FIXED, fd, buffers, bufIndex, source, fileOffset);
    }

    private static OpSpec fixedBuffer(byte opcode, int fd, RegisteredBuffers buffers, int bufIndex,
                                      MemorySegment segment, long fileOffset) {
        OpSpec.checkFd(fd);
        Objects.requireNonNull(buffers, "buffers");
        OpSpec.checkFileOffset(fileOffset);
        OpSpec.checkNative(segment);
        buffers.checkContains(bufIndex, segment);
        return OpSpec.builder(opcode).fd(fd).addr(segment.address()).len(OpSpec.checkLength(segment.byteSize()))
                .off(fileOffset).bufIndex(bufIndex).build();
    }

    // ------------------------------------------------------------------------------------------ sync

    /** {@code IORING_OP_FSYNC}: data and metadata of {@code fd} to stable storage, like {@code fsync(2)}. */
    public static OpSpec fsync(int fd) {
        OpSpec.checkFd(fd);
        return OpSpec.builder(IORING_OP_FSYNC).fd(fd).build();
    }

    /** {@code IORING_OP_FSYNC} with {@code IORING_FSYNC_DATASYNC}: like {@code fdatasync(2)}. */
    public static OpSpec fdatasync(int fd) {
        OpSpec.checkFd(fd);
        return OpSpec.builder(IORING_OP_FSYNC).fd(fd).opFlags(IORING_FSYNC_DATASYNC).build();
    }

    // ------------------------------------------------------------------------------------------ open / close

    /**
     * {@code IORING_OP_OPENAT}: opens {@code path} relative to {@code dirfd} ({@code AT_FDCWD} or an open
     * directory) with {@code flags | O_CLOEXEC} and, with {@code O_CREAT}/{@code O_TMPFILE}, {@code mode}.
     * {@code res} is the new fd, which the caller then owns (close it).
     */
    public static OpSpec openat(int dirfd, String path, int flags, int mode, OpMemory memory) {
        checkMode(flags, mode);
        return open(IORING_OP_OPENAT, dirfd, path, memory).len(mode).opFlags(flags | O_CLOEXEC).build();
    }

    /**
     * {@code IORING_OP_OPENAT} into a registered-file slot (a direct descriptor, no fd): {@code slot} of
     * {@code files}, or {@link #ANY_FREE_SLOT} to let the kernel pick one ({@code res} is then that slot, otherwise
     * 0). An occupied slot is replaced. Use the slot with {@link #onFixedFile}; empty it with {@link #closeDirect}.
     * {@code O_CLOEXEC} is not passed: there is no fd to inherit, and the kernel refuses it here.
     */
    public static OpSpec openatDirect(int dirfd, String path, int flags, int mode, RegisteredFiles files, int slot,
                                      OpMemory memory) {
        checkMode(flags, mode);
        int fileIndex = fileIndex(files, slot);
        return open(IORING_OP_OPENAT, dirfd, path, memory).len(mode).opFlags(flags & ~O_CLOEXEC)
                .spliceFdIn(fileIndex).build();
    }

    /**
     * {@code IORING_OP_OPENAT2}: like {@link #openat} with {@code how}'s {@code RESOLVE_*} restrictions; the
     * {@code struct open_how} is written into {@code memory}, with {@code O_CLOEXEC} added to its flags.
     */
    public static OpSpec openat2(int dirfd, String path, OpenHow how, OpMemory memory) {
        Objects.requireNonNull(how, "how");
        return openat2(dirfd, path, how, how.flags() | O_CLOEXEC, memory).build();
    }

    /** {@code IORING_OP_OPENAT2} into a registered-file slot; see {@link #openatDirect}. */
    public static OpSpec openat2Direct(int dirfd, String path, OpenHow how, RegisteredFiles files, int slot,
                                       OpMemory memory) {
        Objects.requireNonNull(how, "how");
        int fileIndex = fileIndex(files, slot);
        return openat2(dirfd, path, how, how.flags() & ~O_CLOEXEC, memory).spliceFdIn(fileIndex).build();
    }

    private static OpSpec.Builder openat2(int dirfd, String path, OpenHow how, int flags, OpMemory memory) {
        OpSpec.Builder spec = open(IORING_OP_OPENAT2, dirfd, path, memory);
        MemorySegment h = memory.allocate(OpenHowLayout.LAYOUT);
        h.set(JAVA_LONG, OpenHowLayout.FLAGS, Integer.toUnsignedLong(flags));
        h.set(JAVA_LONG, OpenHowLayout.MODE, how.mode());
        h.set(JAVA_LONG, OpenHowLayout.RESOLVE, how.resolve());
        return spec.off(h.address()).len((int) OpenHowLayout.SIZE);
    }

    private static OpSpec.Builder open(byte opcode, int dirfd, String path, OpMemory memory) {
        checkDirFd(dirfd);
        checkMemory(memory);
        MemorySegment p = nativePath(path, memory);
        return OpSpec.builder(opcode).fd(dirfd).addr(p.address());
    }

    /** {@code IORING_OP_CLOSE} of {@code fd}. After the completion the fd number is free (and may be reused). */
    public static OpSpec close(int fd) {
        OpSpec.checkFd(fd);
        return OpSpec.builder(IORING_OP_CLOSE).fd(fd).build();
    }

    /** {@code IORING_OP_CLOSE} of registered-file {@code slot}: empties the slot (no fd is involved). */
    public static OpSpec closeDirect(RegisteredFiles files, int slot) {
        Objects.requireNonNull(files, "files");
        files.checkRegistered();
        files.checkSlot(slot);
        // the kernel wants fd == 0 when file_index names the slot
        return OpSpec.builder(IORING_OP_CLOSE).fd(0).spliceFdIn(slot + 1).build();
    }

    // ------------------------------------------------------------------------------------------ metadata

    /**
     * {@code IORING_OP_STATX}: fills {@code statxBuffer} ({@link StatxLayout#SIZE} bytes of native memory, valid
     * until the final completion) for {@code path} relative to {@code dirfd}; {@code flags} are {@code AT_*}
     * ({@code AT_EMPTY_PATH} with {@code ""} for {@code dirfd} itself), {@code mask} the wanted {@code STATX_*}
     * fields. Read the result with {@link FileStat#read}.
     */
    public static OpSpec statx(int dirfd, String path, int flags, int mask, MemorySegment statxBuffer,
                               OpMemory memory) {
        OpSpec.checkNative(statxBuffer);
        if (statxBuffer.byteSize() < StatxLayout.SIZE) {
            throw new IllegalArgumentException("statx buffer needs " + StatxLayout.SIZE + " bytes, got "
                    + statxBuffer.byteSize());
        }
        checkStatxFlags(flags);
        return open(IORING_OP_STATX, dirfd, path, memory).len(mask).opFlags(flags).off(statxBuffer.address())
                .build();
    }

    /**
     * {@code IORING_OP_FALLOCATE}: allocates (or, per {@code mode}'s {@code FALLOC_FL_*}, punches, zeroes ...)
     * {@code length} bytes from {@code offset}, like {@code fallocate(2)}; mode 0 grows the file if needed.
     */
    public static OpSpec fallocate(int fd, int mode, long offset, long length) {
        OpSpec.checkFd(fd);
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new IllegalArgumentException("need offset >= 0 and length > 0 (no overflow): " + offset + ", "
                    + length);
        }
        if ((mode & ~KNOWN_FALLOC_MODES) != 0) {
            throw new IllegalArgumentException("unknown fallocate mode bits: 0x" + Integer.toHexString(mode));
        }
        return OpSpec.builder(IORING_OP_FALLOCATE).fd(fd).off(offset).addr(length).len(mode).build();
    }

    /**
     * {@code IORING_OP_SPLICE}: moves up to {@code length} bytes from {@code fdIn} at {@code offsetIn} to
     * {@code fdOut} at {@code offsetOut}, one of them a pipe, like {@code splice(2)}. An offset of {@code -1} means
     * none (required for the pipe side; the file position otherwise). {@code flags} are {@code SPLICE_F_*}; with
     * {@code SPLICE_F_FD_IN_FIXED} {@code fdIn} is a registered-file slot ({@link #onFixedFile} does the same for
     * {@code fdOut}). {@code res} is the byte count.
     */
    public static OpSpec splice(int fdIn, long offsetIn, int fdOut, long offsetOut, int length, int flags) {
        OpSpec.checkFd(fdIn);
        OpSpec.checkFd(fdOut);
        OpSpec.checkFileOffset(offsetIn);
        OpSpec.checkFileOffset(offsetOut);
        OpSpec.checkLength(length);
        if ((flags & ~KNOWN_SPLICE_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown splice flags: 0x" + Integer.toHexString(flags));
        }
        // -1 as u64 is the kernel's "no offset" for both sides
        return OpSpec.builder(IORING_OP_SPLICE).fd(fdOut).off(offsetOut).addr(offsetIn).len(length).opFlags(flags)
                .spliceFdIn(fdIn).build();
    }

    // ------------------------------------------------------------------------------------------ fixed files

    /**
     * Makes {@code spec}'s fd a slot of {@code files} ({@code IOSQE_FIXED_FILE}) and returns it. For ops on an open
     * file (read, write, readv, writev, fixed-buffer I/O, fsync, fallocate, splice's output side); open, close
     * and statx have their own slot forms and are refused.
     */
    public static OpSpec onFixedFile(OpSpec spec, RegisteredFiles files) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(files, "files");
        files.checkRegistered();
        switch (spec.opcode()) {
            case IORING_OP_OPENAT, IORING_OP_OPENAT2, IORING_OP_CLOSE, IORING_OP_STATX ->
                    throw new IllegalArgumentException(spec.describe() + " cannot take IOSQE_FIXED_FILE; use the "
                            + "direct-descriptor factories");
            default -> {
            }
        }
        files.checkSlot(spec.fd());
        return spec.withSqeFlags(spec.sqeFlags() | IOSQE_FIXED_FILE);
    }

    /**
     * The {@code sqe->file_index} value for a direct descriptor in {@code slot} of {@code files}, or for
     * {@link #ANY_FREE_SLOT}: {@code slot + 1} (0 means "no slot"), or {@code IORING_FILE_INDEX_ALLOC}. Shared with
     * other direct-descriptor ops (accept, socket).
     */
    public static int fileIndex(RegisteredFiles files, int slot) {
        Objects.requireNonNull(files, "files");
        files.checkRegistered();
        if (slot == ANY_FREE_SLOT) {
            return IORING_FILE_INDEX_ALLOC;
        }
        files.checkSlot(slot);
        return slot + 1;
    }

    // ------------------------------------------------------------------------------------------ checks

    /** A mode makes sense only when a file may be created; the kernel refuses it otherwise ({@code EINVAL}). */
    static void checkMode(int flags, int mode) {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode must be in [0, 07777]: 0" + Integer.toOctalString(mode));
        }
        boolean creates = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
        if (mode != 0 && !creates) {
            throw new IllegalArgumentException("a mode needs O_CREAT or O_TMPFILE");
        }
    }

    private static void checkDirFd(int dirfd) {
        if (dirfd < 0 && dirfd != AT_FDCWD) {
            throw new IllegalArgumentException("dirfd must be an open directory or AT_FDCWD: " + dirfd);
        }
    }


    private static void checkMemory(OpMemory memory) {
        Objects.requireNonNull(memory, "memory");
        memory.checkLive();
    }

    /**
     * The checks {@link #openat} makes of its arguments, without building anything: for callers that build the op
     * later (at each subscription) but must reject bad arguments at once.
     *
     * @param dirfd a directory fd or {@code AT_FDCWD}
     * @param path  the path
     * @param flags open flags
     * @param mode  permissions for a created file
     * @throws IllegalArgumentException if an argument is one {@code openat} refuses
     * @throws NullPointerException     if {@code path} is null
     */
    public static void checkOpenat(int dirfd, String path, int flags, int mode) {
        checkMode(flags, mode);
        checkDirFd(dirfd);
        checkPath(path);
    }

    /**
     * The checks {@link #statx} makes of its arguments, without building anything; see {@link #checkOpenat}.
     *
     * @param dirfd a directory fd or {@code AT_FDCWD}
     * @param path  the path
     * @param flags {@code AT_*} flags
     * @throws IllegalArgumentException if an argument is one {@code statx} refuses
     * @throws NullPointerException     if {@code path} is null
     */
    public static void checkStatx(int dirfd, String path, int flags) {
        checkStatxFlags(flags);
        checkDirFd(dirfd);
        checkPath(path);
    }

    private static void checkStatxFlags(int flags) {
        if ((flags & ~KNOWN_STATX_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown statx flags: 0x" + Integer.toHexString(flags));
        }
    }

    private static void checkPath(String path) {
        Objects.requireNonNull(path, "path");
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL character");
        }
        // UTF-8 bytes plus the NUL, as the kernel counts them
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 > PATH_MAX) {
            throw new IllegalArgumentException("path longer than PATH_MAX (" + PATH_MAX + " bytes)");
        }
    }

    /** {@code path} as a NUL-terminated UTF-8 string in {@code memory}. */
    private static MemorySegment nativePath(String path, OpMemory memory) {
        checkPath(path);
        return memory.allocateFrom(path);
    }
}
