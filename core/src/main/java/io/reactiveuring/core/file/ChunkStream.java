package io.reactiveuring.core.file;

import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.SqeWriter;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_READ;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_READ_FIXED;

/**
 * The subscription of a chunk stream: a file from a position to its end as buffers of {@code chunk} bytes, with up to
 * {@code window} reads in flight as demand allows (in flight plus read-ahead never exceeds the outstanding demand,
 * so a subscriber that requests one at a time has one read in flight). The reads are {@code window} long-lived
 * {@link UringOperation}s, re-submitted from the completions with only their address, length and offset changed
 * ({@link UringOperation#prepare}): no publisher, spec or call per read, only the buffer the subscriber receives.
 * They complete in any order and are delivered in file order. A read shorter than the chunk, or empty, is the end of
 * the file: reads already issued past it are discarded.
 *
 * <p>Over a path the stream opens the file at the first request (through the ring) and closes it when it ends,
 * fails or is cancelled; the close happens after the last read's final CQE, so no fd stays open and no read stays
 * in flight. Over a given handle the handle stays open. A read error, the handle being closed, or the ring's end
 * (a {@code UringCancelledException}) fail the stream: no read is issued after it and buffers read ahead and not
 * delivered are released. {@code onComplete} and {@code onError} come only after every read in flight has had its
 * final CQE and an owned file is closed, so once they arrive no buffer of the stream is live and no fd open (a failed
 * close after the last byte is the stream's error, as with {@code Files.readAllBytes}).
 *
 * <p>Threading: {@code request} and {@code cancel} from any thread; everything else, signals included, on the loop
 * thread, in a drain serialised by a work-in-progress counter (requests from other threads hand it over; once the loop
 * has ended the drain runs on the calling thread and only fails the stream). Ownership: each delivered buffer is the
 * subscriber's; buffers not delivered are released by the stream.
 */
final class ChunkStream implements Subscription {
    /** {@link #owedTerminal} for a completion. */
    private static final Object COMPLETE = new Object();
    private static final VarHandle REQUESTED;
    private static final VarHandle WIP;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            REQUESTED = l.findVarHandle(ChunkStream.class, "requested", long.class);
            WIP = l.findVarHandle(ChunkStream.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingFiles files;
    private final Path path;
    private final long start;
    private final int chunk;
    private final int window;
    private final Subscriber<? super UringBuffer> actual;
    private final UringLoop loop;
    private final Runnable drainTask = this::drainLoop;
    private final Runnable loopEndedListener = this::onLoopEnded;

    // inputs, any thread
    private volatile long requested;
    private volatile int wip;
    private volatile boolean cancelled;
    private volatile Throwable badRequest;
    private volatile boolean started;
    private volatile boolean loopEnded;

    // loop thread (the drain and the completions)
    private FileHandle file;
    private final boolean ownsFile;
    private boolean opening;
    private final ReadOp[] ops;
    private long issueSeq;
    private long deliverSeq;
    private long endSeq = Long.MAX_VALUE;
    private long nextOffset;
    private Throwable failure;
    private boolean done;
    /** The terminal signal waits for the reads in flight (and the owned file's close): null if none is owed. */
    private Object owedTerminal;
    private boolean quiesced;
    private OpSpec plainSpec;
    private OpSpec fixedSpec;
    private boolean specsRegistered;

    /**
     * @param files  the owner
     * @param given  the handle to read (kept open), or null to open {@code path}
     * @param path   the file to open when {@code given} is null
     * @param start  the first chunk's position
     * @param chunk  bytes per read
     * @param window reads in flight at most
     * @param actual the subscriber
     */
    ChunkStream(RingFiles files, FileHandle given, Path path, long start, int chunk, int window,
                Subscriber<? super UringBuffer> actual) {
        this.files = files;
        this.file = given;
        this.ownsFile = given == null;
        this.path = given != null ? given.path() : path;
        this.loop = given != null ? given.loop() : files.ops().rings().pick();
        this.start = start;
        this.nextOffset = start;
        this.chunk = chunk;
        this.window = window;
        this.actual = actual;
        this.ops = new ReadOp[window];
    }

    /** onSubscribe, then the stream runs (nothing before a request). */
    void subscribe() {
        actual.onSubscribe(this);
        loop.addTerminationListener(loopEndedListener);
        started = true;
        signal();
    }

    // ------------------------------------------------------------------------------------------- inputs

    @Override
    public void request(long n) {
        if (n <= 0) {
            if (badRequest == null) {
                badRequest = new IllegalArgumentException("§3.9: request must be positive, was " + n);
            }
        } else {
            long r;
            long u;
            do {
                r = requested;
                if (r == Long.MAX_VALUE) {
                    break;
                }
                u = r + n;
                if (u < 0) {
                    u = Long.MAX_VALUE;
                }
            } while (!REQUESTED.compareAndSet(this, r, u));
        }
        signal();
    }

    @Override
    public void cancel() {
        cancelled = true;
        signal();
    }

    private void onLoopEnded() {
        loopEnded = true;
        signal();
    }

    private void signal() {
        if ((int) WIP.getAndAdd(this, 1) != 0) {
            return;
        }
        if (loop.inLoop()) {
            drainLoop();
            return;
        }
        try {
            loop.execute(drainTask);
        } catch (RejectedExecutionException e) {
            loopEnded = true; // nothing runs on the loop any more: the drain only ends the stream, here
            drainLoop();
        }
    }

    private void drainLoop() {
        int missed = 1;
        while (true) {
            try {
                drainOnce();
            } catch (Throwable t) {
                // a subscriber that throws from onNext broke §2.13: it is treated as cancelled
                cancelled = true;
                loop.options().errorHook().accept(t);
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------- the drain

    private void drainOnce() {
        if (!started || done) {
            return;
        }
        if (cancelled) {
            end(null, false);
            return;
        }
        Throwable bad = badRequest;
        if (bad == null) {
            bad = failure;
        }
        if (bad == null && loopEnded) {
            bad = new UringCancelledException("READ " + path, "the ring's loop has ended");
        }
        if (bad != null) {
            end(bad, true);
            return;
        }
        if (file == null) {
            if (!opening && requested > 0) {
                open();
            }
            return;
        }
        long r = requested;
        long emitted = 0;
        while (deliverSeq < issueSeq && deliverSeq < endSeq && emitted != r) {
            ReadOp op = ops[slot(deliverSeq)];
            if (!op.ready) {
                break;
            }
            UringBuffer b = op.take();
            deliverSeq++;
            emitted++;
            actual.onNext(b);
            if (cancelled) {
                end(null, false);
                return;
            }
        }
        if (emitted != 0 && r != Long.MAX_VALUE) {
            r = (long) REQUESTED.getAndAdd(this, -emitted) - emitted;
        } else {
            r = requested;
        }
        if (deliverSeq >= endSeq) {
            end(null, true);
            return;
        }
        long want = Math.min(window, r);
        while (issueSeq - deliverSeq < want && issueSeq < endSeq) {
            if (!issue()) {
                return; // the handle was closed under the stream: end() ran
            }
        }
    }

    private void open() {
        opening = true;
        files.openOn(loop, path, FileOpenOptions.READ, (handle, error) -> {
            opening = false;
            if (error != null) {
                failure = error;
            } else if (done || cancelled) {
                handle.close();
            } else {
                file = handle;
            }
            signal();
        });
    }

    private boolean issue() {
        ReadOp op = ops[slot(issueSeq)];
        if (op == null) {
            op = ops[slot(issueSeq)] = new ReadOp();
        }
        try {
            file.acquire("read");
        } catch (FileClosedException e) {
            end(e, true);
            return false;
        }
        RingResources.FixedChunk fixed = files.options().readsIntoRegisteredBuffers(file.openOptions())
                ? file.resources().takeChunk(chunk, files.options().registeredBufferBytes()) : null;
        op.seq = issueSeq++;
        op.offset = nextOffset;
        nextOffset += chunk;
        op.fixed = fixed;
        if (fixed == null) {
            op.buffer = files.allocator().allocate(chunk);
            op.address = op.buffer.writableSegment().address();
        } else {
            op.address = fixed.segment.address();
        }
        op.spec(specFor(fixed != null));
        op.inFlight = true;
        loop.submit(op);
        return true;
    }

    /** The stream's two base specs (plain, fixed buffer), rebuilt once the handle has a registered slot. */
    private OpSpec specFor(boolean fixedBuffer) {
        boolean registered = file.isRegistered();
        if (plainSpec == null || registered != specsRegistered) {
            specsRegistered = registered;
            plainSpec = file.onFile(OpSpec.builder(IORING_OP_READ)).len(chunk).build();
            fixedSpec = file.onFile(OpSpec.builder(IORING_OP_READ_FIXED)).len(chunk).bufIndex(0).build();
        }
        return fixedBuffer ? fixedSpec : plainSpec;
    }

    private int slot(long seq) {
        return (int) (seq % window);
    }

    /** A read's final CQE (loop thread). */
    private void onRead(ReadOp op, int res, int flags) {
        op.inFlight = false;
        file.release();
        if (UringOperation.quarantined(flags)) {
            op.forget(); // the loop ended under the read: the kernel may still write into its buffer
        }
        if (done || op.seq >= endSeq) {
            op.discard(); // past the end, or the stream has ended
            if (done && !readsInFlight()) {
                quiesce();
            }
            return;
        }
        if (CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED && loop.isShuttingDown()) {
            loopEnded = true;
            op.discard();
        } else if (res < 0) {
            failure = UringErrors.ofFile(res, "READ at " + op.offset, String.valueOf(path));
            op.discard();
        } else if (res == 0) {
            endSeq = Math.min(endSeq, op.seq); // at or past the end of the file
            op.discard();
        } else {
            op.res = res;
            op.ready = true;
            if (res < chunk) {
                endSeq = Math.min(endSeq, op.seq + 1); // the last bytes of the file
            }
        }
        signal();
    }

    /**
     * The stream ends: no further read, undelivered buffers released, reads in flight cancelled. The owned file is
     * closed and the terminal signal sent only once every read in flight has had its final CQE (see
     * {@link #quiesce}), so a subscriber that sees {@code onComplete} or {@code onError} sees every buffer of the
     * stream released and its fd closed, as after {@code Files.readAllBytes}.
     */
    private void end(Throwable error, boolean signal) {
        done = true;
        loop.removeTerminationListener(loopEndedListener);
        boolean reading = false;
        for (ReadOp op : ops) {
            if (op == null) {
                continue;
            }
            if (op.inFlight) {
                loop.cancel(op); // its completion releases its buffer, then the last one quiesces the stream
                reading = true;
            } else {
                op.discard();
            }
        }
        if (signal && !cancelled) {
            owedTerminal = error != null ? error : COMPLETE;
        }
        if (!reading) {
            quiesce();
        }
    }

    private boolean readsInFlight() {
        for (ReadOp op : ops) {
            if (op != null && op.inFlight) {
                return true;
            }
        }
        return false;
    }

    /** After the stream's last read: the owned file closed, then the owed terminal signal (once). */
    private void quiesce() {
        if (quiesced) {
            return;
        }
        quiesced = true;
        Object owed = owedTerminal;
        owedTerminal = null;
        if (ownsFile && file != null) {
            java.util.concurrent.CompletableFuture<Void> closed = file.close();
            if (owed != null) {
                closed.whenComplete((ignored, closeFailure) -> sendTerminal(owed, closeFailure));
            }
        } else if (owed != null) {
            sendTerminal(owed, null);
        }
    }

    private void sendTerminal(Object owed, Throwable closeFailure) {
        if (cancelled) {
            return; // a cancel that came while the reads drained: nothing is signalled after it
        }
        if (owed == COMPLETE) {
            if (closeFailure == null) {
                actual.onComplete();
            } else {
                actual.onError(closeFailure); // as Files.readAllBytes reports a failed close
            }
            return;
        }
        Throwable error = (Throwable) owed;
        if (closeFailure != null && closeFailure != error) {
            error.addSuppressed(closeFailure);
        }
        actual.onError(error);
    }

    @Override
    public String toString() {
        return "ChunkStream[" + path + ", requested=" + requested + ", issued=" + issueSeq + ", delivered="
                + deliverSeq + (endSeq == Long.MAX_VALUE ? "" : ", end=" + endSeq) + (done ? ", done" : "")
                + (cancelled ? ", cancelled" : "") + "]";
    }

    /** One read of the window: re-submitted for each chunk with a new address and offset. */
    private final class ReadOp extends UringOperation {
        long seq;
        long offset;
        long address;
        UringBuffer buffer;
        RingResources.FixedChunk fixed;
        boolean inFlight;
        boolean ready;
        int res;

        @Override
        protected void prepare(SqeWriter sqe) {
            sqe.addr(address).off(offset);
        }

        @Override
        protected void onCompletion(int res, int flags) {
            onRead(this, res, flags);
        }

        UringBuffer take() {
            ready = false;
            if (fixed != null) {
                RingResources.FixedChunk c = fixed;
                fixed = null;
                return files.allocator().borrow(c.segment.asSlice(0, res), c);
            }
            UringBuffer b = buffer.advanceWriterIndex(res);
            buffer = null;
            return b;
        }

        /** Lets go of the read's memory without freeing or reusing it: the kernel may still write into it. */
        void forget() {
            fixed = null; // its region is then never freed (RingResources sees the quarantine)
            buffer = null;
        }

        void discard() {
            ready = false;
            if (fixed != null) {
                fixed.run();
                fixed = null;
            }
            if (buffer != null) {
                buffer.release();
                buffer = null;
            }
        }
    }
}
