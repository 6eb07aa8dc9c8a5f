package io.reactiveuring.core.file;

import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.StatxLayout;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopPlacement;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.ops.FileOps;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.OpMemory;
import io.reactiveuring.core.reactive.Call;
import io.reactiveuring.core.reactive.OneShotPublisher;
import io.reactiveuring.core.reactive.OpCall;
import org.reactivestreams.Publisher;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_FTRUNCATE;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_READ;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_READ_FIXED;
import static io.reactiveuring.core.linux.IoUring.IOSQE_FIXED_FILE;

/**
 * An open file on one ring: every op on it runs on that ring (the one {@link RingFiles#open} picked), as a cold
 * Reactive Streams publisher ({@link OneShotPublisher} for single-SQE ops, so the Reactor and RxJava shells wrap
 * them in one line). Positional {@link #read(long, int) reads} emit a buffer (short only at end of file, empty at or
 * after it), {@link #write(long, UringBuffer) writes} complete only once every byte is written (short writes are
 * continued), and there are {@code readv}/{@code writev}, {@code fsync}/{@code fdatasync}, {@code fallocate},
 * {@code truncate} ({@code IORING_OP_FTRUNCATE}, or {@code ftruncate(2)} on kernels before 6.9), {@code size()} and
 * {@code stat()} ({@code statx}), chunk {@link #chunks streams} with a read-ahead window, {@link #lines(Charset)
 * lines}, and {@link #write(long, Publisher, boolean) a stream written} to the file.
 *
 * <p><b>Closing.</b> The handle counts its ops in flight: each op takes a count at its request and gives it back
 * after its final CQE. {@link #close()} refuses new ops at once and closes the fd (through the ring) only after the
 * last op in flight has ended, exactly once; if the ring ends first, the handle is closed then. An op requested
 * after {@code close()} fails with a {@link FileClosedException} naming the file and never reaches the kernel, so it
 * can never hit another file that got the same fd number. A handle used for many ops is put into its ring's
 * registered file table (see {@link FileOptions}); its slot is emptied before the fd is closed.
 *
 * <p><b>Argument checks</b> happen when an op is built: a negative position or size, a buffer already released, a
 * read on a handle not open for reading ({@link NonReadableChannelException}) or a write on one not open for writing
 * ({@link NonWritableChannelException}) fail there, before anything reaches the kernel.
 *
 * <p>Threading: every method may be called from any thread; ops run on the handle's ring and signal on its loop
 * thread (errors raised before submission, such as a closed handle, on the requesting thread). Ownership: the handle
 * owns its fd until it is closed. A read that allocates emits a {@link UringBuffer} the subscriber owns (release it;
 * with registered buffers it is a borrowed buffer whose release gives the chunk back); an op that reads into or writes
 * from a caller's buffer holds its own reference to it until the op's final CQE.
 */
public final class FileHandle {
    private static final long CLOSED = 1L << 62;
    private static final long COUNT = CLOSED - 1;
    private static final VarHandle STATE;
    private static final VarHandle OPS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(FileHandle.class, "state", long.class);
            OPS = l.findVarHandle(FileHandle.class, "opsIssued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingFiles files;
    private final UringLoop loop;
    private final LoopPlacement placement;
    private final RingResources resources;
    private final int fd;
    private final Path path;
    private final FileOpenOptions openOptions;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Runnable loopEnded = this::onLoopEnded;

    /** Bit 62: close requested; the rest: ops that took a count and have not given it back. */
    private volatile long state;
    /** Ops issued so far, up to the fixed-file threshold. */
    private volatile int opsIssued;
    /** The registered file slot, or -1; written on the loop thread only. */
    private volatile int fixedSlot = -1;

    FileHandle(RingFiles files, UringLoop loop, int fd, Path path, FileOpenOptions openOptions) {
        this.files = files;
        this.loop = loop;
        this.placement = LoopPlacement.of(loop);
        this.resources = RingResources.of(loop);
        this.fd = fd;
        this.path = path;
        this.openOptions = openOptions;
        loop.addTerminationListener(loopEnded); // runs at once if the loop has already ended
    }

    // ------------------------------------------------------------------------------------------- accessors

    /** @return the file's path, as it was opened */
    public Path path() {
        return path;
    }

    /** @return the ring every op of this handle runs on */
    public UringLoop loop() {
        return loop;
    }

    /** @return what the handle was opened with */
    public FileOpenOptions openOptions() {
        return openOptions;
    }

    /** @return the fd (valid while the handle is open; for diagnostics and direct syscalls while holding an op) */
    public int fd() {
        return fd;
    }

    /** @return false once {@link #close()} was called (or the ring ended) */
    public boolean isOpen() {
        return (state & CLOSED) == 0;
    }

    /** @return ops that have been requested and not yet ended (approximate while ops run) */
    public int opsInFlight() {
        return (int) (state & COUNT);
    }

    /** @return true while the handle's fd is in its ring's registered file table */
    public boolean isRegistered() {
        return fixedSlot >= 0;
    }

    /** @return completes once the fd is closed (or fails if {@code close(2)} reported an error) */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    @Override
    public String toString() {
        return "FileHandle[" + path + ", fd=" + fd + (isOpen() ? "" : ", closed") + "]";
    }

    // ------------------------------------------------------------------------------------------- reads

    /**
     * Reads up to {@code size} bytes at {@code position} into a new buffer: fewer only at end of file, none at or
     * after it (an empty buffer). With registered buffers used for this handle (see {@link FileOptions}) and
     * {@code size <= 64 KiB} it is a {@code READ_FIXED}
     * into a chunk of the ring's registered region, emitted as a borrowed buffer.
     *
     * @param position where to read, {@code >= 0}
     * @param size     at most this many bytes, {@code >= 0}
     * @return the op; the subscriber owns the buffer
     */
    public OneShotPublisher<UringBuffer> read(long position, int size) {
        checkPosition(position);
        checkSize(size);
        checkReadable();
        return oneShot(() -> held("read", () -> readCall(position, size)));
    }

    private OpCall<UringBuffer> readCall(long position, int size) {
        BufferAllocator allocator = files.allocator();
        RingResources.FixedChunk chunk = files.options().readsIntoRegisteredBuffers(openOptions)
                ? resources.takeChunk(size, files.options().registeredBufferBytes()) : null;
        if (chunk != null) {
            FixedRead r = new FixedRead(chunk, allocator);
            OpSpec spec = onFile(OpSpec.builder(IORING_OP_READ_FIXED)).addr(chunk.segment.address()).len(size)
                    .off(position).bufIndex(chunk.bufIndex()).build();
            return Call.builder(spec, (res, flags) -> r.take(res)).regularFile().onRelease(r::releaseIfKept)
                    .onRelease(this::release).build();
        }
        UringBuffer buffer = allocator.allocate(size);
        OwnedRead r = new OwnedRead(buffer);
        OpSpec spec = onFile(OpSpec.builder(IORING_OP_READ)).memory(buffer.writableSegment()).len(size)
                .off(position).build();
        return Call.builder(spec, (res, flags) -> r.take(res)).regularFile().onRelease(r::releaseIfKept)
                .onRelease(this::release).build();
    }

    /**
     * Reads at {@code position} into the writable bytes of {@code target} and advances its writer index by the
     * count (on the loop thread, before the count is emitted): fewer bytes only at end of file, 0 at or after it.
     *
     * @param position where to read, {@code >= 0}
     * @param target   where to (an owned buffer, not a borrowed one)
     * @return the op; emits the bytes read
     */
    public OneShotPublisher<Integer> read(long position, UringBuffer target) {
        checkPosition(position);
        checkOwned(target);
        checkReadable();
        return oneShot(() -> held("read", () -> {
            UringBuffer t = target.retain();
            try {
                MemorySegment into = t.writableSegment();
                OpSpec spec = onFile(OpSpec.builder(IORING_OP_READ)).memory(into).len((int) into.byteSize())
                        .off(position).build();
                return Call.builder(spec, (res, flags) -> {
                    t.advanceWriterIndex(res);
                    return res;
                }).regularFile().onRelease(t::release).onRelease(this::release).build();
            } catch (RuntimeException | Error e) {
                t.release();
                throw e;
            }
        }));
    }

    /**
     * Scatter read at {@code position} into the writable bytes of {@code targets} in order; each target's writer
     * index advances by what it received.
     *
     * @param position where to read, {@code >= 0}
     * @param targets  one or more owned buffers
     * @return the op; emits the bytes read (0 at end of file)
     */
    public OneShotPublisher<Integer> readv(long position, UringBuffer... targets) {
        checkPosition(position);
        UringBuffer[] bufs = checkBuffers(targets);
        checkReadable();
        return oneShot(() -> held("readv", () -> vectored(position, bufs, true)));
    }

    private OpCall<Integer> vectored(long position, UringBuffer[] bufs, boolean read) {
        OpMemory memory = OpMemory.of(files.allocator());
        try {
            MemorySegment[] segments = new MemorySegment[bufs.length];
            for (int i = 0; i < bufs.length; i++) {
                UringBuffer b = memory.hold(bufs[i].retain());
                segments[i] = read ? b.writableSegment() : b.readableSegment();
            }
            OpSpec spec = fixed(read ? FileOps.readv(fd, position, memory, segments)
                    : FileOps.writev(fd, position, memory, segments));
            return Call.builder(spec, (res, flags) -> {
                if (read) {
                    int left = res;
                    for (UringBuffer b : bufs) {
                        int n = Math.min(left, b.writableBytes());
                        b.advanceWriterIndex(n);
                        left -= n;
                    }
                }
                return res;
            }).regularFile().onRelease(memory::release).onRelease(this::release).build();
        } catch (RuntimeException | Error e) {
            memory.release();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------- writes

    /**
     * Writes the readable bytes of {@code data} at {@code position}, continuing after short writes until every byte
     * is written; the buffer's indices do not move. In a file opened with {@code APPEND} the bytes go to the end,
     * whatever {@code position} says (as {@code pwrite(2)} there).
     *
     * @param position where to write, {@code >= 0}
     * @param data     the bytes; each subscription holds its own reference until its last write's CQE
     * @return the op; emits the bytes written (all of them)
     */
    public Publisher<Integer> write(long position, UringBuffer data) {
        checkPosition(position);
        Objects.requireNonNull(data, "data");
        checkAlive(data);
        checkWritable();
        return s -> new WriteAllTask(this, position, new UringBuffer[] {data}, s).subscribeActual();
    }

    /**
     * Writes a copy of {@code data}, made at each subscription's request; see {@link #write(long, UringBuffer)}.
     *
     * @param position where to write, {@code >= 0}
     * @param data     the bytes
     * @return the op; emits the bytes written
     */
    public Publisher<Integer> write(long position, byte[] data) {
        Objects.requireNonNull(data, "data");
        checkPosition(position);
        checkWritable();
        return s -> new WriteAllTask(this, position, () -> files.allocator().copyOf(data), s).subscribeActual();
    }

    /**
     * Writes a copy of the remaining bytes of {@code data} (its position does not move), made at each subscription's
     * request; see {@link #write(long, UringBuffer)}.
     *
     * @param position where to write, {@code >= 0}
     * @param data     the bytes
     * @return the op; emits the bytes written
     */
    public Publisher<Integer> write(long position, ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkPosition(position);
        checkWritable();
        return s -> new WriteAllTask(this, position, () -> files.allocator().copyOf(data), s).subscribeActual();
    }

    /**
     * Gather write at {@code position} of the readable bytes of {@code sources} in order, continued after short
     * writes until every byte is written; the buffers' indices do not move.
     *
     * @param position where to write, {@code >= 0}
     * @param sources  one or more buffers
     * @return the op; emits the bytes written (all of them)
     */
    public Publisher<Integer> writev(long position, UringBuffer... sources) {
        checkPosition(position);
        UringBuffer[] bufs = checkBuffers(sources);
        for (UringBuffer b : bufs) {
            checkAlive(b);
        }
        checkWritable();
        return s -> new WriteAllTask(this, position, bufs, s).subscribeActual();
    }

    /**
     * Writes every buffer {@code data} emits, in order, from {@code position} on (to the end in a file opened with
     * {@code APPEND}); up to {@link FileOptions#writeWindow()} writes are in flight, demand is requested as they
     * end, and each buffer is released once written (or when the stream fails or is cancelled). With {@code fsync}
     * the file is synced after the last write, linked to it in one submission when that write is the only one in
     * flight.
     *
     * @param position where the first byte goes, {@code >= 0}
     * @param data     the buffers (owned by this op once emitted)
     * @param fsync    sync the file before completing
     * @return the op; emits the bytes written
     */
    public Publisher<Long> write(long position, Publisher<UringBuffer> data, boolean fsync) {
        checkPosition(position);
        Objects.requireNonNull(data, "data");
        checkWritable();
        return s -> new StreamWriter(files, this, null, position, data, fsync, s).subscribe();
    }

    // ------------------------------------------------------------------------------------------- sync, size, space

    /** @return {@code fsync(2)}: data and metadata to stable storage; emits 0 */
    public OneShotPublisher<Integer> fsync() {
        return oneShot(() -> held("fsync", () -> plain(fixed(FileOps.fsync(fd)))));
    }

    /** @return {@code fdatasync(2)}: data (and the metadata needed to read it) to stable storage; emits 0 */
    public OneShotPublisher<Integer> fdatasync() {
        return oneShot(() -> held("fdatasync", () -> plain(fixed(FileOps.fdatasync(fd)))));
    }

    /**
     * {@code fallocate(2)}: with mode 0 allocates {@code [offset, offset + length)} and grows the file if needed;
     * other {@code FileFlags.FALLOC_FL_*} modes punch holes, zero ranges, keep the size.
     *
     * @param mode   {@code FALLOC_FL_*} bits, or 0
     * @param offset from here, {@code >= 0}
     * @param length this many bytes, {@code > 0}
     * @return the op; emits 0
     */
    public OneShotPublisher<Integer> fallocate(int mode, long offset, long length) {
        FileOps.fallocate(fd, mode, offset, length); // the argument checks, once, at assembly
        checkWritable();
        return oneShot(() -> held("fallocate", () -> plain(fixed(FileOps.fallocate(fd, mode, offset, length)))));
    }

    /**
     * Sets the file's size to {@code size} (cutting or extending with zeros): {@code IORING_OP_FTRUNCATE} where the
     * kernel has it (6.9+), else {@code ftruncate(2)} on the requesting thread (the kernel's only other way).
     *
     * @param size the new size, {@code >= 0}
     * @return the op; emits 0
     */
    public Publisher<Integer> truncate(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        checkWritable();
        if (ringTruncate()) {
            return oneShot(() -> held("truncate", () -> plain(onFile(OpSpec.builder(IORING_OP_FTRUNCATE))
                    .off(size).build())));
        }
        return new SyscallPublisher<>(() -> {
            acquire("truncate");
            try {
                FileSyscalls.ftruncate(fd, size);
                return 0;
            } finally {
                release();
            }
        });
    }

    /** False to test the {@code ftruncate(2)} path on a kernel that has the ring op. */
    boolean ringTruncate() {
        return files.ringTruncate() && loop.features().supports(IORING_OP_FTRUNCATE);
    }

    /** @return the file's size ({@code statx} with {@code STATX_SIZE}) */
    public OneShotPublisher<Long> size() {
        return oneShot(() -> held("size", () -> statxCall(FileFlags.STATX_SIZE, FileStat::size)));
    }

    /** @return the file's {@code statx}: size, mode, times, blocks, inode, ... */
    public OneShotPublisher<FileStat> stat() {
        return oneShot(() -> held("stat", () -> statxCall(FileFlags.STATX_BASIC_STATS | FileFlags.STATX_BTIME,
                s -> s)));
    }

    /** The file's {@link RingFiles#identity identity}: device, inode, size, mode. */
    OneShotPublisher<long[]> identity() {
        return oneShot(() -> held("stat", () -> statxCall(RingFiles.IDENTITY_MASK, null)));
    }

    /** A {@code statx} of this file; {@code map} null: the identity (a {@code long[]}). */
    @SuppressWarnings("unchecked")
    private <T> OpCall<T> statxCall(int mask, java.util.function.Function<FileStat, T> map) {
        OpMemory memory = OpMemory.of(files.allocator());
        try {
            MemorySegment out = memory.allocate(StatxLayout.SIZE, 8);
            // statx takes no registered file: the fd itself, with an empty path
            OpSpec spec = FileOps.statx(fd, "", FileFlags.AT_EMPTY_PATH, mask, out, memory);
            return Call.builder(spec, (res, flags) -> map == null ? (T) RingFiles.identity(out)
                    : map.apply(FileStat.read(out))).onRelease(memory::release).onRelease(this::release).build();
        } catch (RuntimeException | Error e) {
            memory.release();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------- streams

    /**
     * The file from {@code position} to its end as a stream of buffers of up to {@code chunkSize} bytes, with up to
     * {@code window} reads in flight as demand allows (a subscriber that requests one at a time has one read in
     * flight). The reads are long-lived ring ops re-submitted from their completions. Cancelling cancels the reads
     * in flight; buffers read ahead and not delivered are released. The handle stays open.
     *
     * @param position  where the first chunk starts, {@code >= 0}
     * @param chunkSize bytes per read, {@code > 0}
     * @param window    reads in flight at most, in {@code [1, 1024]}
     * @return the stream; the subscriber owns each buffer
     */
    public Publisher<UringBuffer> chunks(long position, int chunkSize, int window) {
        checkPosition(position);
        checkChunk(chunkSize);
        FileOptions.checkWindow(window, "window");
        checkReadable();
        return s -> new ChunkStream(files, this, null, position, chunkSize, window, s).subscribe();
    }

    /**
     * The file's lines from its start, decoded with {@code charset} (malformed input is an error, as in
     * {@code Files.readAllLines}); lines end at {@code \n}, {@code \r} or {@code \r\n}, which are not included.
     *
     * @param charset the charset
     * @return the lines
     */
    public Publisher<String> lines(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return new LinesPublisher(chunks(0, RingFiles.DEFAULT_CHUNK, files.options().streamWindow()), charset,
                files.options().streamWindow());
    }

    // ------------------------------------------------------------------------------------------- close

    /**
     * Refuses new ops now and closes the fd once the ops in flight have ended (at once if none is), exactly once;
     * calling it again returns the same future. With {@code DELETE_ON_CLOSE} the file is unlinked afterwards.
     *
     * @return completes once the fd is closed
     */
    public CompletableFuture<Void> close() {
        long s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return closed;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSED));
        if ((s & COUNT) == 0) {
            finishClose();
        }
        return closed;
    }

    // ------------------------------------------------------------------------------------------- op accounting

    /** Takes one op count; refused once closed. Any thread. */
    void acquire(String op) {
        long s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                throw new FileClosedException(path, op);
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
        if (fixedSlot < 0 && files.options().registeredFiles()) {
            int n = (int) OPS.getAndAdd(this, 1) + 1;
            if (n == files.options().fixedFileThreshold()) {
                registerSoon();
            }
        }
    }

    /** Gives one op count back, after the op's final CQE; the last one after close() closes the fd. */
    void release() {
        long s = (long) STATE.getAndAdd(this, -1L) - 1;
        if (s == CLOSED) {
            finishClose();
        }
    }

    /** Runs {@code build} holding one op count, given back if building fails. */
    private <T> OpCall<T> held(String op, Supplier<OpCall<T>> build) {
        acquire(op);
        try {
            return build.get();
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    private <T> OneShotPublisher<T> oneShot(Supplier<OpCall<T>> calls) {
        return new OneShotPublisher<>(placement, calls, files.ops().options(), files.ops().discard());
    }

    private OpCall<Integer> plain(OpSpec spec) {
        return Call.builder(spec).onRelease(this::release).build();
    }

    /** A builder aimed at this file: its registered slot when it has one, else its fd. */
    OpSpec.Builder onFile(OpSpec.Builder b) {
        int slot = fixedSlot;
        return slot >= 0 ? b.fd(slot).sqeFlags(IOSQE_FIXED_FILE) : b.fd(fd);
    }

    /** {@code spec} (built on the fd) aimed at the registered slot when the file has one. */
    OpSpec fixed(OpSpec spec) {
        int slot = fixedSlot;
        return slot >= 0 ? spec.toBuilder().fd(slot).sqeFlags(spec.sqeFlags() | IOSQE_FIXED_FILE).build() : spec;
    }

    private void registerSoon() {
        Runnable r = () -> {
            if (fixedSlot >= 0 || !isOpen()) {
                return; // close() ran first: closeOnLoop, on this same thread, never sees the slot
            }
            fixedSlot = resources.claimSlot(fd, files.options().fileTableSlots());
        };
        if (loop.inLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (RejectedExecutionException ignored) {
                // the ring is ending: no registration
            }
        }
    }

    // ------------------------------------------------------------------------------------------- the close itself

    private void finishClose() {
        if (loop.inLoop()) {
            closeOnLoop();
            return;
        }
        try {
            loop.execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            closeDirect(); // the loop has ended: no op of this handle can run any more
        }
    }

    private void closeOnLoop() {
        loop.removeTerminationListener(loopEnded);
        int slot = fixedSlot;
        if (slot >= 0) {
            fixedSlot = -1;
            resources.releaseSlot(slot);
        }
        if (loop.isShuttingDown()) {
            closeDirect();
            return;
        }
        CallbackOp close = new CallbackOp((res, flags) -> {
            if (CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED) {
                closeDirect(); // the close never ran: the fd is still ours
            } else if (res < 0) {
                afterClose(UringErrors.ofFile(res, "CLOSE", String.valueOf(path)));
            } else {
                afterClose(null);
            }
        });
        close.spec(FileOps.close(fd));
        loop.submit(close);
    }

    private void closeDirect() {
        loop.removeTerminationListener(loopEnded);
        int r = LibC.close(fd);
        afterClose(r < 0 ? UringErrors.ofFile(r, "close", String.valueOf(path)) : null);
    }

    private void afterClose(Throwable failure) {
        files.forget(this);
        if (openOptions.deleteOnClose() && !loop.isShuttingDown()) {
            unlinkThenComplete(failure);
            return;
        }
        if (openOptions.deleteOnClose()) {
            try {
                java.nio.file.Files.deleteIfExists(path); // the ring has ended: nothing else can do it
            } catch (java.io.IOException | RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        settleClose(failure);
    }

    private void unlinkThenComplete(Throwable failure) {
        try {
            files.unlinkOn(loop, path, res -> {
                Throwable f = failure;
                if (res < 0 && res != -Errno.ENOENT && f == null) {
                    f = FileErrors.of(res, "UNLINKAT", path);
                }
                settleClose(f);
            });
        } catch (RuntimeException e) {
            settleClose(failure != null ? failure : e);
        }
    }

    private void settleClose(Throwable failure) {
        if (failure == null) {
            closed.complete(null);
        } else {
            closed.completeExceptionally(failure);
        }
    }

    private void onLoopEnded() {
        close(); // every op has had its final completion by now: the fd is closed directly
    }

    // ------------------------------------------------------------------------------------------- checks

    static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative: " + position);
        }
    }

    static void checkSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }

    static void checkChunk(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
        }
    }

    void checkReadable() {
        if (!openOptions.readable()) {
            throw new NonReadableChannelException();
        }
    }

    void checkWritable() {
        if (!openOptions.writable()) {
            throw new NonWritableChannelException();
        }
    }

    private static void checkAlive(UringBuffer b) {
        if (b.refCnt() <= 0) {
            throw new IllegalStateException("buffer already released");
        }
    }

    private static void checkOwned(UringBuffer b) {
        Objects.requireNonNull(b, "target");
        checkAlive(b);
        if (b.isBorrowed()) {
            throw new IllegalArgumentException("cannot read into a borrowed buffer (its retain() is a copy)");
        }
    }

    private static UringBuffer[] checkBuffers(UringBuffer[] buffers) {
        Objects.requireNonNull(buffers, "buffers");
        if (buffers.length == 0) {
            throw new IllegalArgumentException("at least one buffer");
        }
        UringBuffer[] copy = buffers.clone();
        for (UringBuffer b : copy) {
            Objects.requireNonNull(b, "buffer");
        }
        return copy;
    }

    RingFiles files() {
        return files;
    }

    RingResources resources() {
        return resources;
    }

    // ------------------------------------------------------------------------------------------- read results

    /** A read's own buffer: to the subscriber, or released with the call. */
    private static final class OwnedRead {
        private final UringBuffer buffer;
        private boolean handedOut;

        OwnedRead(UringBuffer buffer) {
            this.buffer = buffer;
        }

        UringBuffer take(int res) {
            handedOut = true;
            return buffer.advanceWriterIndex(res);
        }

        void releaseIfKept() {
            if (!handedOut) {
                buffer.release();
            }
        }
    }

    /** A read into a registered chunk: emitted as a borrowed buffer whose release gives the chunk back. */
    private static final class FixedRead {
        private final RingResources.FixedChunk chunk;
        private final BufferAllocator allocator;
        private boolean handedOut;

        FixedRead(RingResources.FixedChunk chunk, BufferAllocator allocator) {
            this.chunk = chunk;
            this.allocator = allocator;
        }

        UringBuffer take(int res) {
            UringBuffer b = allocator.borrow(chunk.segment.asSlice(0, res), chunk);
            handedOut = true;
            return b;
        }

        void releaseIfKept() {
            if (!handedOut) {
                chunk.run();
            }
        }
    }
}
