package io.reactiveuring.core.tcp;

import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.SqeWriter;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.ops.SocketOps;

import java.util.ArrayDeque;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_RECV;

/**
 * A connection's receive side, which follows demand. With no demand nothing is in flight. With demand it keeps
 * one receive in flight: a multishot {@code RECV} over the loop's provided-buffer ring while the demand is above
 * one (it stays armed for as long as demand lasts: no cancel and re-arm per request), or a plain {@code RECV}
 * into a pooled buffer of the connection's when the demand is one or the ring ran dry ({@code -ENOBUFS}). When the
 * demand runs out while the multishot is armed, it is cancelled at the end of the loop's turn (so a receiver that
 * asks again from inside its callback keeps it armed); whatever arrives meanwhile is copied out of the ring and
 * queued for the next request: zero demand never loses data and never holds ring buffers.
 *
 * <p>Threading: loop thread only. Ownership: the plain buffers are the connection's and are released when it
 * finishes (after the receive's final CQE); ring buffers go back to the ring once delivered, unless a send adopted
 * them.
 */
final class Inbound {
    private static final int IDLE = 0;
    private static final int PLAIN = 1;
    private static final int MULTI = 2;

    private final TcpConnection conn;
    private final LoopTcp loopTcp;
    final RecvOp op = new RecvOp();
    private final OpSpec plainSpec;
    private OpSpec multiSpec;
    private ProvidedBufferRing multiSpecRing;

    long demand;
    private int mode = IDLE;
    private boolean cancelRequested;
    /** End of stream seen (or the connection is closing): no more receives. */
    private boolean ended;
    private boolean endSignalPending;
    private boolean ringStarved;
    private boolean disarmScheduled;
    private final Runnable disarmHook = this::disarmIfNoDemand;
    /** Lend the same buffer objects again and again (callbacks), or a new buffer per delivery (publishers). */
    boolean reuseBuffers = true;
    private boolean delivering;
    private ArrayDeque<UringBuffer> backlog;
    /** Pooled buffers for plain receives, reused while nobody else holds them (count back to 1). */
    private final UringBuffer[] plainPool = new UringBuffer[2];
    private int plainInFlight = -1;

    // What is being delivered right now: a send of exactly this buffer may keep the ring buffer in place.
    UringBuffer deliveringBuffer;
    int deliveringBid = -1;

    long bytesReceived;

    Inbound(TcpConnection conn, LoopTcp loopTcp) {
        this.conn = conn;
        this.loopTcp = loopTcp;
        this.plainSpec = OpSpec.builder(IORING_OP_RECV).fd(conn.fd).build();
    }

    // ------------------------------------------------------------------------------------------ demand

    void request(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("read demand must be positive: " + n);
        }
        long before = demand;
        long d = before + n;
        demand = d < 0 ? Long.MAX_VALUE : d;
        if (before == 0) {
            conn.readDemandStarted();
        }
        if (delivering) {
            return; // the delivery loop picks it up
        }
        drainBacklog();
        arm();
    }

    /** No demand from now on; what is in flight is cancelled at the end of the turn unless demand came back. */
    void pause() {
        demand = 0;
        scheduleDisarm();
    }

    private void scheduleDisarm() {
        if (mode != IDLE && !cancelRequested && !disarmScheduled) {
            disarmScheduled = true;
            conn.beforeEnter(disarmHook);
        }
    }

    /** Stops receiving for good (close): cancels what is in flight, drops what was queued. */
    void stop() {
        ended = true;
        endSignalPending = false;
        demand = 0;
        if (mode != IDLE && !cancelRequested) {
            cancel();
        }
        if (backlog != null) {
            UringBuffer b;
            while ((b = backlog.poll()) != null) {
                b.release();
            }
        }
    }

    boolean isActive() {
        return mode != IDLE;
    }

    int queuedBuffers() {
        return backlog == null ? 0 : backlog.size();
    }

    private void cancel() {
        cancelRequested = true;
        conn.loop.cancel(op);
    }

    private void disarmIfNoDemand() {
        disarmScheduled = false;
        if (mode != IDLE && demand == 0 && !cancelRequested) {
            cancel();
        }
    }

    // ------------------------------------------------------------------------------------------ arming

    private void arm() {
        if (mode != IDLE || ended || demand == 0 || !conn.isOpenForReading()
                || backlog != null && !backlog.isEmpty()) {
            return;
        }
        ProvidedBufferRing ring = demand == 1 || ringStarved ? null : loopTcp.ring();
        if (ring != null && ring.available() > 0) {
            if (multiSpecRing != ring) {
                multiSpec = SocketOps.recvMultishot(conn.fd, ring, 0);
                multiSpecRing = ring;
            }
            op.spec(multiSpec);
            op.lease = ring.lease();
            mode = MULTI;
        } else {
            int slot = plainSlot();
            UringBuffer b = plainPool[slot];
            plainInFlight = slot;
            op.plainAddress = b.segment().address();
            op.plainLength = b.capacity();
            op.spec(plainSpec);
            mode = PLAIN;
        }
        cancelRequested = false;
        conn.submit(op, op.done);
    }

    /** A pooled buffer nobody else holds (its count back to 1), else a new one in a free or reclaimed slot. */
    private int plainSlot() {
        for (int i = 0; i < plainPool.length; i++) {
            UringBuffer b = plainPool[i];
            if (b != null && b.refCnt() == 1) {
                b.clear();
                return i;
            }
        }
        int slot = 0;
        for (int i = 0; i < plainPool.length; i++) {
            if (plainPool[i] == null) {
                slot = i;
                break;
            }
        }
        UringBuffer held = plainPool[slot];
        if (held != null && held.refCnt() > 0) {
            held.release(); // its other holders keep it; the slot gets a new one
        }
        plainPool[slot] = conn.allocator().allocate(loopTcp.sizes().plainBufferSize());
        return slot;
    }

    // ------------------------------------------------------------------------------------------ completions

    private void onCompletion(int res, int flags) {
        if (mode == MULTI) {
            onMultishot(res, flags);
        } else {
            onPlain(res);
        }
    }

    private void onMultishot(int res, int flags) {
        boolean more = UringOperation.hasMore(flags);
        if (ProvidedBufferRing.hasBuffer(flags)) {
            int bid = multiSpecRing.take(flags);
            if (res > 0) {
                onRingData(bid, res);
            } else {
                loopTcp.recycle(bid);
            }
        }
        if (more) {
            return;
        }
        boolean ours = cancelRequested;
        cancelRequested = false;
        mode = IDLE;
        if (res == 0) {
            onEnd();
        } else if (res == -Errno.ENOBUFS) {
            ringStarved = true; // plain receives until one came back: by then buffers are back too
        } else if (res < 0 && !(res == -Errno.ECANCELED && ours && (flags & UringOperation.FLAG_LOOP_TERMINATED) == 0)) {
            conn.receiveFailed(res, op.describe());
            return;
        }
        drainBacklog();
        arm();
    }

    private void onRingData(int bid, int res) {
        bytesReceived += res;
        if (ended) {
            loopTcp.recycle(bid);
            return;
        }
        if (demand > 0 && (backlog == null || backlog.isEmpty()) && !delivering) {
            loopTcp.hold(bid);
            UringBuffer b;
            try {
                b = reuseBuffers ? loopTcp.view(bid, res) : loopTcp.lend(bid, res);
            } catch (RuntimeException e) {
                loopTcp.unhold(bid);
                throw e;
            }
            deliver(b, bid);
            if (!reuseBuffers) {
                releaseLent(b); // its give-back lets go of the lent buffer's own hold
            }
            loopTcp.unhold(bid); // the delivery's hold; a send that adopted the buffer holds it still
        } else {
            // Nobody asked for it (yet): copy it out so no ring buffer waits on a slow receiver.
            UringBuffer copy = loopTcp.view(bid, res).retainedCopy();
            loopTcp.recycle(bid);
            backlog().add(copy);
        }
        if (demand == 0 && mode == MULTI) {
            scheduleDisarm();
        }
    }

    private void onPlain(int res) {
        mode = IDLE;
        int slot = plainInFlight;
        plainInFlight = -1;
        boolean ours = cancelRequested;
        cancelRequested = false;
        if (res > 0) {
            bytesReceived += res;
            ringStarved = false;
            UringBuffer b = plainPool[slot];
            b.clear();
            b.writerIndex(res);
            if (!ended) {
                if (demand > 0 && (backlog == null || backlog.isEmpty())) {
                    if (reuseBuffers) {
                        deliver(b, -1);
                    } else {
                        plainPool[slot] = null;
                        deliver(b, -1);
                        releaseLent(b);
                    }
                } else {
                    plainPool[slot] = null; // the queued data keeps the buffer
                    backlog().add(b);
                }
            }
        } else if (res == 0) {
            onEnd();
        } else if (!(res == -Errno.ECANCELED && ours)) {
            conn.receiveFailed(res, op.describe());
            return;
        }
        drainBacklog();
        arm();
    }

    private void onEnd() {
        if (ended) {
            return;
        }
        ended = true;
        endSignalPending = true;
        signalEndIfDrained();
    }

    private void signalEndIfDrained() {
        if (endSignalPending && (backlog == null || backlog.isEmpty()) && !delivering) {
            endSignalPending = false;
            conn.receivedEnd();
        }
    }

    // ------------------------------------------------------------------------------------------ delivery

    private ArrayDeque<UringBuffer> backlog() {
        if (backlog == null) {
            backlog = new ArrayDeque<>(4);
        }
        return backlog;
    }

    /** Delivers what was queued while demand allows; each queued buffer is released after its callback. */
    private void drainBacklog() {
        if (backlog != null && !delivering) {
            UringBuffer b;
            while (demand > 0 && conn.isOpenForReading() && (b = backlog.poll()) != null) {
                deliver(b, -1);
                releaseLent(b);
            }
        }
        signalEndIfDrained();
    }

    private void deliver(UringBuffer b, int bid) {
        if (demand != Long.MAX_VALUE) {
            demand--;
        }
        delivering = true;
        deliveringBuffer = b;
        deliveringBid = bid;
        try {
            conn.deliver(b);
        } finally {
            delivering = false;
            deliveringBuffer = null;
            deliveringBid = -1;
        }
        if (demand > 0 && backlog != null && !backlog.isEmpty()) {
            drainBacklog(); // demand requested from inside the callback
        }
    }

    private static void releaseLent(UringBuffer b) {
        if (b.refCnt() > 0) {
            b.release(); // a receiver that released it itself (against the contract) already gave it back
        }
    }

    /** After the receive's final CQE (the connection finished): the pooled buffers go back. */
    void releaseMemory() {
        for (int i = 0; i < plainPool.length; i++) {
            UringBuffer b = plainPool[i];
            plainPool[i] = null;
            if (b != null && b.refCnt() > 0) {
                b.release();
            }
        }
        if (backlog != null) {
            UringBuffer b;
            while ((b = backlog.poll()) != null) {
                b.release();
            }
        }
    }

    /** The receive op, plain or multishot; re-submitted from its own completions, no allocation per receive. */
    final class RecvOp extends UringOperation {
        long plainAddress;
        int plainLength;
        OwnedResource lease;
        /** Released by the engine after each submission's final CQE: the kernel is done with the op's memory. */
        final OwnedResource done = new OwnedResource() {
            @Override
            public void release() {
                OwnedResource l = lease;
                if (l != null) {
                    lease = null;
                    l.release();
                }
                conn.opDone();
            }

            @Override
            public void keep() {
                lease = null; // the provided-buffer ring stays leased, so it is never freed under the kernel
                conn.opKept();
            }
        };

        @Override
        protected void prepare(SqeWriter sqe) {
            if (spec() == plainSpec) {
                sqe.addr(plainAddress).len(plainLength);
            }
        }

        @Override
        protected void onCompletion(int res, int flags) {
            Inbound.this.onCompletion(res, flags);
        }

        @Override
        public String describe() {
            return (mode == MULTI ? "RECV (multishot) fd=" : "RECV fd=") + conn.fd;
        }
    }
}
