package io.reactiveuring.rxjava.file;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.file.CopyOptions;
import io.reactiveuring.core.file.FileOptions;
import io.reactiveuring.core.file.RingFiles;
import io.reactiveuring.core.file.UringAsynchronousFileChannel;
import io.reactiveuring.core.reactive.UringOps;
import io.reactivex.rxjava3.core.BackpressureStrategy;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import org.reactivestreams.Publisher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.CopyOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Files on the rings of an {@code RxUring} ({@code RxUring.files()}): {@link #open} an {@link RxFile}, or work on
 * whole files — {@link #read} in chunks with a read-ahead window that follows demand, {@link #lines},
 * {@link #readAllBytes}, {@link #readString}, {@link #write} a stream of buffers, {@link #copy} through
 * {@code splice}. Every op is cold (nothing happens before subscription and request); each open picks a ring (the
 * caller's own when on a loop thread, else round robin) and the file's ops stay there. Open errors have the JDK's
 * types and name the path ({@code NoSuchFileException}, {@code FileSystemException} for {@code EISDIR}, ...), each
 * also a {@code UringError} with the errno. This is a thin shell over core's {@link RingFiles}: the read-ahead,
 * write windows, splice copies and the closing of files after their last CQE live there.
 *
 * <p>Threading: immutable, safe from any thread; signals arrive on a loop thread. Ownership: the rings and the
 * allocator are the {@code RxUring}'s (disposing it closes the files still open); emitted buffers belong to the
 * subscriber; an emitted {@link RxFile} is the subscriber's to close; path-level ops open and close their own files
 * (after the last op's CQE, also when disposed).
 */
public final class RxFiles {
    private final RingFiles files;

    private RxFiles(RingFiles files) {
        this.files = files;
    }

    /**
     * Files over core's catalogue, with default {@link FileOptions}.
     *
     * @param ops the rings and allocator ({@code RxUring.ops()}, which carries RxJava's discard policy)
     * @return files over them
     */
    public static RxFiles over(UringOps ops) {
        return over(ops, FileOptions.defaults());
    }

    /**
     * Files over core's catalogue.
     *
     * @param ops     the rings and allocator
     * @param options registered files and buffers, stream windows
     * @return files over them
     */
    public static RxFiles over(UringOps ops, FileOptions options) {
        return new RxFiles(RingFiles.over(Objects.requireNonNull(ops, "ops"), Objects.requireNonNull(options,
                "options")));
    }

    /**
     * Core's file machinery under this shell.
     *
     * @return the shared rings, allocator and open handles
     */
    public RingFiles core() {
        return files;
    }

    // ------------------------------------------------------------------------------------------- open

    /**
     * Opens a file on a ring.
     *
     * @param path    the file
     * @param options {@code StandardOpenOption}s (none: read), {@code LinkOption.NOFOLLOW_LINKS},
     *                {@code UringOpenOption.DIRECT}/{@code NOATIME}
     * @return the open file
     */
    public Single<RxFile> open(Path path, OpenOption... options) {
        return Single.fromPublisher(files.open(path, options)).map(RxFile::new);
    }

    /**
     * Opens a file on a ring, creating it with attributes.
     *
     * @param path       the file
     * @param options    the options
     * @param attributes initial attributes of a created file ({@code PosixFilePermissions.asFileAttribute})
     * @return the open file
     */
    public Single<RxFile> open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes) {
        return Single.fromPublisher(files.open(path, options, attributes)).map(RxFile::new);
    }

    /**
     * An {@code AsynchronousFileChannel} on the ring, for code written against the JDK's API; waits for the open, so
     * not on a loop thread.
     *
     * @param path    the file
     * @param options as for {@code AsynchronousFileChannel.open}
     * @return the channel
     * @throws IOException if the open fails
     */
    public UringAsynchronousFileChannel openChannel(Path path, OpenOption... options) throws IOException {
        return UringAsynchronousFileChannel.open(files, path, options);
    }

    // ------------------------------------------------------------------------------------------- whole files

    /**
     * The file in chunks.
     *
     * @param path      the file
     * @param chunkSize bytes per read
     * @return the file in chunks the subscriber owns, with {@link FileOptions#streamWindow()} reads in flight as
     * demand allows
     */
    public Flowable<UringBuffer> read(Path path, int chunkSize) {
        return Flowable.fromPublisher(files.read(path, chunkSize));
    }

    /**
     * The file in chunks, with a chosen read-ahead.
     *
     * @param path      the file
     * @param chunkSize bytes per read
     * @param window    reads in flight at most
     * @return the file in chunks
     */
    public Flowable<UringBuffer> read(Path path, int chunkSize, int window) {
        return Flowable.fromPublisher(files.read(path, chunkSize, window));
    }

    /**
     * The whole file as bytes, like {@code Files.readAllBytes}; each chunk is copied out and released at once.
     *
     * @param path the file
     * @return its bytes
     */
    public Single<byte[]> readAllBytes(Path path) {
        return read(path, RingFiles.DEFAULT_CHUNK)
                .collect(ByteArrayOutputStream::new, RxFiles::drainInto)
                .map(ByteArrayOutputStream::toByteArray);
    }

    /**
     * The whole file as UTF-8 text, like {@code Files.readString}.
     *
     * @param path the file
     * @return its text
     */
    public Single<String> readString(Path path) {
        return readString(path, StandardCharsets.UTF_8);
    }

    /**
     * The whole file as text, like {@code Files.readString(path, charset)}: malformed input is an error
     * ({@code MalformedInputException}).
     *
     * @param path    the file
     * @param charset how it is encoded
     * @return its text
     */
    public Single<String> readString(Path path, Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return readAllBytes(path).map(bytes -> charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString());
    }

    private static void drainInto(ByteArrayOutputStream out, UringBuffer chunk) {
        try {
            out.writeBytes(chunk.toByteArray());
        } finally {
            chunk.release();
        }
    }

    /**
     * The file's lines.
     *
     * @param path    the file
     * @param charset the charset
     * @return its lines, as {@code Files.readAllLines(path, charset)} gives them (malformed input is an error)
     */
    public Flowable<String> lines(Path path, Charset charset) {
        return Flowable.fromPublisher(files.lines(path, charset));
    }

    /**
     * The file's UTF-8 lines.
     *
     * @param path the file
     * @return its lines in UTF-8
     */
    public Flowable<String> lines(Path path) {
        return lines(path, StandardCharsets.UTF_8);
    }

    /**
     * Writes a stream of buffers to a file.
     *
     * @param path    the file (none of the options: created or truncated, as {@code Files.write})
     * @param data    the buffers, written in order and released once written
     * @param options open options
     * @return the bytes written, once the file is closed
     */
    public Single<Long> write(Path path, Publisher<UringBuffer> data, OpenOption... options) {
        return write(path, data, false, options);
    }

    /**
     * Writes a stream of buffers to a file, optionally synced.
     *
     * @param path    the file
     * @param data    the buffers
     * @param fsync   sync after the last write (linked to it where that pays)
     * @param options open options
     * @return the bytes written, once the file is synced and closed
     */
    public Single<Long> write(Path path, Publisher<UringBuffer> data, boolean fsync, OpenOption... options) {
        return Single.fromPublisher(files.write(path, data, fsync, options));
    }

    /**
     * Copies a file.
     *
     * @param source  the file to copy
     * @param target  where ({@code REPLACE_EXISTING} to overwrite an existing one)
     * @param options the JDK's copy options
     * @return the bytes copied, through {@code splice} (no byte through the JVM) where the kernel allows
     */
    public Single<Long> copy(Path source, Path target, CopyOption... options) {
        return copy(source, target, CopyOptions.of(options), null);
    }

    /**
     * Copies a file, telling its progress.
     *
     * @param source   the file to copy
     * @param target   where
     * @param options  replace, splice or read/write, chunk size, fsync
     * @param progress bytes copied so far, after each step, on the loop thread (may be null)
     * @return the bytes copied
     */
    public Single<Long> copy(Path source, Path target, CopyOptions options, LongConsumer progress) {
        return Single.fromPublisher(files.copy(source, target, options, progress));
    }

    /**
     * The copy as a stream of progress: the bytes copied so far, only the latest value when the subscriber is slow
     * ({@link BackpressureStrategy#LATEST}), ending with the total. Disposing it stops the copy.
     *
     * @param source  the file to copy
     * @param target  where
     * @param options replace, splice or read/write, chunk size, fsync
     * @return bytes copied so far, then completion
     */
    public Flowable<Long> copyWithProgress(Path source, Path target, CopyOptions options) {
        Objects.requireNonNull(options, "options");
        return Flowable.create(emitter -> {
            AtomicLong last = new AtomicLong(-1);
            LongConsumer progress = n -> {
                last.set(n);
                emitter.onNext(n);
            };
            Disposable copying = copy(source, target, options, progress).subscribe(
                    total -> {
                        if (last.get() != total) {
                            emitter.onNext(total);
                        }
                        emitter.onComplete();
                    },
                    emitter::tryOnError);
            emitter.setDisposable(copying);
        }, BackpressureStrategy.LATEST);
    }

    @Override
    public String toString() {
        return "RxFiles(" + files + ")";
    }
}
