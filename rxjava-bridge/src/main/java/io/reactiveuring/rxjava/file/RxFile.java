package io.reactiveuring.rxjava.file;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.file.FileHandle;
import io.reactiveuring.core.file.FileOpenOptions;
import io.reactiveuring.core.ops.FileStat;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import org.reactivestreams.Publisher;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An open file on one ring, for RxJava: every op a cold {@link Single} or {@link Completable} (streams a
 * {@link Flowable}) over core's {@link FileHandle}, which says what each op guarantees. Positional reads emit a buffer
 * (short only at the end of the file, empty at or after it); writes succeed once every byte is written;
 * {@link #close()} refuses new ops at once and closes the fd after the ops in flight have ended (also when the ring
 * is disposed); an op on a closed file fails with a {@code FileClosedException} naming it, before reaching the
 * kernel. Disposing an op's subscription cancels it in the kernel ({@code ASYNC_CANCEL}).
 *
 * <p>Threading: every method from any thread; signals arrive on the file's ring's loop thread (move heavy work off it
 * with {@code observeOn}). Ownership: the subscriber owns each emitted buffer (release it); ops that write or read
 * into a caller's buffer hold their own reference to it until their final CQE; the file is the caller's to close.
 */
public final class RxFile {
    private final FileHandle handle;

    RxFile(FileHandle handle) {
        this.handle = Objects.requireNonNull(handle, "handle");
    }

    /**
     * Core's handle under this file, for the callback and publisher API or a channel.
     *
     * @return core's handle under this file
     */
    public FileHandle handle() {
        return handle;
    }

    /**
     * The path it was opened with.
     *
     * @return the path it was opened with
     */
    public Path path() {
        return handle.path();
    }

    /**
     * What it was opened with.
     *
     * @return what it was opened with
     */
    public FileOpenOptions openOptions() {
        return handle.openOptions();
    }

    /**
     * Whether ops are still taken.
     *
     * @return false once {@link #close()} was called or its ring ended
     */
    public boolean isOpen() {
        return handle.isOpen();
    }

    // ------------------------------------------------------------------------------------------- reads

    /**
     * Reads into a new buffer.
     *
     * @param position where, {@code >= 0}
     * @param size     at most this many bytes, {@code >= 0}
     * @return the bytes at {@code position} in a new buffer (fewer only at the end, none past it)
     */
    public Single<UringBuffer> read(long position, int size) {
        return Single.fromPublisher(handle.read(position, size));
    }

    /**
     * Reads into the caller's buffer.
     *
     * @param position where, {@code >= 0}
     * @param target   the buffer whose writable bytes receive them; its writer index advances
     * @return the bytes read (0 at the end)
     */
    public Single<Integer> read(long position, UringBuffer target) {
        return Single.fromPublisher(handle.read(position, target));
    }

    /**
     * Reads into several buffers with one {@code readv}.
     *
     * @param position where, {@code >= 0}
     * @param targets  buffers filled in order; their writer indices advance
     * @return the bytes read
     */
    public Single<Integer> readv(long position, UringBuffer... targets) {
        return Single.fromPublisher(handle.readv(position, targets));
    }

    // ------------------------------------------------------------------------------------------- writes

    /**
     * Writes a buffer's readable bytes.
     *
     * @param position where, {@code >= 0}
     * @param data     the readable bytes to write (indices do not move)
     * @return the bytes written, all of them (short writes are continued)
     */
    public Single<Integer> write(long position, UringBuffer data) {
        return Single.fromPublisher(handle.write(position, data));
    }

    /**
     * Writes heap bytes.
     *
     * @param position where
     * @param data     the bytes (copied at each subscription)
     * @return the bytes written
     */
    public Single<Integer> write(long position, byte[] data) {
        return Single.fromPublisher(handle.write(position, data));
    }

    /**
     * Writes a {@code ByteBuffer}'s remaining bytes.
     *
     * @param position where
     * @param data     the remaining bytes (copied at each subscription)
     * @return the bytes written
     */
    public Single<Integer> write(long position, ByteBuffer data) {
        return Single.fromPublisher(handle.write(position, data));
    }

    /**
     * Writes several buffers with {@code writev}.
     *
     * @param position where, {@code >= 0}
     * @param sources  buffers written in order
     * @return the bytes written, all of them
     */
    public Single<Integer> writev(long position, UringBuffer... sources) {
        return Single.fromPublisher(handle.writev(position, sources));
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
    public Single<Long> write(long position, Publisher<UringBuffer> data, boolean fsync) {
        return Single.fromPublisher(handle.write(position, data, fsync));
    }

    // ------------------------------------------------------------------------------------------- metadata, sync

    /**
     * {@code fsync(2)} on the ring.
     *
     * @return completes once synced
     */
    public Completable fsync() {
        return Completable.fromPublisher(handle.fsync());
    }

    /**
     * {@code fdatasync(2)} on the ring.
     *
     * @return completes once synced
     */
    public Completable fdatasync() {
        return Completable.fromPublisher(handle.fdatasync());
    }

    /**
     * {@code fallocate(2)} on the ring.
     *
     * @param mode   {@code FileFlags.FALLOC_FL_*}, or 0 to allocate (and grow)
     * @param offset from, {@code >= 0}
     * @param length bytes, {@code > 0}
     * @return completes once allocated
     */
    public Completable fallocate(int mode, long offset, long length) {
        return Completable.fromPublisher(handle.fallocate(mode, offset, length));
    }

    /**
     * Sets the file's size ({@code IORING_OP_FTRUNCATE}, or the syscall where the kernel lacks it).
     *
     * @param size the new size, {@code >= 0}
     * @return completes once truncated
     */
    public Completable truncate(long size) {
        return Completable.fromPublisher(handle.truncate(size));
    }

    /**
     * The file's size now.
     *
     * @return the file's size
     */
    public Single<Long> size() {
        return Single.fromPublisher(handle.size());
    }

    /**
     * The file's {@code statx}.
     *
     * @return size, mode, times, blocks
     */
    public Single<FileStat> stat() {
        return Single.fromPublisher(handle.stat());
    }

    // ------------------------------------------------------------------------------------------- streams

    /**
     * The file in chunks, with a read-ahead that follows demand.
     *
     * @param position  where the first chunk starts
     * @param chunkSize bytes per read
     * @param window    reads in flight at most (as demand allows)
     * @return the file from {@code position} to its end, in chunks the subscriber owns; the file stays open
     */
    public Flowable<UringBuffer> chunks(long position, int chunkSize, int window) {
        return Flowable.fromPublisher(handle.chunks(position, chunkSize, window));
    }

    /**
     * The file's lines.
     *
     * @param charset the charset
     * @return the file's lines, as {@code Files.readAllLines} reads them
     */
    public Flowable<String> lines(Charset charset) {
        return Flowable.fromPublisher(handle.lines(charset));
    }

    // ------------------------------------------------------------------------------------------- close

    /**
     * Closes the file (at subscription): new ops are refused at once, the fd is closed after the ops in flight.
     * Disposing the Completable does not stop the close.
     *
     * @return completes once the fd is closed
     */
    public Completable close() {
        return Completable.defer(() -> Completable.fromCompletionStage(handle.close()));
    }

    @Override
    public String toString() {
        return "RxFile[" + handle.path() + (isOpen() ? "" : ", closed") + "]";
    }
}
