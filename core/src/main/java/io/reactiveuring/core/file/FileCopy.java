package io.reactiveuring.core.file;

import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.ops.FileOps;
import org.reactivestreams.Subscriber;

import java.nio.file.Path;
import java.util.function.LongConsumer;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_READ;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_WRITE;

/**
 * A file copy on one ring, as a chain of ring ops: open the source, read its identity (device, inode, size, mode),
 * {@code statx} the target: the same file means nothing to copy, an existing one is an error unless replacing, when
 * it is unlinked (as {@code Files.copy} does); then create the target ({@code O_EXCL}, the source's permission bits),
 * move the bytes, sync if asked, close both.
 *
 * <p>Moving the bytes: with splice, up to four lanes, each a pipe (grown to the chunk size where the system allows),
 * take chunks of the file in turn; a chunk is a linked pair {@code splice(source@off -> pipe)} then
 * {@code splice(pipe -> target@off)}: one submission per chunk and no byte through user memory. A pair whose first splice moves less than asked has its
 * link broken by the kernel (the second one ends with {@code -ECANCELED}); what is left in the pipe is then drained
 * by single splices before the chunk goes on. If the first splice is refused ({@code EINVAL}: a file system without
 * splice support, {@code O_DIRECT}), the copy falls back to read/write: up to four reads in flight into owned buffers,
 * each followed by the write of what it read at the same position (continued after short writes). A source of size
 * 0 is always read/written to its end.
 *
 * <p>Threading: see {@link LoopTask}; all state is the loop thread's, and {@code progress} is called there.
 * Ownership: both handles, the pipe and the buffers are the copy's and are closed or released once no op is in
 * flight any more, whatever happened.
 */
final class FileCopy extends LoopTask<Long> {
    /** Splice lanes (pipes) moving chunks at once. */
    private static final int LANES = 4;
    private static final int RW_SLOTS = 4;
    private static final int RW_CHUNK = 256 * 1024;

    private final RingFiles files;
    private final Path sourcePath;
    private final Path targetPath;
    private final CopyOptions options;
    private final LongConsumer progress;

    private FileHandle source;
    private FileHandle target;
    private long size;
    private long copied;
    private Throwable failure;
    /** An op of the read/write copy was quarantined at the loop's end: its buffers are never given back. */
    private boolean memoryKept;
    private int inFlight;
    private boolean finishing;
    private boolean closed;

    // splice
    private Lane[] lanes;
    private long nextOffset;
    private boolean anySpliced;
    private boolean spliceRefused;

    // read/write
    private RwSlot[] slots;
    private long readOffset;
    private boolean sourceEnded;

    FileCopy(RingFiles files, UringLoop loop, Path source, Path target, CopyOptions options, LongConsumer progress,
             Subscriber<? super Long> actual) {
        super(loop, actual);
        this.files = files;
        this.sourcePath = source;
        this.targetPath = target;
        this.options = options;
        this.progress = progress;
    }

    @Override
    String describe() {
        return "copy " + sourcePath + " -> " + targetPath;
    }

    // ------------------------------------------------------------------------------------------- setup

    @Override
    void start() {
        inFlight++;
        files.openOn(loop, sourcePath, FileOpenOptions.READ, (h, e) -> {
            inFlight--;
            source = h;
            if (stopped(e)) {
                return;
            }
            inFlight++;
            Callbacks.subscribe(source.identity(), this::onSourceIdentity);
        });
    }

    private void onSourceIdentity(long[] id, Throwable e) {
        inFlight--;
        if (stopped(e)) {
            return;
        }
        size = id[2];
        inFlight++;
        files.identityOn(loop, targetPath, (tid, res) -> {
            inFlight--;
            if (stopped(null)) {
                return;
            }
            if (tid == null && res != -Errno.ENOENT) {
                stopped(FileErrors.of(res, "STATX", targetPath));
            } else if (tid == null) {
                openTarget((int) id[3] & 0777);
            } else if (tid[0] == id[0] && tid[1] == id[1]) {
                finish(); // the same file: nothing to copy (as Files.copy)
            } else if (!options.replaceExisting()) {
                stopped(FileErrors.of(-Errno.EEXIST, "copy", targetPath));
            } else {
                // replaced as Files.copy does: the old file (or link) unlinked, a new one created
                inFlight++;
                files.unlinkOn(loop, targetPath, r -> {
                    inFlight--;
                    if (r < 0 && r != -Errno.ENOENT) {
                        stopped(FileErrors.of(r, "UNLINKAT", targetPath));
                    } else if (!stopped(null)) {
                        openTarget((int) id[3] & 0777);
                    }
                });
            }
        });
    }

    /** The target, new ({@code O_EXCL}: a file that appeared meanwhile is not overwritten), with the source's mode. */
    private void openTarget(int mode) {
        int flags = FileFlags.O_WRONLY | FileFlags.O_CREAT | FileFlags.O_EXCL;
        inFlight++;
        files.openOn(loop, targetPath, new FileOpenOptions(flags, mode, false, true, false, false), (h, e) -> {
            inFlight--;
            target = h;
            if (!stopped(e)) {
                beginCopy();
            }
        });
    }

    /** True (and the copy wound down) if it must stop: cancelled, failed, or {@code error} is set. */
    private boolean stopped(Throwable error) {
        if (error != null && failure == null) {
            failure = error;
        }
        if (failure != null || isCancelled()) {
            windDown();
            return true;
        }
        return false;
    }

    private void beginCopy() {
        if (!options.splice() || size == 0) {
            startReadWrite();
            return;
        }
        int wanted = (int) Math.min(LANES, Math.max(1, (size + options.chunkSize() - 1) / options.chunkSize()));
        Lane[] made = new Lane[wanted];
        try {
            for (int i = 0; i < wanted; i++) {
                made[i] = new Lane(Pipe.open(), options.chunkSize());
            }
        } catch (RuntimeException e) {
            for (Lane l : made) {
                if (l != null) {
                    l.pipe.close();
                }
            }
            startReadWrite(); // no pipe to be had (EMFILE): copy through buffers
            return;
        }
        lanes = made;
        for (Lane l : lanes) {
            l.nextChunk();
        }
        laneIdle();
    }

    private static int pipeCapacity(Pipe pipe, int wanted) {
        try {
            return FileSyscalls.setPipeSize(pipe.writeFd(), wanted);
        } catch (UringException e) {
            return 64 * 1024; // over /proc/sys/fs/pipe-max-size: the default capacity
        }
    }

    // ------------------------------------------------------------------------------------------- splice

    /**
     * One pipe and its pair of splice ops, moving one chunk of the file at a time: a linked
     * {@code splice(source@off -> pipe)} then {@code splice(pipe -> target@off)}. Several lanes move different chunks
     * at once, so that one lane's splice into its pipe overlaps another's out of its pipe (each runs on a kernel
     * io-wq worker).
     */
    private final class Lane {
        final Pipe pipe;
        final int capacity;
        final CallbackOp toPipe = new CallbackOp(this::onToPipe);
        final CallbackOp fromPipe = new CallbackOp(this::onFromPipe);
        long offset;
        long end;
        int inPipe;
        int pairLeft;
        int inRes;
        int inFlags;
        int outRes;
        int outFlags;
        boolean draining;
        boolean busy;

        Lane(Pipe pipe, int wanted) {
            this.pipe = pipe;
            this.capacity = pipeCapacity(pipe, wanted);
        }

        /** Takes the next chunk of the file, if any is left and the copy goes on. */
        void nextChunk() {
            busy = false;
            if (stopped(null) || spliceRefused || sourceEnded || nextOffset >= size) {
                return;
            }
            offset = nextOffset;
            end = Math.min(nextOffset + capacity, size);
            nextOffset = end;
            pair();
        }

        /** The rest of the current chunk as a linked pair (the pipe is empty). */
        void pair() {
            int length = (int) (end - offset);
            busy = true;
            draining = false;
            pairLeft = 2;
            source.acquire("splice");
            target.acquire("splice");
            toPipe.spec(FileOps.splice(source.fd(), offset, pipe.writeFd(), -1, length, 0));
            fromPipe.spec(FileOps.splice(pipe.readFd(), -1, target.fd(), offset, length, 0));
            inFlight += 2;
            loop.submitLinked(toPipe, fromPipe);
        }

        /** What a short pair left in the pipe, written out before the chunk goes on. */
        void drain() {
            busy = true;
            draining = true;
            target.acquire("splice");
            fromPipe.spec(FileOps.splice(pipe.readFd(), -1, target.fd(), offset, inPipe, 0));
            inFlight++;
            loop.submit(fromPipe);
        }

        void onToPipe(int res, int flags) {
            inFlight--;
            source.release();
            inRes = res;
            inFlags = flags;
            if (--pairLeft == 0) {
                onPair();
            }
        }

        void onFromPipe(int res, int flags) {
            inFlight--;
            target.release();
            if (draining) {
                onDrained(res, flags);
                return;
            }
            outRes = res;
            outFlags = flags;
            if (--pairLeft == 0) {
                onPair();
            }
        }

        /** Both CQEs of a pair are in (in whichever order they came). */
        void onPair() {
            busy = false;
            if (isCancelled() || failure != null) {
                windDown();
                return;
            }
            int flags = inFlags | outFlags;
            if (inRes < 0) {
                if (!anySpliced && inRes == -Errno.EINVAL && !ended(inRes, flags)) {
                    spliceRefused = true; // this file system (or O_DIRECT) refuses splice: copy through buffers
                    laneIdle();
                    return;
                }
                failOp(inRes, flags, "SPLICE at " + offset, sourcePath);
                return;
            }
            inPipe += inRes;
            if (outRes == -Errno.ECANCELED && !ended(outRes, flags)) {
                // the first splice moved less than asked, which broke the link
                if (inPipe == 0) {
                    sourceEnded = true; // nothing moved: the source ended before its size (it shrank meanwhile)
                    laneIdle();
                    return;
                }
                drain();
                return;
            }
            if (outRes < 0) {
                failOp(outRes, flags, "SPLICE at " + offset, targetPath);
                return;
            }
            moved(outRes);
        }

        void onDrained(int res, int flags) {
            busy = false;
            if (isCancelled() || failure != null) {
                windDown();
                return;
            }
            if (res <= 0) {
                failOp(res == 0 ? -Errno.EIO : res, flags, "SPLICE at " + offset, targetPath);
                return;
            }
            moved(res);
        }

        private void moved(int res) {
            anySpliced = true;
            inPipe -= res;
            offset += res;
            if (!advance(res)) {
                return;
            }
            if (inPipe > 0) {
                drain();
            } else if (offset < end) {
                pair(); // a short pair: the rest of the chunk
            } else {
                nextChunk();
                laneIdle();
            }
        }
    }

    /** A lane has nothing more to do: once none has, the copy is done (or goes read/write if splice was refused). */
    private void laneIdle() {
        for (Lane l : lanes) {
            if (l.busy) {
                return;
            }
        }
        if (failure != null || isCancelled()) {
            windDown();
        } else if (spliceRefused) {
            closeLanes();
            startReadWrite();
        } else {
            finish();
        }
    }

    private void closeLanes() {
        if (lanes != null) {
            for (Lane l : lanes) {
                l.pipe.close();
            }
            lanes = null;
        }
    }

    /** The loop's end rather than the kernel's answer. */
    private boolean ended(int res, int flags) {
        return CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED && loop.isShuttingDown();
    }

    // ------------------------------------------------------------------------------------------- read/write

    private void startReadWrite() {
        slots = new RwSlot[RW_SLOTS];
        int chunk = Math.min(RW_CHUNK, options.chunkSize());
        for (int i = 0; i < RW_SLOTS; i++) {
            slots[i] = new RwSlot(files.allocator().allocate(chunk));
        }
        readOffset = 0;
        for (RwSlot s : slots) {
            issueRead(s);
        }
        if (inFlight == 0) {
            finish(); // nothing to read
        }
    }

    private void issueRead(RwSlot s) {
        if (sourceEnded || failure != null || isCancelled() || size > 0 && readOffset >= size) {
            return;
        }
        s.offset = readOffset;
        int len = s.buffer.capacity();
        if (size > 0) {
            len = (int) Math.min(len, size - readOffset);
        }
        readOffset += len;
        s.length = 0;
        s.written = 0;
        s.reading = true;
        source.acquire("read");
        s.op.spec(source.onFile(OpSpec.builder(IORING_OP_READ)).addr(s.buffer.segment().address()).len(len)
                .off(s.offset).build());
        inFlight++;
        loop.submit(s.op);
    }

    private void onSlot(RwSlot s, int res, int flags) {
        inFlight--;
        if (UringOperation.quarantined(flags)) {
            memoryKept = true; // the loop ended under the read or write: the kernel may still use its buffer
        }
        (s.reading ? source : target).release();
        if (isCancelled() || failure != null) {
            windDown();
            return;
        }
        if (res < 0) {
            failOp(res, flags, (s.reading ? "READ" : "WRITE") + " at " + s.offset, s.reading ? sourcePath : targetPath);
            return;
        }
        if (s.reading) {
            if (res == 0) {
                sourceEnded = true; // the end (a file of unknown size, or one that shrank)
                if (inFlight == 0) {
                    finish();
                }
                return;
            }
            s.reading = false;
            s.length = res;
            issueWrite(s);
            return;
        }
        s.written += res;
        if (s.written < s.length) {
            issueWrite(s); // a short write: the rest
            return;
        }
        if (!advance(s.length)) {
            return;
        }
        issueRead(s);
        if (inFlight == 0) {
            finish();
        }
    }

    private void issueWrite(RwSlot s) {
        target.acquire("write");
        s.op.spec(target.onFile(OpSpec.builder(IORING_OP_WRITE)).addr(s.buffer.segment().address() + s.written)
                .len(s.length - s.written).off(s.offset + s.written).build());
        inFlight++;
        loop.submit(s.op);
    }

    /** One buffer of the read/write copy: read into it, then written out, then read again. */
    private final class RwSlot {
        final UringBuffer buffer;
        final CallbackOp op;
        long offset;
        int length;
        int written;
        boolean reading;

        RwSlot(UringBuffer buffer) {
            this.buffer = buffer;
            this.op = new CallbackOp((res, flags) -> onSlot(this, res, flags));
        }
    }

    // ------------------------------------------------------------------------------------------- the end

    /** Counts {@code bytes} as copied and reports progress; false if the progress callback failed the copy. */
    private boolean advance(int bytes) {
        copied += bytes;
        if (progress != null) {
            try {
                progress.accept(copied);
            } catch (RuntimeException e) {
                failure = e;
                windDown();
                return false;
            }
        }
        return true;
    }

    private void failOp(int res, int flags, String what, Object file) {
        if (failure == null) {
            failure = CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED && loop.isShuttingDown()
                    ? new UringCancelledException(what + " " + file, "the ring's loop ended before the copy completed")
                    : UringErrors.ofFile(res, what, String.valueOf(file));
        }
        windDown();
    }

    /** All bytes moved: sync if asked, then close and complete. */
    private void finish() {
        if (finishing) {
            return;
        }
        finishing = true;
        if (options.fsync() && target != null && copied > 0) {
            inFlight++;
            Callbacks.subscribe(target.fsync(), (v, e) -> {
                inFlight--;
                if (e != null && failure == null) {
                    failure = e;
                }
                closeAll();
            });
            return;
        }
        closeAll();
    }

    /** A failure or a cancel: once nothing is in flight, close everything and signal. */
    private void windDown() {
        if (inFlight > 0) {
            return; // the last completion comes back here
        }
        closeAll();
    }

    private void closeAll() {
        if (closed || inFlight > 0) {
            return;
        }
        closed = true;
        closeLanes();
        if (slots != null) {
            if (!memoryKept) {
                for (RwSlot s : slots) {
                    s.buffer.release();
                }
            }
            slots = null;
        }
        FileHandle src = source;
        FileHandle dst = target;
        long total = copied;
        Runnable signal = () -> {
            if (failure != null) {
                fail(failure);
            } else {
                complete(total);
            }
        };
        if (src != null) {
            src.close();
        }
        if (dst != null) {
            // the target's close is part of the copy: data written is in the file once the copy completes
            dst.close().whenComplete((v, e) -> {
                if (e != null && failure == null) {
                    failure = e;
                }
                if (!onLoop(signal)) {
                    signal.run(); // the loop has ended
                }
            });
        } else {
            signal.run();
        }
    }

    @Override
    void onCancel() {
        if (lanes != null) {
            for (Lane l : lanes) {
                if (l.toPipe.isInFlight()) {
                    loop.cancel(l.toPipe);
                }
                if (l.fromPipe.isInFlight()) {
                    loop.cancel(l.fromPipe);
                }
            }
        }
        if (slots != null) {
            for (RwSlot s : slots) {
                if (s.op.isInFlight()) {
                    loop.cancel(s.op);
                }
            }
        }
        windDown();
    }
}
