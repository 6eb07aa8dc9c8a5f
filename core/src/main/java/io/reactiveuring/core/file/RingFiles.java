package io.reactiveuring.core.file;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.binding.StatxLayout;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.ops.FileOps;
import io.reactiveuring.core.ops.OpMemory;
import io.reactiveuring.core.reactive.UringOps;
import org.reactivestreams.Publisher;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_UNLINKAT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Files on the ring, shell-neutral: opening {@link FileHandle}s, and the path-level streams (read in chunks, lines,
 * write a stream of buffers, copy) as plain Reactive Streams publishers over a {@link UringOps} catalogue's rings and
 * allocator. The Reactor shell ({@code io.reactiveuring.reactor.file.UringFiles}) and the
 * {@link UringAsynchronousFileChannel} are built on it.
 *
 * <p>Each open picks a ring (the caller's own when it runs on a loop thread, else round robin) and every op of the
 * handle runs there. Errors of opens name the path and have the JDK's types ({@code NoSuchFileException} for
 * {@code ENOENT}, {@code FileSystemException} for {@code EISDIR}, ...), each also a {@code UringError} carrying the
 * errno. Registered files and buffers are used where they pay, as {@link FileOptions} says.
 *
 * <p>Threading: immutable and safe from any thread; {@link #withOptions} views share the rings, the allocator and
 * the set of open handles. Ownership: an emitted {@link FileHandle} belongs to its subscriber (close it; handles
 * still open when their ring ends are closed then); the path-level streams open and close their own files. Buffers
 * come from the catalogue's allocator.
 */
public final class RingFiles {
    /** The chunk size of {@link #lines} and of streams made without one: 64 KiB. */
    public static final int DEFAULT_CHUNK = 64 * 1024;

    private final UringOps ops;
    private final FileOptions options;
    private final Set<FileHandle> open;
    private final boolean ringTruncate;

    private RingFiles(UringOps ops, FileOptions options, Set<FileHandle> open, boolean ringTruncate) {
        this.ops = ops;
        this.options = options;
        this.open = open;
        this.ringTruncate = ringTruncate;
    }

    /**
     * @param ops the catalogue whose rings and allocator the files use
     * @return files over it, with {@link FileOptions#defaults()}
     */
    public static RingFiles over(UringOps ops) {
        return over(ops, FileOptions.defaults());
    }

    /**
     * @param ops     the catalogue whose rings and allocator the files use
     * @param options registered files and buffers, stream windows
     * @return files over it
     */
    public static RingFiles over(UringOps ops, FileOptions options) {
        return new RingFiles(Objects.requireNonNull(ops, "ops"), Objects.requireNonNull(options, "options"),
                ConcurrentHashMap.newKeySet(), true);
    }

    /**
     * @param newOptions other settings
     * @return a view with them (same rings, allocator and open handles)
     */
    public RingFiles withOptions(FileOptions newOptions) {
        return new RingFiles(ops, Objects.requireNonNull(newOptions, "options"), open, ringTruncate);
    }

    /** A view that truncates with {@code ftruncate(2)} even where the ring can: tests the older kernels' path. */
    RingFiles withSyscallTruncate() {
        return new RingFiles(ops, options, open, false);
    }

    /** @return the catalogue (rings, allocator, per-op settings) */
    public UringOps ops() {
        return ops;
    }

    /** @return the settings */
    public FileOptions options() {
        return options;
    }

    /** @return where buffers come from */
    public BufferAllocator allocator() {
        return ops.allocator();
    }

    /** @return the handles opened through these files (and their views) that are not closed yet */
    public List<FileHandle> openHandles() {
        return List.copyOf(open);
    }

    boolean ringTruncate() {
        return ringTruncate;
    }

    // ------------------------------------------------------------------------------------------- open

    /**
     * Opens {@code path} through the ring ({@code openat}, {@code O_CLOEXEC}); see {@link FileOpenOptions} for what
     * the options mean (the JDK's rules).
     *
     * @param path    the file
     * @param options {@code StandardOpenOption}s, {@code LinkOption.NOFOLLOW_LINKS}, {@link UringOpenOption}s
     * @return the open; emits the handle, which the subscriber owns
     */
    public Publisher<FileHandle> open(Path path, OpenOption... options) {
        return open(path, FileOpenOptions.of(options));
    }

    /**
     * @param path       the file
     * @param options    the open options
     * @param attributes initial attributes of a created file ({@code posix:permissions})
     * @return the open; emits the handle
     */
    public Publisher<FileHandle> open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes) {
        return open(path, FileOpenOptions.of(options, attributes));
    }

    /**
     * @param path    the file
     * @param options what to open it with
     * @return the open; emits the handle
     */
    public Publisher<FileHandle> open(Path path, FileOpenOptions options) {
        String p = checkPath(path);
        Objects.requireNonNull(options, "options");
        FileOps.checkOpenat(FileFlags.AT_FDCWD, p, options.flags(), options.mode());
        return s -> new OpenTask(this, ops.rings().pick(), path, options, s).subscribeActual();
    }

    /**
     * The open behind every handle: an {@code openat} op on {@code loop}; {@code callback} gets the handle or the
     * error on the loop thread (at once on the calling thread if the loop has ended). Returns the op, to cancel.
     */
    CallbackOp openOn(UringLoop loop, Path path, FileOpenOptions options,
                      BiConsumer<FileHandle, Throwable> callback) {
        OpMemory memory = OpMemory.of(allocator());
        CallbackOp op = new CallbackOp((res, flags) -> {
            CallbackOp.giveBack(memory, flags); // the path, before the callback signals anything
            if (CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED && loop.isShuttingDown()) {
                callback.accept(null, new UringCancelledException("OPENAT " + path,
                        "the ring's loop ended before the open completed"));
            } else if (res < 0) {
                callback.accept(null, FileErrors.of(res, "OPENAT", path));
            } else {
                FileHandle h = new FileHandle(this, loop, res, path, options);
                open.add(h);
                callback.accept(h, null);
            }
        });
        try {
            op.spec(FileOps.openat(FileFlags.AT_FDCWD, path.toString(), options.flags(), options.mode(), memory));
        } catch (RuntimeException | Error e) {
            memory.release();
            throw e;
        }
        CallbackOp.submit(loop, op, memory);
        return op;
    }

    /**
     * {@code statx} of {@code path} (following links) on {@code loop}: {@code callback} gets the
     * {@link #identity identity} and 0, or null and the (negative) result; on the loop thread.
     */
    void identityOn(UringLoop loop, Path path, BiConsumer<long[], Integer> callback) {
        OpMemory memory = OpMemory.of(allocator());
        MemorySegment out;
        CallbackOp op;
        try {
            out = memory.allocate(StatxLayout.SIZE, 8);
            MemorySegment result = out;
            op = new CallbackOp((res, flags) -> {
                boolean read = res >= 0 && !CallbackOp.loopEnded(flags);
                long[] id = read ? identity(result) : null; // copied out before the memory goes back
                CallbackOp.giveBack(memory, flags);
                if (!read) {
                    callback.accept(null, res < 0 ? res : -Errno.ECANCELED);
                } else {
                    callback.accept(id, 0);
                }
            });
            op.spec(FileOps.statx(FileFlags.AT_FDCWD, path.toString(), 0, IDENTITY_MASK, out, memory));
        } catch (RuntimeException | Error e) {
            memory.release();
            throw e;
        }
        CallbackOp.submit(loop, op, memory);
    }

    /** {@code unlinkat(AT_FDCWD, path, 0)} on {@code loop}; {@code callback} gets the result on the loop thread. */
    void unlinkOn(UringLoop loop, Path path, IntConsumer callback) {
        OpMemory memory = OpMemory.of(allocator());
        CallbackOp op = new CallbackOp((res, flags) -> {
            CallbackOp.giveBack(memory, flags); // the path, before the callback signals anything
            callback.accept(CallbackOp.loopEnded(flags) ? -Errno.ECANCELED : res);
        });
        try {
            MemorySegment p = memory.allocateFrom(path.toString());
            op.spec(OpSpec.builder(IORING_OP_UNLINKAT).fd(FileFlags.AT_FDCWD).addr(p.address()).build());
        } catch (RuntimeException | Error e) {
            memory.release();
            throw e;
        }
        CallbackOp.submit(loop, op, memory);
    }

    /** The {@code statx} fields an identity needs. */
    static final int IDENTITY_MASK = FileFlags.STATX_INO | FileFlags.STATX_SIZE | FileFlags.STATX_MODE;

    /**
     * What tells two files apart and what a copy needs of its source, from a filled {@code struct statx}:
     * {@code {device (major << 32 | minor), inode, size, mode}}.
     */
    static long[] identity(MemorySegment statx) {
        long device = (long) statx.get(ValueLayout.JAVA_INT, StatxLayout.STX_DEV_MAJOR) << 32
                | Integer.toUnsignedLong(statx.get(ValueLayout.JAVA_INT, StatxLayout.STX_DEV_MINOR));
        return new long[] {device, statx.get(ValueLayout.JAVA_LONG, StatxLayout.STX_INO),
                statx.get(ValueLayout.JAVA_LONG, StatxLayout.STX_SIZE),
                Short.toUnsignedInt(statx.get(ValueLayout.JAVA_SHORT, StatxLayout.STX_MODE))};
    }

    void forget(FileHandle handle) {
        open.remove(handle);
    }

    // ------------------------------------------------------------------------------------------- streams

    /**
     * The file as a stream of buffers of up to {@code chunkSize} bytes, with {@link FileOptions#streamWindow()}
     * reads in flight as demand allows; the file is opened at the first request and closed when the stream ends,
     * fails or is cancelled (after the last read's final CQE). See {@link FileHandle#chunks}.
     *
     * @param path      the file
     * @param chunkSize bytes per read, {@code > 0}
     * @return the stream; the subscriber owns each buffer
     */
    public Publisher<UringBuffer> read(Path path, int chunkSize) {
        return read(path, chunkSize, options.streamWindow());
    }

    /**
     * @param path      the file
     * @param chunkSize bytes per read, {@code > 0}
     * @param window    reads in flight at most, in {@code [1, 1024]}
     * @return the stream; the subscriber owns each buffer
     */
    public Publisher<UringBuffer> read(Path path, int chunkSize, int window) {
        checkPath(path);
        FileHandle.checkChunk(chunkSize);
        FileOptions.checkWindow(window, "window");
        return s -> new ChunkStream(this, null, path, 0, chunkSize, window, s).subscribe();
    }

    /**
     * The file's lines, decoded with {@code charset}, read in chunks of {@link #DEFAULT_CHUNK}; the same lines as
     * {@code Files.readAllLines(path, charset)}, malformed input included (an error).
     *
     * @param path    the file
     * @param charset the charset
     * @return the lines
     */
    public Publisher<String> lines(Path path, Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return new LinesPublisher(read(path, DEFAULT_CHUNK), charset, options.streamWindow());
    }

    /**
     * Writes every buffer of {@code data}, in order, into {@code path} opened with {@code options} (none:
     * {@code CREATE}, {@code TRUNCATE_EXISTING}, {@code WRITE}, as {@code Files.write}); with {@code fsync} the file
     * is synced after the last write (linked to it where that write is the only one in flight); the file is closed
     * before the count is emitted. See {@link FileHandle#write(long, Publisher, boolean)}.
     *
     * @param path    the file
     * @param data    the buffers (each released once written)
     * @param fsync   sync before completing
     * @param options open options; {@code WRITE} is implied
     * @return the op; emits the bytes written
     */
    public Publisher<Long> write(Path path, Publisher<UringBuffer> data, boolean fsync, OpenOption... options) {
        checkPath(path);
        Objects.requireNonNull(data, "data");
        FileOpenOptions o = options.length == 0 ? FileOpenOptions.WRITE_NEW_OR_TRUNCATE
                : FileOpenOptions.of(withWrite(options));
        return s -> new StreamWriter(this, null, new StreamWriter.Target(path, o), 0, data, fsync, s).subscribe();
    }

    private static OpenOption[] withWrite(OpenOption[] options) {
        OpenOption[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = java.nio.file.StandardOpenOption.WRITE;
        return all;
    }

    /**
     * Copies {@code source} to {@code target} on one ring: through {@code splice(2)} via a pipe (no byte through
     * the JVM), or read/write through owned buffers where splice is refused or switched off. The target gets the
     * source's permission bits (minus the umask) when created. {@code progress} (may be null) gets the bytes copied
     * so far after each step, on the loop thread. Copying a file onto itself copies nothing (as
     * {@code Files.copy}); the source's size is read once at the start and that many bytes are copied (a file of
     * size 0, such as a {@code /proc} file, is read to its end instead).
     *
     * @param source   the file to copy
     * @param target   where to
     * @param options  replace, splice or not, chunk size, fsync
     * @param progress bytes copied so far, or null
     * @return the op; emits the bytes copied
     */
    public Publisher<Long> copy(Path source, Path target, CopyOptions options, LongConsumer progress) {
        checkPath(source);
        checkPath(target);
        Objects.requireNonNull(options, "options");
        return s -> new FileCopy(this, ops.rings().pick(), source, target, options, progress, s).subscribeActual();
    }

    private static String checkPath(Path path) {
        Objects.requireNonNull(path, "path");
        String p = path.toString();
        FileOps.checkOpenat(FileFlags.AT_FDCWD, p, 0, 0);
        return p;
    }

    @Override
    public String toString() {
        return "RingFiles(" + ops.rings() + ", " + options + ")";
    }
}
