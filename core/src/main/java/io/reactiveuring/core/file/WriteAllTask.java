package io.reactiveuring.core.file;

import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.ops.FileOps;
import io.reactiveuring.core.ops.OpMemory;
import org.reactivestreams.Subscriber;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_WRITE;

/**
 * One positional write (or gather write) of a handle, continued after short writes until every byte is written: one
 * long-lived op, re-submitted for the rest from its own completion. The task holds one op count of the handle and
 * its own reference to each buffer from its start to its last CQE.
 *
 * <p>Threading: see {@link LoopTask}; all state below is the loop thread's. Ownership: the buffers' references
 * taken at start are released after the last CQE, whatever the subscriber did.
 */
final class WriteAllTask extends LoopTask<Integer> {
    private final FileHandle file;
    private final long position;
    private final UringBuffer[] given;
    private final Supplier<UringBuffer> copy;
    private final CallbackOp op = new CallbackOp(this::onWritten);

    private UringBuffer[] held;
    private long total;
    private long written;
    private OpMemory iovecs;
    private boolean inFlight;
    private boolean holding;

    WriteAllTask(FileHandle file, long position, UringBuffer[] given, Subscriber<? super Integer> actual) {
        super(file.loop(), actual);
        this.file = file;
        this.position = position;
        this.given = given;
        this.copy = null;
    }

    WriteAllTask(FileHandle file, long position, Supplier<UringBuffer> copy, Subscriber<? super Integer> actual) {
        super(file.loop(), actual);
        this.file = file;
        this.position = position;
        this.given = null;
        this.copy = copy;
    }

    @Override
    void start() {
        file.acquire("write");
        holding = true;
        try {
            if (copy != null) {
                held = new UringBuffer[] {copy.get()};
            } else {
                held = new UringBuffer[given.length];
                for (int i = 0; i < given.length; i++) {
                    held[i] = given[i].retain(); // a borrowed buffer's retain is a copy: ours to release
                }
            }
        } catch (RuntimeException | Error e) {
            cleanUp();
            throw e;
        }
        for (UringBuffer b : held) {
            total += b.readableBytes();
        }
        if (total > Integer.MAX_VALUE) {
            cleanUp();
            throw new IllegalArgumentException("a write of " + total + " bytes does not fit the int result");
        }
        if (total == 0) {
            cleanUp();
            complete(0);
            return;
        }
        submitRest();
    }

    private void submitRest() {
        long at = position + written;
        OpSpec spec;
        if (held.length == 1) {
            MemorySegment rest = held[0].readableSegment().asSlice(written);
            spec = file.onFile(OpSpec.builder(IORING_OP_WRITE)).addr(rest.address()).len((int) rest.byteSize())
                    .off(at).build();
        } else {
            iovecs = OpMemory.of(file.files().allocator());
            spec = file.fixed(FileOps.writev(file.fd(), at, iovecs, restOf(written)));
        }
        op.spec(spec);
        inFlight = true;
        loop.submit(op);
    }

    /** The segments of the bytes after the first {@code skip}. */
    private MemorySegment[] restOf(long skip) {
        int first = 0;
        long left = skip;
        while (left >= held[first].readableBytes() && first < held.length - 1) {
            left -= held[first].readableBytes();
            first++;
        }
        MemorySegment[] rest = new MemorySegment[held.length - first];
        for (int i = first; i < held.length; i++) {
            MemorySegment s = held[i].readableSegment();
            rest[i - first] = i == first ? s.asSlice(left) : s;
        }
        return rest;
    }

    private void onWritten(int res, int flags) {
        inFlight = false;
        if (UringOperation.quarantined(flags)) {
            // The loop ended under the write: the kernel may still read the buffers and the iovec array.
            iovecs = null;
            held = null;
        }
        if (iovecs != null) {
            iovecs.release();
            iovecs = null;
        }
        if (isCancelled()) {
            cleanUp();
            return;
        }
        if (CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED && loop.isShuttingDown()) {
            cleanUp();
            fail(new UringCancelledException(describe(), "the ring's loop ended before the write completed"));
            return;
        }
        if (res <= 0) {
            cleanUp();
            fail(UringErrors.ofFile(res < 0 ? res : Errno.EIO, res < 0 ? "WRITE at " + (position + written)
                    : "WRITE at " + (position + written) + " (no byte written)", String.valueOf(file.path())));
            return;
        }
        written += res;
        if (written < total) {
            submitRest(); // a short write: the rest, from where it stopped
            return;
        }
        cleanUp();
        complete((int) total);
    }

    @Override
    void onCancel() {
        if (inFlight) {
            loop.cancel(op); // its completion cleans up
        }
    }

    private void cleanUp() {
        if (held != null) {
            for (UringBuffer b : held) {
                if (b != null) {
                    b.release();
                }
            }
            held = null;
        }
        if (holding) {
            holding = false;
            file.release();
        }
    }

    @Override
    String describe() {
        return "WRITE " + file.path() + " at " + (position + written);
    }
}
