package io.reactiveuring.reactor.file;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.file.FileHandle;
import io.reactiveuring.core.file.FileOpenOptions;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.reactor.ReactorUring;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An open file on one ring, for Reactor: every op a cold {@link Mono} (streams a {@link Flux}) over core's
 * {@link FileHandle}, which says what each op guarantees. Positional reads emit a buffer (short only at the end of
 * the file, empty at or after it); writes complete once every byte is written; {@link #close()} refuses new ops at
 * once and closes the fd after the ops in flight have ended (also when the ring is disposed); an op on a closed file
 * fails with a {@code FileClosedException} naming it, before reaching the kernel.
 *
 * <p>Threading: every method from any thread; signals arrive on the file's ring's loop thread (move heavy work off it
 * with {@code publishOn}). Ownership: the subscriber owns each emitted buffer (release it); ops that write or read
 * into a caller's buffer hold their own reference to it until their final CQE; the file is the caller's to close.
 */
public final class UringFile {
    private final FileHandle handle;
    private final ReactorUring ring;

    UringFile(FileHandle handle, ReactorUring ring) {
        this.handle = Objects.requireNonNull(handle, "handle");
        this.ring = ring;
    }

    /** @return core's handle under this file (for the callback and publisher API, or a channel) */
    public FileHandle handle() {
        return handle;
    }

    /** @return the path it was opened with */
    public Path path() {
        return handle.path();
    }

    /** @return what it was opened with */
    public FileOpenOptions openOptions() {
        return handle.openOptions();
    }

    /** @return false once {@link #close()} was called or its ring ended */
    public boolean isOpen() {
        return handle.isOpen();
    }

    // ------------------------------------------------------------------------------------------- reads

    /**
     * @param position where, {@code >= 0}
     * @param size     at most this many bytes, {@code >= 0}
     * @return the bytes at {@code position} in a new buffer (fewer only at the end, none past it)
     */
    public Mono<UringBuffer> read(long position, int size) {
        return ring.toMono(handle.read(position, size));
    }

    /**
     * @param position where, {@code >= 0}
     * @param target   the buffer whose writable bytes receive them; its writer index advances
     * @return the bytes read (0 at the end)
     */
    public Mono<Integer> read(long position, UringBuffer target) {
        return ring.toMono(handle.read(position, target));
    }

    /**
     * @param position where, {@code >= 0}
     * @param targets  buffers filled in order; their writer indices advance
     * @return the bytes read
     */
    public Mono<Integer> readv(long position, UringBuffer... targets) {
        return ring.toMono(handle.readv(position, targets));
    }

    // ------------------------------------------------------------------------------------------- writes

    /**
     * @param position where, {@code >= 0}
     * @param data     the readable bytes to write (indices do not move)
     * @return the bytes written, all of them (short writes are continued)
     */
    public Mono<Integer> write(long position, UringBuffer data) {
        return Mono.fromDirect(handle.write(position, data));
    }

    /**
     * @param position where
     * @param data the bytes (copied at request)
     * @return the bytes written
     */
    public Mono<Integer> write(long position, byte[] data) {
        return Mono.fromDirect(handle.write(position, data));
    }

    /**
     * @param position where
     * @param data the remaining bytes (copied at request)
     * @return the bytes written
     */
    public Mono<Integer> write(long position, ByteBuffer data) {
        return Mono.fromDirect(handle.write(position, data));
    }

    /**
     * @param position where, {@code >= 0}
     * @param sources  buffers written in order
     * @return the bytes written, all of them
     */
    public Mono<Integer> writev(long position, UringBuffer... sources) {
        return Mono.fromDirect(handle.writev(position, sources));
    }

    /**
     * Writes every buffer of {@code data} in order from {@code position}; see
     * {@link FileHandle#write(long, Publisher, boolean)}.
     *
     * @param position where the first byte goes
     * @param data     the buffers (released once written)
     * @param fsync    sync the file after the last write
     * @return the bytes written
     */
    public Mono<Long> write(long position, Publisher<UringBuffer> data, boolean fsync) {
        return Mono.fromDirect(handle.write(position, data, fsync));
    }

    // ------------------------------------------------------------------------------------------- metadata, sync

    /** @return {@code fsync(2)} */
    public Mono<Void> fsync() {
        return ring.toMono(handle.fsync()).then();
    }

    /** @return {@code fdatasync(2)} */
    public Mono<Void> fdatasync() {
        return ring.toMono(handle.fdatasync()).then();
    }

    /**
     * @param mode   {@code FileFlags.FALLOC_FL_*}, or 0 to allocate (and grow)
     * @param offset from, {@code >= 0}
     * @param length bytes, {@code > 0}
     * @return {@code fallocate(2)}
     */
    public Mono<Void> fallocate(int mode, long offset, long length) {
        return ring.toMono(handle.fallocate(mode, offset, length)).then();
    }

    /**
     * @param size the new size, {@code >= 0}
     * @return the truncate ({@code IORING_OP_FTRUNCATE} or the syscall)
     */
    public Mono<Void> truncate(long size) {
        return Mono.fromDirect(handle.truncate(size)).then();
    }

    /** @return the file's size */
    public Mono<Long> size() {
        return ring.toMono(handle.size());
    }

    /** @return the file's {@code statx}: size, mode, times, blocks */
    public Mono<FileStat> stat() {
        return ring.toMono(handle.stat());
    }

    // ------------------------------------------------------------------------------------------- streams

    /**
     * @param position  where the first chunk starts
     * @param chunkSize bytes per read
     * @param window    reads in flight at most (as demand allows)
     * @return the file from {@code position} to its end, in chunks; the file stays open
     */
    public Flux<UringBuffer> chunks(long position, int chunkSize, int window) {
        return Flux.from(handle.chunks(position, chunkSize, window));
    }

    /**
     * @param charset the charset
     * @return the file's lines, as {@code Files.readAllLines} reads them
     */
    public Flux<String> lines(Charset charset) {
        return Flux.from(handle.lines(charset));
    }

    // ------------------------------------------------------------------------------------------- close

    /**
     * Closes the file (at subscription): new ops are refused at once, the fd is closed after the ops in flight.
     * Cancelling the Mono does not stop the close.
     *
     * @return completes once the fd is closed
     */
    public Mono<Void> close() {
        return Mono.defer(() -> Mono.fromFuture(handle.close().copy()));
    }

    @Override
    public String toString() {
        return "UringFile[" + handle.path() + (isOpen() ? "" : ", closed") + "]";
    }
}
