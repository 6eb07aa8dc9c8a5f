package io.reactiveuring.core.reactive;

import io.reactiveuring.core.binding.IovecLayout;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.binding.StatxLayout;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.ops.FileOps;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.RegisteredBuffers;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The file half of the op catalogue as per-subscription {@link OpCall} suppliers, ready for
 * {@link OneShotPublisher} (and the Reactor/RxJava shells). Each supplier allocates the subscription's memory at
 * its first request and releases it after the last CQE.
 *
 * <p>Ownership: a read emits a {@link UringBuffer} that the subscriber owns (release it); one that arrives after
 * cancel goes to {@code discard}. A write retains the given buffer for each subscription and releases that
 * reference after the final CQE, so the caller keeps (and eventually releases) its own. {@code openat}'s fd belongs
 * to the subscriber; an fd that arrives after cancel is closed. Stateless; safe from any thread.
 *
 * <p>"Stream" variants are for pollable fds (pipes, sockets, character devices): they retry through readiness
 * polls. The others are for regular files, which are never polled.
 */
public final class FileCalls {
    private FileCalls() {
    }

    /** Reads up to {@code length} bytes at {@code offset} of a regular file into a new buffer (argument order: see
     * {@link UringOps}). */
    public static Supplier<OpCall<UringBuffer>> read(int fd, int length, long offset, BufferAllocator allocator,
                                                        Consumer<? super UringBuffer> discard) {
        return read(fd, offset, length, allocator, discard, false);
    }

    /** Reads up to {@code length} bytes from a pipe, socket or other pollable fd into a new buffer. */
    public static Supplier<OpCall<UringBuffer>> readStream(int fd, int length, BufferAllocator allocator,
                                                           Consumer<? super UringBuffer> discard) {
        return read(fd, -1, length, allocator, discard, true);
    }

    private static Supplier<OpCall<UringBuffer>> read(int fd, long offset, int length, BufferAllocator allocator,
                                                      Consumer<? super UringBuffer> discard, boolean pollable) {
        OpSpec.checkFd(fd);
        OpSpec.checkFileOffset(offset);
        checkLength(length);
        Objects.requireNonNull(allocator, "allocator");
        return () -> {
            CallMemory.ResultBuffer result = new CallMemory.ResultBuffer(allocator.allocate(length), discard);
            MemorySegment target = result.buffer.writableSegment();
            Call.Builder<UringBuffer> call = Call.builder(OpSpec.read(fd, target, offset),
                            (res, flags) -> result.take(res))
                    .onDiscard(result::discard)
                    .onRelease(result::releaseIfKept);
            return (pollable ? call.pollable(Poll.READABLE, Call.Nowait.RW_FLAGS) : call.regularFile()).build();
        };
    }

    /**
     * Writes every readable byte of {@code data} at {@code offset} of a regular file, continuing short writes;
     * emits the total.
     */
    public static Supplier<OpCall<Integer>> write(int fd, UringBuffer data, long offset) {
        checkWrite(fd, offset, data);
        return () -> new TransferAll(TransferAll.Kind.FILE, fd, offset, data);
    }

    /** Writes every readable byte of {@code data} to a pipe or other pollable fd, continuing short writes. */
    public static Supplier<OpCall<Integer>> writeStream(int fd, UringBuffer data) {
        checkWrite(fd, -1, data);
        return () -> new TransferAll(TransferAll.Kind.STREAM, fd, -1, data);
    }

    /** One {@code write(2)} of the readable bytes of {@code data} at {@code offset}; emits its count, maybe short. */
    public static Supplier<OpCall<Integer>> writeOnce(int fd, UringBuffer data, long offset) {
        return write(fd, data, offset, false);
    }

    /** One {@code write(2)} of {@code data} to a pollable fd; emits its count, maybe short. */
    public static Supplier<OpCall<Integer>> writeStreamOnce(int fd, UringBuffer data) {
        return write(fd, data, -1, true);
    }

    private static void checkWrite(int fd, long offset, UringBuffer data) {
        OpSpec.checkFd(fd);
        OpSpec.checkFileOffset(offset);
        Objects.requireNonNull(data, "data");
    }

    private static Supplier<OpCall<Integer>> write(int fd, UringBuffer data, long offset, boolean pollable) {
        OpSpec.checkFd(fd);
        OpSpec.checkFileOffset(offset);
        Objects.requireNonNull(data, "data");
        return () -> {
            // One more reference for this subscription (a borrowed buffer's retain() is a copy: release that).
            UringBuffer held = data.retain();
            MemorySegment bytes = held.readableSegment();
            Call.Builder<Integer> call = Call.builder(OpSpec.write(fd, bytes, offset)).onRelease(held::release);
            return (pollable ? call.pollable(Poll.WRITABLE, Call.Nowait.RW_FLAGS) : call.regularFile()).build();
        };
    }

    /** {@code fsync(2)}; emits 0. */
    public static Supplier<OpCall<Integer>> fsync(int fd) {
        OpSpec spec = FileOps.fsync(fd);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /** {@code fdatasync(2)}; emits 0. */
    public static Supplier<OpCall<Integer>> fdatasync(int fd) {
        OpSpec spec = FileOps.fdatasync(fd);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /**
     * Opens {@code path} relative to {@code dirfd} ({@code FileFlags.AT_FDCWD} for the working directory), always
     * {@code O_CLOEXEC}; emits the new fd, which the subscriber owns. An fd that arrives after cancel is closed.
     */
    public static Supplier<OpCall<Integer>> openat(int dirfd, String path, int flags, int mode,
                                                   BufferAllocator allocator) {
        FileOps.checkOpenat(dirfd, path, flags, mode);
        Objects.requireNonNull(allocator, "allocator");
        return () -> CallMemory.withMemory(allocator, memory ->
                Call.builder(FileOps.openat(dirfd, path, flags, mode, memory)).closingLateFd().file(path));
    }

    /** {@code close(2)} through the ring; emits 0. */
    public static Supplier<OpCall<Integer>> close(int fd) {
        OpSpec spec = FileOps.close(fd);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /** {@code statx(2)} of {@code path} relative to {@code dirfd}; emits the {@link FileStat}. */
    public static Supplier<OpCall<FileStat>> statx(int dirfd, String path, int flags, int mask,
                                                   BufferAllocator allocator) {
        FileOps.checkStatx(dirfd, path, flags);
        Objects.requireNonNull(allocator, "allocator");
        return () -> CallMemory.withMemory(allocator, memory -> {
            MemorySegment out = memory.allocate(StatxLayout.SIZE, 8);
            return Call.builder(FileOps.statx(dirfd, path, flags, mask, out, memory), (res, f) -> FileStat.read(out))
                    .file(path);
        });
    }

    /** {@code fallocate(2)}; emits 0. */
    public static Supplier<OpCall<Integer>> fallocate(int fd, int mode, long offset, long length) {
        OpSpec spec = FileOps.fallocate(fd, mode, offset, length);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /** {@code splice(2)} between a pipe and another fd; emits the bytes moved. */
    public static Supplier<OpCall<Integer>> splice(int fdIn, long offsetIn, int fdOut, long offsetOut, int length,
                                                   int flags) {
        OpSpec spec = FileOps.splice(fdIn, offsetIn, fdOut, offsetOut, length, flags);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /** Scatter read at {@code offset} into the writable space of {@code targets}; emits the bytes read. */
    public static Supplier<OpCall<Integer>> readv(int fd, long offset, BufferAllocator allocator,
                                                  UringBuffer... targets) {
        return vectored(fd, offset, allocator, targets, true);
    }

    /** Gather write at {@code offset} of the readable bytes of {@code sources}; emits the bytes written. */
    public static Supplier<OpCall<Integer>> writev(int fd, long offset, BufferAllocator allocator,
                                                   UringBuffer... sources) {
        return vectored(fd, offset, allocator, sources, false);
    }

    private static Supplier<OpCall<Integer>> vectored(int fd, long offset, BufferAllocator allocator,
                                                      UringBuffer[] buffers, boolean read) {
        OpSpec.checkFd(fd);
        OpSpec.checkFileOffset(offset);
        Objects.requireNonNull(allocator, "allocator");
        UringBuffer[] bufs = buffers.clone();
        IovecLayout.checkCount(bufs.length); // at assembly, like every other bad argument
        for (UringBuffer b : bufs) {
            Objects.requireNonNull(b, "buffer");
        }
        return () -> CallMemory.withMemory(allocator, memory -> {
            MemorySegment[] segments = new MemorySegment[bufs.length];
            for (int i = 0; i < bufs.length; i++) {
                segments[i] = read ? bufs[i].writableSegment() : bufs[i].readableSegment();
                memory.hold(bufs[i].retain());
            }
            return Call.builder(read ? FileOps.readv(fd, offset, memory, segments)
                    : FileOps.writev(fd, offset, memory, segments));
        });
    }

    /** READ_FIXED into {@code target}, which lies inside registered buffer {@code bufIndex}; emits bytes read. */
    public static Supplier<OpCall<Integer>> readFixed(int fd, RegisteredBuffers buffers, int bufIndex,
                                                      MemorySegment target, long offset) {
        OpSpec spec = FileOps.readFixed(fd, buffers, bufIndex, target, offset);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /** WRITE_FIXED from {@code source} inside registered buffer {@code bufIndex}; emits bytes written. */
    public static Supplier<OpCall<Integer>> writeFixed(int fd, RegisteredBuffers buffers, int bufIndex,
                                                       MemorySegment source, long offset) {
        OpSpec spec = FileOps.writeFixed(fd, buffers, bufIndex, source, offset);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }


    private static void checkLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
    }

}
