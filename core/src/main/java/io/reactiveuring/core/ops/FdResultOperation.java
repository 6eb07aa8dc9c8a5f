package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;

/**
 * An operation whose result is a new file descriptor (ACCEPT, SOCKET, OPENAT, ...) and which never lets such an
 * fd escape once its receiver has gone: a CQE carrying an fd that arrives after {@link #cancel(UringLoop)} was
 * requested (a late accept, a late openat: the kernel completed the op before the cancel reached it) has its fd
 * closed by the library, and the subclass never sees it.
 *
 * <p>What the subclass sees ({@link #onFdCompletion}, loop thread):
 * <ul>
 *   <li>before cancel: every CQE unchanged (the fd or {@code -errno}; multishot CQEs with
 *       {@code IORING_CQE_F_MORE});</li>
 *   <li>after cancel: non-final CQEs carrying an fd are swallowed (fd closed); a final CQE carrying an fd is closed
 *       and reported as {@code -ECANCELED}, so the contract "exactly one final completion per submission" holds;
 *       negative results are passed on as they are.</li>
 * </ul>
 * Cancellation is final for this object (like a Reactive Streams subscription): do not submit it again after
 * {@code cancel}. The fds closed are plain fds; an op that installs direct descriptors (a {@code file_index})
 * must override {@link #closeLateResult(int)}.
 *
 * <p>Threading: {@link #cancel(UringLoop)} from any thread; everything else on the loop thread.
 */
public abstract class FdResultOperation extends UringOperation {
    private volatile boolean cancelRequested;
    private long lateResultsClosed;

    protected FdResultOperation() {
    }

    protected FdResultOperation(OpSpec spec) {
        super(spec);
    }

    /**
     * Requests cancellation: an {@code ASYNC_CANCEL} (through {@link UringLoop#cancel}) for this op's current
     * submission; from now on every fd it still produces is closed. The op still gets its final completion.
     */
    public final void cancel(UringLoop loop) {
        cancelRequested = true;
        loop.cancel(this);
    }

    /** True once {@link #cancel(UringLoop)} was called. */
    public final boolean isCancelRequested() {
        return cancelRequested;
    }

    /** Fds produced after cancel and closed by the library (loop thread). */
    public final long lateResultsClosed() {
        return lateResultsClosed;
    }

    @Override
    protected final void onCompletion(int res, int flags) {
        if (res >= 0 && cancelRequested && (flags & FLAG_LOOP_TERMINATED) == 0) {
            lateResultsClosed++;
            closeLateResult(res);
            if (!hasMore(flags)) {
                onFdCompletion(-Errno.ECANCELED, flags);
            }
            return;
        }
        onFdCompletion(res, flags);
    }

    /** Closes an fd nobody will receive; loop thread. Override for direct descriptors. */
    protected void closeLateResult(int fd) {
        LibC.close(fd);
    }

    /** A completion as described in the class comment; loop thread. An fd passed here belongs to the callee. */
    protected abstract void onFdCompletion(int res, int flags);
}
