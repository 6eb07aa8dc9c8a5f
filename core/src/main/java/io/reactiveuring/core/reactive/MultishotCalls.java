package io.reactiveuring.core.reactive;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.ops.SocketOps;
import io.reactiveuring.core.reactive.NetCalls.Accepted;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The multishot socket ops as per-subscription {@link MultishotCall} suppliers for a {@link MultishotPublisher}:
 * one armed kernel op per subscription, armed while the subscriber has demand.
 *
 * <ul>
 *   <li>{@link #accept}: one {@link Accepted} per connection ({@code IORING_ACCEPT_MULTISHOT}). Shutting the
 *       listening TCP socket down ({@code shutdown(fd, SHUT_RD or SHUT_RDWR)}) ends the kernel op with
 *       {@code -EINVAL}, and the stream completes; closing the listener does not end it (io_uring holds its own
 *       reference), nor does shutting down an {@code AF_UNIX} listener: cancel the subscription.</li>
 *   <li>{@link #recv}: one buffer per received chunk ({@code IORING_RECV_MULTISHOT} over a
 *       {@link ProvidedBufferRing}), the stream completes at EOF (a {@code 0} result, which is also what a
 *       zero-length {@code SOCK_SEQPACKET} message looks like).</li>
 * </ul>
 *
 * <p>Ownership: an accepted fd belongs to the subscriber, who closes it; one queued or accepted after cancel is
 * closed by the library. A received buffer is a <em>borrowed</em> view of the ring's buffer: releasing it gives the
 * buffer back to the ring, and {@link UringBuffer#retain()} returns a copy (one slow holder never starves the ring).
 * Stateless; safe from any thread.
 */
public final class MultishotCalls {
    private MultishotCalls() {
    }

    /** Multishot accept on {@code listenFd}; the accepted sockets are {@code SOCK_CLOEXEC}. */
    public static Supplier<MultishotCall<Accepted>> accept(int listenFd) {
        return accept(listenFd, 0);
    }

    /**
     * Multishot accept on {@code listenFd}; {@code socketFlags} may add {@code SOCK_NONBLOCK} to the accepted
     * sockets ({@code SOCK_CLOEXEC} is always set). Each subscription checks, when it first arms, that
     * {@code listenFd} is a listening socket, and fails with {@link IllegalArgumentException} if not.
     *
     * @throws IllegalArgumentException if {@code listenFd} is negative or {@code socketFlags} has other bits
     */
    public static Supplier<MultishotCall<Accepted>> accept(int listenFd, int socketFlags) {
        OpSpec spec = SocketOps.acceptMultishot(listenFd, socketFlags);
        return () -> new AcceptCall(listenFd, spec);
    }

    /**
     * Multishot recv on {@code fd} into buffers of {@code ring}, emitted as borrowed {@link UringBuffer}s of
     * {@code allocator} (whose {@code retain()} copies into it). Release every buffer received: that gives it back
     * to the ring. While the ring is empty the kernel op ends ({@code -ENOBUFS}) and is armed again only once a
     * buffer of this stream came back; if the stream holds none and the ring is empty (other readers hold them
     * all), it fails with {@code ENOBUFS}. Each arm holds a {@link ProvidedBufferRing#lease()}, and so does each
     * subscription from its first arm until it ended and every buffer it lent came back: a closed ring is freed
     * neither under the kernel nor under a held buffer. Once the ring is closed the next arm fails with {@link IllegalStateException}. A buffer still held
     * when the loop ends keeps the ring from being freed until it is released (and for good if it is released
     * while the loop is still shutting down).
     *
     * @param discard receives each buffer that no subscriber will get (after cancel, an error or the end) and must
     *                release it; null to release it
     * @throws IllegalArgumentException if {@code fd} is negative
     * @throws IllegalStateException    if the ring is closed
     */
    public static Supplier<MultishotCall<UringBuffer>> recv(int fd, ProvidedBufferRing ring, BufferAllocator allocator,
                                                           Consumer<? super UringBuffer> discard) {
        Objects.requireNonNull(ring, "ring");
        Objects.requireNonNull(allocator, "allocator");
        OpSpec spec = SocketOps.recvMultishot(fd, ring, 0);
        Consumer<? super UringBuffer> onDiscard = discard != null ? discard : UringBuffer::release;
        return () -> new RecvCall(spec, ring, allocator, onDiscard);
    }

    /** One subscription's multishot accept. Holds no memory: the peer's address is asked of each new socket. */
    private static final class AcceptCall implements MultishotCall<Accepted> {
        private final int listenFd;
        private final OpSpec spec;

        AcceptCall(int listenFd, OpSpec spec) {
            int listening = acceptConn(listenFd);
            if (listening < 0) {
                throw new IllegalArgumentException("fd " + listenFd + " is not a listening socket: "
                        + Errno.name(-listening));
            }
            if (listening == 0) {
                throw new IllegalArgumentException("fd " + listenFd + " is not a listening socket (listen(2) first)");
            }
            this.listenFd = listenFd;
            this.spec = spec;
        }

        @Override
        public OpSpec spec() {
            return spec;
        }

        @Override
        public Accepted item(int res, int flags) {
            return new Accepted(res, peerOf(res));
        }

        /**
         * A TCP listener that was shut down stops listening, and its accept ends with EINVAL: the normal end. An
         * EINVAL while it still listens, or once it cannot be asked (closed), stays an error.
         */
        @Override
        public boolean completesOn(int res) {
            return res == -Errno.EINVAL && acceptConn(listenFd) == 0;
        }

        @Override
        public boolean closesLateItems() {
            return true;
        }

        @Override
        public void discard(Accepted item) {
            LibC.close(item.fd());
        }

        /** {@code SO_ACCEPTCONN}: 1 while listening, 0 if not, {@code -errno} for no socket. */
        private static int acceptConn(int fd) {
            return LibSocket.getsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_ACCEPTCONN);
        }

        /** Null if the peer is already gone ({@code ENOTCONN}) or has no Java name (an abstract AF_UNIX one). */
        private static SocketAddress peerOf(int fd) {
            try {
                return SocketAddresses.peerAddress(fd);
            } catch (RuntimeException unknown) {
                return null; // never fail the stream over it: the fd is accepted and must reach its owner
            }
        }
    }

    /**
     * One subscription's multishot recv. Besides each arm's lease, the call holds one lease of its own from its first
     * arm until it was released and every buffer it lent came back, so the ring's memory outlives the buffers lent
     * from it (as {@link BufferAllocator#borrow} requires of a lender).
     *
     * <p>Threading: ring accounting runs on the loop thread; buffers given back on other threads are queued and
     * recycled there in a batch. Once the loop has finished, nothing runs there any more: returns are then counted
     * under this call's monitor, without touching the ring (it went with its loop). A return made while the loop is
     * ending, or a release made off the loop while it runs, leaves the call's lease held: the ring is then never
     * freed, rather than freed under a buffer or racing the loop's own lease counting.
     */
    private static final class RecvCall implements MultishotCall<UringBuffer> {
        private final OpSpec spec;
        private final ProvidedBufferRing ring;
        private final UringLoop loop;
        private final BufferAllocator allocator;
        private final Consumer<? super UringBuffer> discard;
        private final MpscUnboundedAtomicArrayQueue<Integer> givenBack = new MpscUnboundedAtomicArrayQueue<>(16);
        private final AtomicBoolean recycleScheduled = new AtomicBoolean();
        private final Runnable recycleGivenBack = this::recycleGivenBack;

        // Loop thread while the loop runs; under this monitor once it has finished.
        /** Buffers this stream took from the ring and that are not back yet (queued, or held by the subscriber). */
        private int outstanding;
        private boolean released;
        private OwnedResource callLease;
        /** Run once when the next buffer comes back, after an -ENOBUFS. */
        private Runnable onBufferBack;

        RecvCall(OpSpec spec, ProvidedBufferRing ring, BufferAllocator allocator,
                 Consumer<? super UringBuffer> discard) {
            this.spec = spec;
            this.ring = ring;
            this.loop = ring.loop();
            this.allocator = allocator;
            this.discard = discard;
        }

        @Override
        public OpSpec spec() {
            return spec;
        }

        @Override
        public OwnedResource armResource() {
            OwnedResource armLease = ring.lease(); // throws once the ring is closed
            if (callLease == null && !released) {
                callLease = ring.lease();
            }
            return armLease;
        }

        @Override
        public boolean endOfStream(int res, int flags) {
            if (res != 0) {
                return false;
            }
            if (ProvidedBufferRing.hasBuffer(flags)) {
                ring.recycle(ring.take(flags)); // an empty read that still consumed a buffer
            }
            return true;
        }

        @Override
        public UringBuffer item(int res, int flags) {
            int bid = ring.take(flags);
            UringBuffer lent;
            try {
                lent = allocator.borrow(ring.buffer(bid, res), () -> giveBack(bid));
            } catch (RuntimeException | Error e) {
                ring.recycle(bid);
                throw e;
            }
            outstanding++;
            return lent;
        }

        @Override
        public boolean awaitBufferReturn(Runnable onReturned) {
            recycleGivenBack(); // what came back while a hand-over to the loop was refused
            if (ring.isClosed() || ring.available() > 0) {
                onReturned.run(); // re-arm now: data again, or the clear "ring is closed" from the lease
                return true;
            }
            if (outstanding == 0) {
                return false; // nothing of ours can come back: the ring is held elsewhere
            }
            onBufferBack = onReturned;
            return true;
        }

        @Override
        public void discard(UringBuffer item) {
            discard.accept(item);
        }

        @Override
        public void release() {
            if (loop.inLoop()) {
                released = true;
                onBufferBack = null;
                recycleGivenBack(); // returns whose hand-over was refused (a full hand-off queue, the loop ending)
                releaseCallLeaseIfDone();
            } else if (loopFinished()) {
                synchronized (this) {
                    released = true;
                    releaseCallLeaseIfDone();
                }
            }
        }

        /** The final release of a lent buffer, on the releasing thread. */
        private void giveBack(int bid) {
            if (loop.inLoop()) {
                recycled(bid);
                return;
            }
            givenBack.offer(bid);
            if (recycleScheduled.compareAndSet(false, true)) {
                try {
                    loop.execute(recycleGivenBack);
                } catch (RejectedExecutionException e) {
                    // The loop is ending or has ended, or its hand-off queue is full (then the next give-back or
                    // the next -ENOBUFS recycles what waits here).
                    recycleScheduled.set(false);
                    if (loopFinished()) {
                        countReturnsAfterTheLoop();
                    }
                }
            }
        }

        private void recycleGivenBack() {
            recycleScheduled.set(false); // before polling: a give-back after this line schedules again
            Integer bid;
            while ((bid = givenBack.poll()) != null) {
                recycled(bid);
            }
        }

        private void recycled(int bid) {
            ring.recycle(bid); // a no-op once the ring is closed
            outstanding--;
            releaseCallLeaseIfDone();
            Runnable r = onBufferBack;
            if (r != null) {
                onBufferBack = null;
                r.run();
            }
        }

        /** Returns after the loop finished: the ring went with it, only the count matters. */
        private synchronized void countReturnsAfterTheLoop() {
            while (givenBack.poll() != null) {
                outstanding--;
            }
            releaseCallLeaseIfDone();
        }

        private void releaseCallLeaseIfDone() {
            if (released && outstanding == 0 && callLease != null) {
                OwnedResource lease = callLease;
                callLease = null;
                lease.release();
            }
        }

        /** True once the loop thread has finished everything (its writes are then visible here). */
        private boolean loopFinished() {
            try {
                return loop.awaitTermination(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
