package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.binding.NativeCallException;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.linux.Errno;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the connections of one transport share on one loop: the provided-buffer ring their multishot receives pick
 * from (registered on first use), a reusable borrowed view per ring buffer (so that lending a received buffer to a
 * callback allocates nothing), the count of holders of each ring buffer (the receive being delivered, sends that
 * adopted it), and the list of open connections, which all get the cancellation error when the loop ends.
 *
 * <p>Threading: loop thread only, except {@link #giveBackFromAnyThread}. Ownership: owns the ring and its views; a
 * ring buffer goes back to the kernel when its last holder let go ({@link #unhold}).
 */
final class LoopTcp {
    /** Buffer group ids handed out to transports' rings, process-wide; a taken id (EEXIST) is skipped. */
    private static final AtomicInteger NEXT_GROUP = new AtomicInteger(0x5400);
    /** A send may keep ring buffers in place (no copy) only while the ring has at least this share left. */
    private static final int ADOPT_RESERVE_DIVISOR = 4;

    final TcpTransport transport;
    final UringLoop loop;
    final BufferAllocator allocator;
    private final TcpTransport.Buffers sizes;

    private ProvidedBufferRing ring;
    private boolean ringUnavailable;
    private UringBuffer[] views;
    private int[] holds;
    private boolean ended;

    /** The open connections of this transport on this loop (intrusive list through the connections). */
    private TcpConnection first;
    private int connections;
    private final Runnable loopEnded = this::loopEnded;

    LoopTcp(TcpTransport transport, UringLoop loop, BufferAllocator allocator, TcpTransport.Buffers sizes) {
        this.transport = transport;
        this.loop = loop;
        this.allocator = allocator;
        this.sizes = sizes;
        loop.addTerminationListener(loopEnded);
    }

    TcpTransport.Buffers sizes() {
        return sizes;
    }

    // ------------------------------------------------------------------------------------------ the ring

    /** The loop's provided-buffer ring, registered on first use; null if the kernel refuses one or the loop ends. */
    ProvidedBufferRing ring() {
        if (ring != null) {
            return ring.isClosed() ? null : ring;
        }
        if (ringUnavailable || ended || loop.isShuttingDown()) {
            return null;
        }
        for (int attempt = 0; attempt < 64 && ring == null; attempt++) {
            int group = NEXT_GROUP.getAndIncrement() & 0xFFFF;
            try {
                ring = ProvidedBufferRing.register(loop, group, sizes.ringEntries(), sizes.ringBufferSize());
            } catch (NativeCallException e) {
                if (e.errno() != Errno.EEXIST) {
                    TcpTransport.LOG.log(System.Logger.Level.WARNING, "no provided-buffer ring on " + loop
                            + " (receives use plain buffers): " + e.getMessage());
                    ringUnavailable = true;
                    return null;
                }
            } catch (RuntimeException e) {
                TcpTransport.LOG.log(System.Logger.Level.WARNING, "no provided-buffer ring on " + loop
                        + " (receives use plain buffers)", e);
                ringUnavailable = true;
                return null;
            }
        }
        if (ring == null) {
            ringUnavailable = true;
            return null;
        }
        views = new UringBuffer[ring.entries()];
        holds = new int[ring.entries()];
        return ring;
    }

    /** @return buffers of the ring the kernel may pick now, or -1 without a ring; loop thread (tests) */
    int ringAvailable() {
        return ring == null ? -1 : ring.available();
    }

    /** True while a send may keep a received ring buffer in place instead of copying it. */
    boolean mayAdopt(int alreadyAdoptedByConnection) {
        ProvidedBufferRing r = ring;
        return r != null && !r.isClosed() && alreadyAdoptedByConnection < 16
                && r.available() > r.entries() / ADOPT_RESERVE_DIVISOR;
    }

    /**
     * The reusable view of ring buffer {@code bid} holding its first {@code length} bytes: a borrowed buffer whose
     * count this class keeps at 1, so that nothing is allocated per receive. A view its receiver released by mistake
     * is replaced.
     */
    UringBuffer view(int bid, int length) {
        UringBuffer v = views[bid];
        if (v == null || v.refCnt() == 0) {
            int id = bid;
            v = allocator.borrow(ring.buffer(bid), () -> viewReleased(id));
            views[bid] = v;
        }
        v.clear();
        v.writerIndex(length);
        return v;
    }

    /**
     * A new borrowed buffer over the first {@code length} bytes of ring buffer {@code bid}, holding the buffer until
     * it is released (on any thread): for receivers that get a buffer of their own per receive.
     */
    UringBuffer lend(int bid, int length) {
        hold(bid);
        try {
            return allocator.borrow(ring.buffer(bid, length), () -> giveBackFromAnyThread(bid));
        } catch (RuntimeException | Error e) {
            unhold(bid);
            throw e;
        }
    }

    /** A view released by its receiver (which should not have): forget it; the next use borrows a new one. */
    private void viewReleased(int bid) {
        // may run on another thread; the next view() sees refCnt() == 0 and replaces it either way
    }

    private void giveBackFromAnyThread(int bid) {
        if (loop.inLoop()) {
            unhold(bid);
            return;
        }
        try {
            loop.execute(() -> unhold(bid));
        } catch (RejectedExecutionException loopGone) {
            // the ring went with its loop; nothing to give back to
        }
    }

    /** One more holder of ring buffer {@code bid} (taken from a CQE, not yet back in the ring). */
    void hold(int bid) {
        holds[bid]++;
    }

    /** One holder of ring buffer {@code bid} let go; the last one gives it back to the kernel. */
    void unhold(int bid) {
        if (--holds[bid] == 0 && ring != null) {
            ring.recycle(bid); // a no-op once the ring is closed
        }
    }

    /** Gives {@code bid} (taken from a CQE, never held) straight back. */
    void recycle(int bid) {
        if (ring != null) {
            ring.recycle(bid);
        }
    }

    // ------------------------------------------------------------------------------------------ connections

    void register(TcpConnection c) {
        c.nextOnLoop = first;
        c.prevOnLoop = null;
        if (first != null) {
            first.prevOnLoop = c;
        }
        first = c;
        connections++;
    }

    void unregister(TcpConnection c) {
        if (c.prevOnLoop != null) {
            c.prevOnLoop.nextOnLoop = c.nextOnLoop;
        } else if (first == c) {
            first = c.nextOnLoop;
        } else {
            return; // not registered
        }
        if (c.nextOnLoop != null) {
            c.nextOnLoop.prevOnLoop = c.prevOnLoop;
        }
        c.nextOnLoop = null;
        c.prevOnLoop = null;
        connections--;
    }

    int connections() {
        return connections;
    }

    /** Calls {@code action} for each connection open now (a snapshot: the action may close any of them). */
    void forEachConnection(java.util.function.Consumer<TcpConnection> action) {
        java.util.List<TcpConnection> snapshot = new java.util.ArrayList<>(connections);
        for (TcpConnection c = first; c != null; c = c.nextOnLoop) {
            snapshot.add(c);
        }
        for (TcpConnection c : snapshot) {
            action.accept(c);
        }
    }

    /**
     * The loop has ended (every op it had in flight got its final completion): each connection still open ends
     * with the cancellation error and has its fd closed; then the ring's views are dropped and the ring closed.
     */
    private void loopEnded() {
        ended = true;
        forEachConnection(c -> c.abort(new UringCancelledException(c.describe(), "the ring's loop ended")));
        releaseRing();
    }

    /** The transport is closing over loops it does not own: connections were closed; release the ring. */
    void close() {
        if (loop.inLoop()) {
            releaseRing();
        } else {
            try {
                loop.execute(this::releaseRing);
            } catch (RejectedExecutionException ended) {
                // the termination listener does it
            }
        }
        loop.removeTerminationListener(loopEnded);
    }

    private void releaseRing() {
        if (views != null) {
            for (int i = 0; i < views.length; i++) {
                UringBuffer v = views[i];
                views[i] = null;
                if (v != null && v.refCnt() > 0) {
                    v.release();
                }
            }
        }
        if (ring != null) {
            ring.close(); // unregistered and freed once no receive holds a lease
        }
    }
}
