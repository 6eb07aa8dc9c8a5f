package io.reactiveuring.core.file;

import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.ops.FileOps;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_WRITE;

/**
 * A stream of buffers written into a file, in order: the subscription of {@link FileHandle#write(long, Publisher,
 * boolean)} and {@link RingFiles#write}, and at the same time the subscriber of the data. Each buffer is written at
 * the position after the previous one (to the end in an {@code APPEND} file, one write at a time), up to
 * {@code window} writes in flight, each continued after short writes; a buffer is released once written and one more
 * is requested. With {@code fsync}, the file is synced after the last write: linked to that write in one submission
 * ({@code IOSQE_IO_LINK}) when it is the only write in flight, so the sync costs no extra round trip; a short last
 * write breaks the link and the sync follows on its own. Over a path the file is opened at the first request and
 * closed (after the last op's CQE) before the count or the error is signalled.
 *
 * <p>Nothing is subscribed upstream before the first request. An upstream error, a write error, the handle being
 * closed or the ring's end fail the stream: upstream is cancelled, queued buffers are released, writes in flight are
 * cancelled and their buffers released at their final CQE.
 *
 * <p>Threading: upstream signals and downstream requests arrive on any thread and are handed to a drain serialised
 * by a work-in-progress counter, which runs on the loop thread (where the writes complete). Ownership: buffers
 * received from upstream are this op's; each is released exactly once.
 */
final class StreamWriter implements Subscription, Subscriber<UringBuffer> {
    /** The file a path-level write opens. */
    record Target(Path path, FileOpenOptions options) {
    }

    private static final VarHandle WIP;

    static {
        try {
            WIP = MethodHandles.lookup().findVarHandle(StreamWriter.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingFiles files;
    private final Target target;
    private final Publisher<UringBuffer> data;
    private final boolean fsync;
    private final Subscriber<? super Long> actual;
    private final UringLoop loop;
    private final Path path;
    private final Runnable drainTask = this::drainLoop;
    private final Runnable loopEndedListener = this::onLoopEnded;
    private final MpscUnboundedAtomicArrayQueue<UringBuffer> queue = new MpscUnboundedAtomicArrayQueue<>(16);

    // inputs, any thread
    private volatile int wip;
    private volatile boolean started;
    private volatile boolean requested;
    private volatile boolean cancelled;
    private volatile Throwable badRequest;
    private volatile boolean loopEnded;
    private volatile Subscription upstream;
    private volatile boolean upstreamDone;
    private Throwable upstreamError; // published by upstreamDone

    // loop thread
    private FileHandle file;
    private final boolean ownsFile;
    private boolean opening;
    private boolean subscribedUpstream;
    private final WriteOp[] ops;
    private final boolean append;
    private int inFlight;
    private long position;
    private long total;
    private Throwable failure;
    private boolean done;
    private final CallbackOp syncOp;
    private boolean syncInFlight;
    private boolean synced;
    private boolean closing;

    StreamWriter(RingFiles files, FileHandle given, Target target, long position, Publisher<UringBuffer> data,
                 boolean fsync, Subscriber<? super Long> actual) {
        this.files = files;
        this.file = given;
        this.ownsFile = given == null;
        this.target = target;
        this.path = given != null ? given.path() : target.path();
        this.loop = given != null ? given.loop() : files.ops().rings().pick();
        this.position = position;
        this.data = data;
        this.fsync = fsync;
        this.actual = actual;
        this.append = given != null ? given.openOptions().append() : target.options().append();
        this.ops = new WriteOp[append ? 1 : files.options().writeWindow()];
        this.syncOp = new CallbackOp(this::onSynced);
    }

    void subscribe() {
        actual.onSubscribe(this);
        loop.addTerminationListener(loopEndedListener);
        started = true;
        signal();
    }

    // ------------------------------------------------------------------------------------------- downstream

    @Override
    public void request(long n) {
        if (n <= 0 && badRequest == null) {
            badRequest = new IllegalArgumentException("§3.9: request must be positive, was " + n);
        }
        requested = true;
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

    // ------------------------------------------------------------------------------------------- upstream

    @Override
    public void onSubscribe(Subscription s) {
        if (upstream != null) {
            s.cancel(); // §2.5
            return;
        }
        upstream = s;
        s.request(ops.length);
        signal(); // a cancel that came first cancels it
    }

    @Override
    public void onNext(UringBuffer buffer) {
        queue.offer(buffer);
        signal();
    }

    @Override
    public void onError(Throwable t) {
        upstreamError = t;
        upstreamDone = true;
        signal();
    }

    @Override
    public void onComplete() {
        upstreamDone = true;
        signal();
    }

    // ------------------------------------------------------------------------------------------- the drain

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
            loopEnded = true;
            drainLoop();
        }
    }

    private void drainLoop() {
        int missed = 1;
        while (true) {
            try {
                drainOnce();
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
                loop.options().errorHook().accept(t);
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    private void drainOnce() {
        if (!started) {
            return;
        }
        if (done) {
            releaseQueued();
            return;
        }
        if (!requested && !cancelled) {
            return; // cold: nothing before the first request
        }
        Throwable bad = badRequest;
        if (bad == null) {
            bad = failure;
        }
        if (bad == null && loopEnded) {
            bad = new UringCancelledException("WRITE " + path, "the ring's loop has ended");
        }
        if (cancelled || bad != null || closing) {
            abort(bad);
            return;
        }
        if (file == null) {
            if (!opening) {
                open();
            }
            return;
        }
        if (!subscribedUpstream) {
            subscribedUpstream = true;
            data.subscribe(this);
            return; // its signals come back through signal()
        }
        Subscription up = upstream;
        if (up == null) {
            return;
        }
        while (inFlight < ops.length) {
            boolean ended = upstreamDone; // read before polling: every buffer before onComplete is then seen
            UringBuffer b = queue.poll();
            if (b == null) {
                break;
            }
            if (b.readableBytes() == 0) {
                b.release();
                up.request(1);
                continue;
            }
            boolean last = ended && queue.isEmpty() && upstreamError == null;
            WriteOp op = idleOp();
            op.begin(b, append ? -1 : position);
            position += b.readableBytes();
            inFlight++;
            if (!submitWrite(op, last && fsync && inFlight == 1 && !synced)) {
                return;
            }
        }
        if (upstreamDone && queue.isEmpty() && inFlight == 0) {
            if (upstreamError != null) {
                abort(upstreamError);
                return;
            }
            if (fsync && !synced) {
                if (!syncInFlight) {
                    submitSync(false, null);
                }
                return;
            }
            if (!syncInFlight) {
                succeed();
            }
        }
    }

    private void open() {
        opening = true;
        files.openOn(loop, path, target.options(), (handle, error) -> {
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

    private WriteOp idleOp() {
        for (int i = 0; i < ops.length; i++) {
            if (ops[i] == null) {
                ops[i] = new WriteOp();
            }
            if (ops[i].buffer == null) {
                return ops[i];
            }
        }
        throw new IllegalStateException("no idle write op with " + inFlight + " in flight");
    }

    /** Submits {@code op} (continuing from its progress), linked to the sync if {@code withSync}. */
    private boolean submitWrite(WriteOp op, boolean withSync) {
        try {
            file.acquire("write");
        } catch (FileClosedException e) {
            op.finish();
            inFlight--;
            failure = e;
            abort(e);
            return false;
        }
        MemorySegment rest = op.buffer.readableSegment().asSlice(op.written);
        op.spec(file.onFile(OpSpec.builder(IORING_OP_WRITE)).addr(rest.address()).len((int) rest.byteSize())
                .off(op.offset < 0 ? -1 : op.offset + op.written).build());
        op.inKernel = true;
        if (withSync) {
            if (!submitSync(true, op)) {
                op.inKernel = false;
                file.release();
                return false;
            }
            return true;
        }
        loop.submit(op);
        return true;
    }

    private boolean submitSync(boolean linked, WriteOp after) {
        try {
            file.acquire("fsync");
        } catch (FileClosedException e) {
            failure = e;
            abort(e);
            return false;
        }
        syncOp.spec(file.fixed(FileOps.fsync(file.fd())));
        syncInFlight = true;
        if (linked) {
            loop.submitLinked(after, syncOp);
        } else {
            loop.submit(syncOp);
        }
        return true;
    }

    private void onWritten(WriteOp op, int res, int flags) {
        op.inKernel = false;
        file.release();
        if (UringOperation.quarantined(flags)) {
            op.buffer = null; // the loop ended under the write: the kernel may still read the buffer, never free it
        }
        if (done || cancelled || failure != null) {
            op.finish();
            inFlight--;
            signal();
            return;
        }
        if (CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED && loop.isShuttingDown()) {
            loopEnded = true;
        } else if (res < 0) {
            failure = UringErrors.ofFile(res, "WRITE at " + (op.offset + op.written), String.valueOf(path));
        } else if (res == 0) {
            failure = UringErrors.ofFile(Errno.EIO, "WRITE (no byte written)", String.valueOf(path));
        } else {
            op.written += res;
            if (op.written < op.buffer.readableBytes()) {
                submitWrite(op, false); // a short write: the rest
                return;
            }
            total += op.written;
            op.finish();
            inFlight--;
            upstream.request(1);
            signal();
            return;
        }
        op.finish();
        inFlight--;
        signal();
    }

    private void onSynced(int res, int flags) {
        syncInFlight = false;
        file.release();
        if (CallbackOp.loopEnded(flags) || res == -Errno.ECANCELED && loop.isShuttingDown()) {
            loopEnded = true;
        } else if (res == -Errno.ECANCELED && !cancelled) {
            // the linked write was short (or failed): the link broke; the sync follows the rest of the write
        } else if (res < 0 && failure == null && !cancelled) {
            failure = UringErrors.ofFile(res, "FSYNC", String.valueOf(path));
        } else if (res >= 0) {
            synced = true;
        }
        signal();
    }

    private void succeed() {
        done = true;
        loop.removeTerminationListener(loopEndedListener);
        long written = total;
        if (ownsFile) {
            file.close().whenComplete((v, closeError) -> onLoopOrHere(() -> {
                if (closeError != null) {
                    actual.onError(closeError);
                } else {
                    actual.onNext(written);
                    actual.onComplete();
                }
            }));
        } else {
            actual.onNext(written);
            actual.onComplete();
        }
    }

    /** Upstream cancelled, queued buffers released, writes cancelled; once none is in flight, the signal. */
    private void abort(Throwable error) {
        if (!closing) {
            closing = true;
            Subscription up = upstream;
            if (up != null) {
                up.cancel();
            }
            for (WriteOp op : ops) {
                if (op != null && op.inKernel) {
                    loop.cancel(op);
                }
            }
            if (syncInFlight) {
                loop.cancel(syncOp);
            }
        }
        releaseQueued();
        if (inFlight > 0 || syncInFlight || opening) {
            if (error != null && failure == null) {
                failure = error; // kept for when the last op is back
            }
            return;
        }
        done = true;
        loop.removeTerminationListener(loopEndedListener);
        Throwable e = error != null ? error : failure;
        boolean signal = !cancelled && e != null;
        if (ownsFile && file != null) {
            file.close().whenComplete((v, ignored) -> {
                if (signal) {
                    onLoopOrHere(() -> actual.onError(e));
                }
            });
        } else if (signal) {
            actual.onError(e);
        }
    }

    private void onLoopOrHere(Runnable r) {
        if (loop.inLoop() || loop.isTerminated()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private void releaseQueued() {
        UringBuffer b;
        while ((b = queue.poll()) != null) {
            b.release();
        }
    }

    /** One write in flight: a buffer, its position, its progress; re-submitted for the rest after a short write. */
    private final class WriteOp extends UringOperation {
        UringBuffer buffer;
        long offset;
        int written;
        boolean inKernel;

        void begin(UringBuffer b, long at) {
            buffer = b;
            offset = at;
            written = 0;
        }

        void finish() {
            UringBuffer b = buffer;
            buffer = null;
            if (b != null) {
                b.release();
            }
        }

        @Override
        protected void onCompletion(int res, int flags) {
            onWritten(this, res, flags);
        }
    }
}
