package io.reactiveuring.reactor.file;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.file.CopyOptions;
import io.reactiveuring.core.file.FileOptions;
import io.reactiveuring.core.file.RingFiles;
import io.reactiveuring.core.file.UringAsynchronousFileChannel;
import io.reactiveuring.reactor.ReactorUring;
import io.reactiveuring.reactor.UringBufferFlux;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
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
 * Files on the rings of a {@link ReactorUring} ({@code ReactorUring.files()}): {@link #open} a {@link UringFile},
 * or work on whole files — {@link #read} in chunks with a read-ahead window that follows demand, {@link #lines},
 * {@link #write} a stream of buffers, {@link #copy} through {@code splice}. Every op is cold (nothing happens before
 * subscription and request); each open picks a ring (the caller's own when on a loop thread, else round robin) and
 * the file's ops stay there. Open errors have the JDK's types and name the path ({@code NoSuchFileException},
 * {@code FileSystemException} for {@code EISDIR}, ...), each also a {@code UringError} with the errno. This is a thin
 * shell over core's {@link RingFiles}, which RxJava users can use as well.
 *
 * <p>Threading: immutable, safe from any thread; signals arrive on a loop thread. Ownership: the rings and the
 * allocator are the {@code ReactorUring}'s (disposing it closes the files still open); emitted buffers belong to the
 * subscriber; an emitted {@link UringFile} is the subscriber's to close; path-level ops open and close their own
 * files (after the last op's CQE, also when cancelled).
 */
public final class UringFiles {
    /** The read size of the whole-file conveniences: few reads for most files, little memory for each. */
    private static final int WHOLE_FILE_CHUNK = 64 * 1024;

    private final ReactorUring ring;
    private final RingFiles files;

    private UringFiles(ReactorUring ring, RingFiles files) {
        this.ring = ring;
        this.files = files;
    }

    /**
     * @param ring the rings and allocator
     * @return files over them, default {@link FileOptions}
     */
    public static UringFiles of(ReactorUring ring) {
        return of(ring, FileOptions.defaults());
    }

    /**
     * @param ring    the rings and allocator
     * @param options registered files and buffers, stream windows
     * @return files over them
     */
    public static UringFiles of(ReactorUring ring, FileOptions options) {
        Objects.requireNonNull(ring, "ring");
        return new UringFiles(ring, RingFiles.over(ring.ops(), options));
    }

    /** @return core's file machinery under this shell (shared rings, allocator and open handles) */
    public RingFiles core() {
        return files;
    }

    // ------------------------------------------------------------------------------------------- open

    /**
     * @param path    the file
     * @param options {@code StandardOpenOption}s (none: read), {@code LinkOption.NOFOLLOW_LINKS},
     *                {@code UringOpenOption.DIRECT}/{@code NOATIME}
     * @return the open file
     */
    public Mono<UringFile> open(Path path, OpenOption... options) {
        return Mono.fromDirect(files.open(path, options)).map(h -> new UringFile(h, ring));
    }

    /**
     * @param path       the file
     * @param options    the options
     * @param attributes initial attributes of a created file ({@code PosixFilePermissions.asFileAttribute})
     * @return the open file
     */
    public Mono<UringFile> open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes) {
        return Mono.fromDirect(files.open(path, options, attributes)).map(h -> new UringFile(h, ring));
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
     * @param path      the file
     * @param chunkSize bytes per read
     * @return the file in chunks, with {@link FileOptions#streamWindow()} reads in flight as demand allows
     */
    public Flux<UringBuffer> read(Path path, int chunkSize) {
        return Flux.from(files.read(path, chunkSize));
    }

    /**
     * @param path      the file
     * @param chunkSize bytes per read
     * @param window    reads in flight at most
     * @return the file in chunks
     */
    public Flux<UringBuffer> read(Path path, int chunkSize, int window) {
        return Flux.from(files.read(path, chunkSize, window));
    }

    /**
     * {@code Files.readAllBytes(path)} on the ring: the file read in chunks (the reads released for the caller).
     *
     * @param path the file
     * @return every byte of it (an empty array for an empty file)
     */
    public Mono<byte[]> readAllBytes(Path path) {
        Objects.requireNonNull(path, "path");
        return UringBufferFlux.of(read(path, WHOLE_FILE_CHUNK)).aggregateBytes();
    }

    /**
     * {@code Files.readString(path)} on the ring.
     *
     * @param path the file
     * @return its text decoded as UTF-8; malformed or unmappable input is a {@code CharacterCodingException}
     */
    public Mono<String> readString(Path path) {
        return readString(path, StandardCharsets.UTF_8);
    }

    /**
     * {@code Files.readString(path, charset)} on the ring.
     *
     * @param path    the file
     * @param charset how to decode it
     * @return its text; malformed or unmappable input is a {@code CharacterCodingException}, as with the JDK's
     */
    public Mono<String> readString(Path path, Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return readAllBytes(path).handle((bytes, sink) -> {
            try {
                sink.next(charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                sink.error(e);
            }
        });
    }

    /**
     * @param path    the file
     * @param charset the charset
     * @return its lines, as {@code Files.readAllLines(path, charset)} gives them (malformed input is an error)
     */
    public Flux<String> lines(Path path, Charset charset) {
        return Flux.from(files.lines(path, charset));
    }

    /**
     * @param path the file
     * @return its lines in UTF-8
     */
    public Flux<String> lines(Path path) {
        return lines(path, StandardCharsets.UTF_8);
    }

    /**
     * @param path    the file (none of the options: created or truncated, as {@code Files.write})
     * @param data    the buffers, written in order and released once written
     * @param options open options
     * @return the bytes written, once the file is closed
     */
    public Mono<Long> write(Path path, Publisher<UringBuffer> data, OpenOption... options) {
        return write(path, data, false, options);
    }

    /**
     * @param path    the file
     * @param data    the buffers
     * @param fsync   sync after the last write (linked to it where that pays)
     * @param options open options
     * @return the bytes written, once the file is synced and closed
     */
    public Mono<Long> write(Path path, Publisher<UringBuffer> data, boolean fsync, OpenOption... options) {
        return Mono.fromDirect(files.write(path, data, fsync, options));
    }

    /**
     * @param source  the file to copy
     * @param target  where ({@code REPLACE_EXISTING} to overwrite an existing one)
     * @param options the JDK's copy options
     * @return the bytes copied, through {@code splice} (no byte through the JVM) where the kernel allows
     */
    public Mono<Long> copy(Path source, Path target, CopyOption... options) {
        return copy(source, target, CopyOptions.of(options), null);
    }

    /**
     * @param source   the file to copy
     * @param target   where
     * @param options  replace, splice or read/write, chunk size, fsync
     * @param progress bytes copied so far, after each step, on the loop thread (may be null)
     * @return the bytes copied
     */
    public Mono<Long> copy(Path source, Path target, CopyOptions options, LongConsumer progress) {
        return Mono.fromDirect(files.copy(source, target, options, progress));
    }

    /**
     * The copy as a stream of progress: the bytes copied so far, the latest value only when the subscriber is slow
     * ({@code OverflowStrategy.LATEST}), ending with the total.
     *
     * @param source  the file to copy
     * @param target  where
     * @param options replace, splice or read/write, chunk size, fsync
     * @return bytes copied so far, then completion
     */
    public Flux<Long> copyWithProgress(Path source, Path target, CopyOptions options) {
        Objects.requireNonNull(options, "options");
        return Flux.create(sink -> {
            AtomicLong last = new AtomicLong(-1);
            LongConsumer progress = n -> {
                last.set(n);
                sink.next(n);
            };
            sink.onDispose(Mono.fromDirect(files.copy(source, target, options, progress)).subscribe(
                    total -> {
                        if (last.get() != total) {
                            sink.next(total);
                        }
                    },
                    sink::error,
                    sink::complete));
        }, FluxSink.OverflowStrategy.LATEST);
    }

    @Override
    public String toString() {
        return "UringFiles(" + ring + ")";
    }
}
