package io.reactiveuring.core.file;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.linux.FileFlags;
import org.reactivestreams.Publisher;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * An {@link AsynchronousFileChannel} on io_uring: reads and writes are ring ops on the file's ring, so existing code
 * written against the JDK's API (Spring's {@code DataBufferUtils.readAsynchronousFileChannel(() -> channel, ...)},
 * for instance) does file I/O without a thread pool. Both forms are there: {@code Future}s (completed when the CQE
 * arrives) and {@code CompletionHandler}s. Results follow the JDK's channel for the same calls: a read at or after
 * the end of the file gives -1, a read into a full buffer or a write of an empty one gives 0 at once, the buffer's
 * position advances by the count, a negative position is an {@code IllegalArgumentException}, a read-only buffer
 * too, a read on a channel not open for reading throws {@link NonReadableChannelException} (a write
 * {@link NonWritableChannelException}), and an op on a closed channel fails with {@link ClosedChannelException};
 * kernel errors arrive as {@code IOException}s ({@code FileSystemException}s naming the file, each also a
 * {@code UringError} with the errno). Writes complete once every byte is written.
 *
 * <p>Differences from the JDK's channel, stated rather than hidden: file locks are not supported
 * ({@code lock}/{@code tryLock} throw {@link UnsupportedOperationException}: io_uring has no op for {@code fcntl}
 * locks, and a waiting lock would need a thread, which is what this channel avoids; use {@code FileChannel.lock}).
 * {@link #close()} lets operations already in flight finish normally (the fd is closed after the last one) instead
 * of failing them with {@code AsynchronousCloseException}. {@code APPEND} is refused, as by the JDK.
 * {@link #size()}, {@link #truncate(long)} and {@link #force(boolean)}, synchronous by the API's definition, are
 * direct syscalls on the calling thread.
 *
 * <p>Threading: every method may be called from any thread. Completion handlers run on the ring's loop thread (keep
 * them short and non-blocking) unless the channel was opened with an executor, which then runs them; {@code Future}s
 * complete on the loop thread. Opening waits for the ring's {@code openat}, so it must not be called on a loop thread.
 * Ownership: the channel owns its {@link FileHandle} and closes it in {@link #close()}; the caller's
 * {@code ByteBuffer}s are never handed to the kernel (bytes are copied through the library's own buffers, which the
 * kernel may use until each op's final CQE), and must not be touched while an operation on them is pending.
 */
public final class UringAsynchronousFileChannel extends AsynchronousFileChannel {
    private final FileHandle file;
    private final Executor executor;

    private UringAsynchronousFileChannel(FileHandle file, Executor executor) {
        this.file = file;
        this.executor = executor;
    }

    /**
     * Opens {@code path} with {@code options} through a ring of {@code files}; handlers run on the loop thread.
     *
     * @param files   the rings and allocator to use
     * @param path    the file
     * @param options as for {@link AsynchronousFileChannel#open(Path, OpenOption...)}
     * @return the channel
     * @throws IOException if the open fails ({@code NoSuchFileException}, ...)
     */
    public static UringAsynchronousFileChannel open(RingFiles files, Path path, OpenOption... options)
            throws IOException {
        return open(files, path, new HashSet<>(Arrays.asList(options)), null);
    }

    /**
     * @param files      the rings and allocator to use
     * @param path       the file
     * @param options    as for {@link AsynchronousFileChannel#open(Path, Set, java.util.concurrent.ExecutorService,
     *                   FileAttribute[])}
     * @param executor   runs the completion handlers, or null for the ring's loop thread
     * @param attributes initial attributes of a created file
     * @return the channel
     * @throws IOException if the open fails
     */
    public static UringAsynchronousFileChannel open(RingFiles files, Path path, Set<? extends OpenOption> options,
                                                    Executor executor, FileAttribute<?>... attributes)
            throws IOException {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        if (options.contains(StandardOpenOption.APPEND)) {
            throw new UnsupportedOperationException("APPEND not allowed");
        }
        for (var loop : files.ops().rings().loops()) {
            if (loop.inLoop()) {
                throw new IllegalStateException("opening a channel waits for the ring: not on a loop thread");
            }
        }
        Publisher<FileHandle> open = files.open(path, FileOpenOptions.of(options, attributes));
        return new UringAsynchronousFileChannel(await(open), executor);
    }

    /**
     * A channel over a handle that is already open; the channel then owns it.
     *
     * @param file     the handle
     * @param executor runs the completion handlers, or null for the ring's loop thread
     * @return the channel
     */
    public static UringAsynchronousFileChannel of(FileHandle file, Executor executor) {
        return new UringAsynchronousFileChannel(Objects.requireNonNull(file, "file"), executor);
    }

    /** @return the handle the channel is a view of */
    public FileHandle handle() {
        return file;
    }

    private static <T> T await(Publisher<T> op) throws IOException {
        CompletableFuture<T> f = new CompletableFuture<>();
        Callbacks.subscribe(op, (v, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(v);
            }
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        }
    }

    // ------------------------------------------------------------------------------------------- synchronous

    @Override
    public long size() throws IOException {
        return direct("size", () -> FileSyscalls.fstat(file.fd(), FileFlags.STATX_SIZE).size());
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        if (!file.openOptions().writable()) {
            throw new NonWritableChannelException();
        }
        direct("truncate", () -> {
            if (size < FileSyscalls.fstat(file.fd(), FileFlags.STATX_SIZE).size()) {
                FileSyscalls.ftruncate(file.fd(), size);
            }
            return null;
        });
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        direct("force", () -> {
            FileSyscalls.fsync(file.fd(), metaData);
            return null;
        });
    }

    /** A direct syscall holding an op count (the fd cannot be closed under it). */
    private <T> T direct(String op, java.util.function.Supplier<T> call) throws IOException {
        try {
            file.acquire(op);
        } catch (FileClosedException e) {
            throw (ClosedChannelException) FileErrors.forChannel(e, file.path());
        }
        try {
            return call.get();
        } catch (RuntimeException e) {
            Throwable t = FileErrors.forChannel(e, file.path());
            if (t instanceof IOException io) {
                throw io;
            }
            throw e;
        } finally {
            file.release();
        }
    }

    // ------------------------------------------------------------------------------------------- locks

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
                         CompletionHandler<FileLock, ? super A> handler) {
        throw locksUnsupported();
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        throw locksUnsupported();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
        throw locksUnsupported();
    }

    private static UnsupportedOperationException locksUnsupported() {
        return new UnsupportedOperationException("file locks are not supported by UringAsynchronousFileChannel: "
                + "io_uring has no op for fcntl locks and a waiting lock would need a thread; use FileChannel.lock");
    }

    // ------------------------------------------------------------------------------------------- reads

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment,
                         CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        startRead(dst, position, (n, e) -> dispatch(handler, attachment, n, e));
    }

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        startRead(dst, position, (n, e) -> settle(f, n, e));
        return f;
    }

    private void startRead(ByteBuffer dst, long position, BiConsumer<Integer, Throwable> done) {
        Objects.requireNonNull(dst, "dst");
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!file.openOptions().readable()) {
            throw new NonReadableChannelException();
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        if (!file.isOpen()) {
            done.accept(null, new ClosedChannelException());
            return;
        }
        int want = dst.remaining();
        if (want == 0) {
            done.accept(0, null);
            return;
        }
        Callbacks.subscribe(file.read(position, want), (UringBuffer buf, Throwable e) -> {
            if (e != null) {
                done.accept(null, FileErrors.forChannel(e, file.path()));
                return;
            }
            int n;
            try {
                n = buf.readableBytes();
                buf.readBytes(dst);
            } finally {
                buf.release();
            }
            done.accept(n == 0 ? -1 : n, null);
        });
    }

    // ------------------------------------------------------------------------------------------- writes

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment,
                          CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        startWrite(src, position, (n, e) -> dispatch(handler, attachment, n, e));
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        startWrite(src, position, (n, e) -> settle(f, n, e));
        return f;
    }

    private void startWrite(ByteBuffer src, long position, BiConsumer<Integer, Throwable> done) {
        Objects.requireNonNull(src, "src");
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!file.openOptions().writable()) {
            throw new NonWritableChannelException();
        }
        if (!file.isOpen()) {
            done.accept(null, new ClosedChannelException());
            return;
        }
        if (!src.hasRemaining()) {
            done.accept(0, null);
            return;
        }
        // the bytes are copied into an owned buffer when the write starts; the position moves once it is done
        Callbacks.subscribe(file.write(position, src), (Integer n, Throwable e) -> {
            if (e != null) {
                done.accept(null, FileErrors.forChannel(e, file.path()));
                return;
            }
            src.position(src.position() + n);
            done.accept(n, null);
        });
    }

    // ------------------------------------------------------------------------------------------- completion

    private <V, A> void dispatch(CompletionHandler<V, ? super A> handler, A attachment, V value, Throwable error) {
        Runnable r = () -> {
            if (error != null) {
                handler.failed(error, attachment);
            } else {
                handler.completed(value, attachment);
            }
        };
        if (executor != null) {
            executor.execute(r);
            return;
        }
        try {
            r.run();
        } catch (RuntimeException e) {
            file.loop().options().errorHook().accept(e); // a handler's failure must not break the ring's signals
        }
    }

    private static <V> void settle(CompletableFuture<V> f, V value, Throwable error) {
        if (error != null) {
            f.completeExceptionally(error);
        } else {
            f.complete(value);
        }
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    /**
     * Closes the channel: new operations fail with {@link ClosedChannelException}; operations in flight finish
     * normally, and the fd is closed after the last one. Waits for that unless called on the ring's loop thread.
     *
     * @throws IOException if {@code close(2)} failed
     */
    @Override
    public void close() throws IOException {
        CompletableFuture<Void> closed = file.close();
        if (file.loop().inLoop()) {
            return;
        }
        try {
            closed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing " + file.path());
        } catch (ExecutionException e) {
            Throwable c = FileErrors.forChannel(e.getCause(), file.path());
            throw c instanceof IOException io ? io : new IOException(c);
        }
    }

    @Override
    public String toString() {
        return "UringAsynchronousFileChannel[" + file.path() + (isOpen() ? "" : ", closed") + "]";
    }
}
