package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopTimer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.net.SocketAddresses;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * One TCP (or Unix domain stream) connection on the ring: its socket, its receive side that follows demand, its send
 * side with one send in flight and writes gathered per turn of the loop, its timeouts, and a
 * {@link ConnectionHandler} that drives it from callbacks. Accepted by a {@link TcpServer} or connected by
 * {@link TcpTransport#connect}.
 *
 * <p>Reading: nothing is received until demand is requested ({@link #requestRead(long)}); then each received chunk
 * goes to {@link ConnectionHandler#onData} and counts one against the demand. {@link #pauseReading()} drops the demand
 * (a receive in flight is cancelled; what still arrives waits for the next request, no data is lost). The end of
 * stream is {@link ConnectionHandler#onEnd}.
 *
 * <p>Writing: {@link #write(UringBuffer)} queues bytes; everything queued during one turn of the loop goes out in
 * one {@code send} (or {@code sendmsg} of up to 1024 buffers) right before the turn's {@code io_uring_enter}, so there
 * is no flush call: the turn is the flush. {@link #isWritable()} turns false at the high watermark and
 * {@link ConnectionHandler#onWritable} runs when the queue drained to the low one. {@link #whenSent} marks a point
 * in the queue (a response written), {@link #sendFile} queues a file ({@code splice}, no bytes through the JVM),
 * {@link #shutdownOutput()} a half-close.
 *
 * <p>Closing: {@link #close()} stops reading, sends what is queued and then closes; {@link #close(Throwable)}
 * closes at once (cancelling what is in flight, dropping what is queued). Either way the fd is closed exactly once,
 * only after the final CQE of every op the connection had in flight, and {@link ConnectionHandler#onClose} runs
 * then, once. A connection whose loop ends is closed with a {@code UringCancelledException}.
 *
 * <p>Threading: owned by one loop ({@link #loop()}); its callbacks run there. The methods may be called from any
 * thread: from another thread they are handed to the loop (and cost that hand-off); the accessors are then
 * snapshots. {@link #receiveBuffersReused(boolean)} is loop-thread only.
 *
 * <p>Ownership: the connection owns its fd, its receive buffers and what it queued to send. A buffer given to
 * {@link #write(UringBuffer)} stays the caller's (the connection takes its own reference, or keeps a received ring
 * buffer in place); a buffer received in {@link ConnectionHandler#onData} is lent for the call only.
 */
public final class TcpConnection {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int ABORTING = 2;
    private static final int CLOSED = 3;

    final UringLoop loop;
    final LoopTcp loopTcp;
    final int fd;
    final TcpOptions options;
    private final Owner owner;
    final Inbound inbound;
    final Outbound outbound;
    private final ConnectionTimer timer;
    private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    private ConnectionHandler handler;
    private int state = OPEN;
    private volatile boolean open = true;
    private int opsInFlight;
    /** An op of this connection was quarantined at the loop's end: its memory must never be given back. */
    private boolean memoryKept;
    private Throwable cause;
    private Object attachment;
    private volatile SocketAddress localAddress;
    private volatile SocketAddress remoteAddress;

    // The loop's list of open connections (LoopTcp).
    TcpConnection prevOnLoop;
    TcpConnection nextOnLoop;

    /** Who is told when a connection has closed (a server counting its connections). */
    interface Owner {
        void connectionClosed(TcpConnection connection);
    }

    TcpConnection(LoopTcp loopTcp, int fd, TcpOptions options, Owner owner, SocketAddress remote) {
        this.loop = loopTcp.loop;
        this.loopTcp = loopTcp;
        this.fd = fd;
        this.options = options;
        this.owner = owner;
        this.remoteAddress = remote;
        this.inbound = new Inbound(this, loopTcp);
        this.outbound = new Outbound(this, loopTcp, options);
        this.timer = options.hasTimeouts() ? new ConnectionTimer() : null;
    }

    Owner owner() {
        return owner;
    }

    /** Registers the connection on its loop and opens it with {@code h}; loop thread. */
    void start(ConnectionHandler h) {
        this.handler = Objects.requireNonNull(h, "connection handler");
        loopTcp.register(this);
        if (timer != null) {
            timer.start();
        }
        try {
            h.onOpen(this);
        } catch (RuntimeException e) {
            callbackFailed(e);
        }
    }

    // ------------------------------------------------------------------------------------------ accessors

    /** @return the loop that owns this connection; its callbacks run on its thread */
    public UringLoop loop() {
        return loop;
    }

    /** @return the transport this connection belongs to */
    public TcpTransport transport() {
        return loopTcp.transport;
    }

    /** @return where buffers for this connection come from (to build buffers to write) */
    public BufferAllocator allocator() {
        return loopTcp.allocator;
    }

    /** @return the handler driving this connection (null before it opened) */
    public ConnectionHandler handler() {
        return handler;
    }

    /** @return true until the connection starts closing */
    public boolean isOpen() {
        return open;
    }

    /** @return the options it was made with */
    public TcpOptions options() {
        return options;
    }

    /**
     * @return the peer's address ({@code getpeername}, asked once); an {@link InetSocketAddress} or a
     * {@link UnixDomainSocketAddress} (an unnamed one for an unbound Unix client); null if the peer was already gone
     */
    public SocketAddress remoteAddress() {
        SocketAddress a = remoteAddress;
        if (a == null && open) {
            try {
                a = SocketAddresses.peerAddress(fd);
                remoteAddress = a;
            } catch (RuntimeException gone) {
                return null;
            }
        }
        return a;
    }

    /** @return this side's address ({@code getsockname}, asked once); null if it cannot be asked any more */
    public SocketAddress localAddress() {
        SocketAddress a = localAddress;
        if (a == null && open) {
            try {
                a = SocketAddresses.localAddress(fd);
                localAddress = a;
            } catch (RuntimeException gone) {
                return null;
            }
        }
        return a;
    }

    /** @return what the protocol attached ({@link #attach}), or null */
    public Object attachment() {
        return attachment;
    }

    /**
     * Attaches protocol state to the connection (a decoder, a session).
     *
     * @param value the state, or null
     */
    public void attach(Object value) {
        this.attachment = value;
    }

    /** @return the read demand not yet used (a snapshot from other threads); {@code Long.MAX_VALUE}: unbounded */
    public long readDemand() {
        return inbound.demand;
    }

    /** @return bytes queued and not yet sent (a snapshot from other threads) */
    public long queuedBytes() {
        return outbound.queuedBytes;
    }

    /** @return true while fewer than the high watermark's bytes are queued */
    public boolean isWritable() {
        return outbound.writableSnapshot;
    }

    /** @return bytes received so far (loop thread; a snapshot elsewhere) */
    public long bytesReceived() {
        return inbound.bytesReceived;
    }

    /** @return bytes handed to the kernel so far (loop thread; a snapshot elsewhere) */
    public long bytesSent() {
        return outbound.bytesSent;
    }

    /**
     * @return buffers of the loop's provided-buffer ring this connection keeps in place for sending (loop thread; a
     * snapshot elsewhere): bounded, so one connection never holds a large part of the ring
     */
    public int ringBuffersHeld() {
        return outbound.adoptedRingBuffers();
    }

    /** @return received data waiting for demand, in buffers (copied out of the ring); loop thread */
    public int queuedReceives() {
        return inbound.queuedBuffers();
    }

    /** @return completes with the close cause (null for an orderly close) once the connection has closed */
    public CompletableFuture<Throwable> closeFuture() {
        return closed;
    }

    /**
     * Chooses how received buffers are lent to {@link ConnectionHandler#onData}: {@code true} (the default) reuses
     * the same buffer objects (no allocation per receive; a buffer must not be touched after the callback);
     * {@code false} lends a new buffer per receive and releases it after the callback, so that a use after the
     * callback fails loudly ({@link IllegalStateException}) instead of reading reused memory (what the publishers of
     * the shells use). Loop thread only, usually from {@link ConnectionHandler#onOpen}.
     *
     * @param reused true to reuse buffer objects
     */
    public void receiveBuffersReused(boolean reused) {
        checkLoop("receiveBuffersReused");
        inbound.reuseBuffers = reused;
    }

    // ------------------------------------------------------------------------------------------ reading

    /**
     * Adds {@code n} to the read demand ({@code Long.MAX_VALUE}: unbounded, "keep reading"): that many more
     * {@link ConnectionHandler#onData} calls may come. Queued data is delivered first; then a receive is armed.
     *
     * @param n more deliveries wanted, positive
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public void requestRead(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("read demand must be positive: " + n);
        }
        if (!loop.inLoop()) {
            onLoop(() -> requestRead(n));
            return;
        }
        if (state == OPEN) {
            inbound.request(n);
        }
    }

    /**
     * Drops the read demand to zero: a receive in flight is cancelled at the end of this turn of the loop (unless
     * demand was requested again by then: pausing and resuming within one turn costs nothing), and data that still
     * arrives is queued for the next {@link #requestRead} (nothing is lost). Pausing per request and resuming after
     * the answer makes the receive re-armed per request: for request/response protocols keep the demand up and
     * pause only when the send queue is full ({@link #isWritable()}).
     */
    public void pauseReading() {
        if (!loop.inLoop()) {
            onLoop(this::pauseReading);
            return;
        }
        if (state == OPEN) {
            inbound.pause();
        }
    }

    // ------------------------------------------------------------------------------------------ writing

    /**
     * Queues the readable bytes of {@code data} to be sent (its reader index does not move). The caller keeps its
     * reference: the connection takes its own (a copy of memory borrowed from elsewhere), or, for the ring buffer
     * just received in {@link ConnectionHandler#onData}, keeps that memory in place until sent. Ignored once the
     * connection is closing or its output was shut down.
     *
     * @param data the bytes
     * @return {@link #isWritable()} after queuing: false asks the writer to wait for
     * {@link ConnectionHandler#onWritable}
     */
    public boolean write(UringBuffer data) {
        Objects.requireNonNull(data, "data");
        if (!loop.inLoop()) {
            UringBuffer held = data.retain();
            onLoop(() -> writeOwned(held), held::release);
            return outbound.writableSnapshot;
        }
        if (state != OPEN || !outbound.acceptsWrites()) {
            return false;
        }
        return outbound.write(data, inbound);
    }

    /**
     * Queues a copy of {@code data}.
     *
     * @param data the bytes
     * @return {@link #isWritable()} after queuing
     */
    public boolean write(byte[] data) {
        Objects.requireNonNull(data, "data");
        return writeOwned(allocator().copyOf(data));
    }

    /**
     * Queues {@code data} and takes over the caller's reference (released once sent, or when the connection closes):
     * for a buffer the caller built only to send it.
     *
     * @param data the bytes
     * @return {@link #isWritable()} after queuing
     */
    public boolean writeOwned(UringBuffer data) {
        Objects.requireNonNull(data, "data");
        if (!loop.inLoop()) {
            onLoop(() -> writeOwned(data), data::release);
            return outbound.writableSnapshot;
        }
        if (state != OPEN || !outbound.acceptsWrites()) {
            data.release();
            return false;
        }
        return outbound.writeOwned(data);
    }

    /**
     * Marks the current end of the queue: {@code callback} runs once everything queued before it was sent, or with
     * the failure if the connection closed first. Allocates nothing; one callback may mark any number of points.
     *
     * @param callback what to tell
     */
    public void whenSent(WriteCallback callback) {
        Objects.requireNonNull(callback, "callback");
        if (!loop.inLoop()) {
            onLoop(() -> whenSent(callback), () -> callback.onSent(this, closedError()));
            return;
        }
        if (state >= ABORTING) {
            callback.onSent(this, closedError());
            return;
        }
        outbound.whenSent(callback);
    }

    /**
     * Queues {@code count} bytes of {@code file} from {@code position} ({@code Long.MAX_VALUE}: to its end), sent
     * in order with the writes around it through {@code splice} (file → pipe → socket: no bytes through the JVM).
     * The file is opened on the ring when its turn comes, and closed after. A failure (no such file, a file shorter
     * than {@code count}) closes the connection with it.
     *
     * @param file     the file
     * @param position where to start
     * @param count    how many bytes, or {@code Long.MAX_VALUE} for all up to the end
     */
    public void sendFile(Path file, long position, long count) {
        Objects.requireNonNull(file, "file");
        checkRange(position, count);
        if (!loop.inLoop()) {
            onLoop(() -> sendFile(file, position, count));
            return;
        }
        if (state == OPEN && outbound.acceptsWrites() && count > 0) {
            outbound.sendFile(file, -1, position, count, false);
        }
    }

    /**
     * Like {@link #sendFile(Path, long, long)} from an open file the caller owns (and must keep open until the bytes
     * were sent, see {@link #whenSent}).
     *
     * @param fileFd   an open regular file
     * @param position where to start
     * @param count    how many bytes, or {@code Long.MAX_VALUE} for all up to the end
     */
    public void sendFile(int fileFd, long position, long count) {
        OpSpec.checkFd(fileFd);
        checkRange(position, count);
        if (!loop.inLoop()) {
            onLoop(() -> sendFile(fileFd, position, count));
            return;
        }
        if (state == OPEN && outbound.acceptsWrites() && count > 0) {
            outbound.sendFile(null, fileFd, position, count, false);
        }
    }

    private static void checkRange(long position, long count) {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("position and count must not be negative: " + position + ", " + count);
        }
    }

    /** Half-closes: once what is queued has been sent, {@code shutdown(SHUT_WR)}; later writes are ignored. */
    public void shutdownOutput() {
        if (!loop.inLoop()) {
            onLoop(this::shutdownOutput);
            return;
        }
        if (state == OPEN) {
            outbound.shutdownOutput();
        }
    }

    // ------------------------------------------------------------------------------------------ closing

    /** Closes in order: stops reading, sends what is queued (within the write timeout, if set), then closes. */
    public void close() {
        if (!loop.inLoop()) {
            onLoop(this::close);
            return;
        }
        if (state != OPEN) {
            return;
        }
        state = CLOSING;
        open = false;
        inbound.stop();
        if (outbound.isIdle()) {
            terminate(null);
        } else {
            outbound.closeWhenFlushed = true;
            outbound.scheduleFlush();
        }
    }

    /**
     * Closes at once: cancels what is in flight, drops what is queued (marks get the cause), and closes the fd after
     * the final CQEs; {@link ConnectionHandler#onClose} gets {@code cause}.
     *
     * @param cause why (null for no failure)
     */
    public void close(Throwable cause) {
        if (!loop.inLoop()) {
            onLoop(() -> close(cause));
            return;
        }
        abort(cause);
    }

    void abort(Throwable why) {
        terminate(why);
    }

    private void terminate(Throwable why) {
        if (state >= ABORTING) {
            return;
        }
        state = ABORTING;
        open = false;
        cause = why;
        inbound.stop();
        outbound.abort(why);
        if (timer != null) {
            timer.cancel();
        }
        if (opsInFlight == 0) {
            finish();
        }
    }

    /** Every op's final CQE is in: close the fd, give the memory back, tell the handler and the owner. */
    private void finish() {
        state = CLOSED;
        LibC.close(fd);
        if (!memoryKept) {
            inbound.releaseMemory();
            outbound.releaseMemory();
        } // else the loop ended before the kernel answered an op: its buffers may still be written, so they leak
        loopTcp.unregister(this);
        ConnectionHandler h = handler;
        if (h != null) {
            try {
                h.onClose(this, cause);
            } catch (RuntimeException e) {
                loopError(e);
            }
        }
        if (owner != null) {
            try {
                owner.connectionClosed(this);
            } catch (RuntimeException e) {
                loopError(e);
            }
        }
        closed.complete(cause);
    }

    // ------------------------------------------------------------------------------------------ from the rooms

    boolean isOpenForReading() {
        return state == OPEN;
    }

    boolean isClosing() {
        return state != OPEN;
    }

    void submit(UringOperation op, OwnedResource done) {
        opsInFlight++;
        op.attach(done);
        loop.submit(op);
    }

    /**
     * The loop ended before the kernel answered one of this connection's ops (it was quarantined): the op has ended
     * for the connection's bookkeeping, but its memory (and so the pooled buffers, the queued sends, the message
     * header) is never given back.
     */
    void opKept() {
        memoryKept = true;
        opDone();
    }

    /** A submission's final CQE was delivered and its memory is the connection's again. */
    void opDone() {
        opsInFlight--;
        if (opsInFlight == 0 && state == ABORTING) {
            finish();
        }
    }

    void beforeEnter(Runnable hook) {
        try {
            loop.beforeEnter(hook);
        } catch (RejectedExecutionException loopEnded) {
            // the loop's end closes the connection
        }
    }

    void deliver(UringBuffer data) {
        if (timer != null) {
            timer.lastRead = System.nanoTime();
        }
        try {
            handler.onData(this, data);
        } catch (RuntimeException e) {
            callbackFailed(e);
        }
    }

    void receivedEnd() {
        if (state != OPEN) {
            return;
        }
        try {
            handler.onEnd(this);
        } catch (RuntimeException e) {
            callbackFailed(e);
        }
    }

    void becameWritable() {
        if (state != OPEN) {
            return;
        }
        try {
            handler.onWritable(this);
        } catch (RuntimeException e) {
            callbackFailed(e);
        }
    }

    void flushedForClose() {
        if (state == CLOSING) {
            terminate(null);
        }
    }

    void readDemandStarted() {
        if (timer != null) {
            timer.readSince = System.nanoTime();
        }
    }

    void writeStarted() {
        if (timer != null) {
            timer.writeSince = System.nanoTime();
        }
    }

    void wrote() {
        if (timer != null) {
            timer.lastWrite = System.nanoTime();
        }
    }

    void receiveFailed(int res, String op) {
        terminate(error(res, op));
    }

    void sendFailed(int res, String op) {
        terminate(error(res, op));
    }

    /** A callback threw: this connection closes with it (and only this one). */
    void callbackFailed(RuntimeException e) {
        terminate(e);
    }

    private Throwable error(int res, String op) {
        if (res == -Errno.ECANCELED && loop.isShuttingDown()) {
            return new UringCancelledException(op, "the ring's loop ended");
        }
        return UringErrors.of(res, op);
    }

    private Throwable closedError() {
        Throwable c = cause;
        return c != null ? c : new java.nio.channels.ClosedChannelException();
    }

    private void loopError(RuntimeException e) {
        try {
            loop.options().errorHook().accept(e);
        } catch (RuntimeException ignored) {
            // the hook itself failed
        }
    }

    private void onLoop(Runnable task) {
        onLoop(task, null);
    }

    private void onLoop(Runnable task, Runnable ifRejected) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (ifRejected != null) {
                ifRejected.run();
            }
        }
    }

    private void checkLoop(String what) {
        if (!loop.inLoop()) {
            throw new IllegalStateException(what + " must be called on the connection's loop thread");
        }
    }

    // ------------------------------------------------------------------------------------------ descriptions

    /** @return for messages: {@code TCP fd=12 127.0.0.1:40312} */
    public String describe() {
        SocketAddress r = remoteAddress;
        return "TCP fd=" + fd + (r != null ? " " + describe(r) : "");
    }

    @Override
    public String toString() {
        return "TcpConnection[" + describe() + (open ? "" : ", closed") + "]";
    }

    /**
     * @param address an address
     * @return {@code 127.0.0.1:8080}, {@code [::1]:8080}, or a Unix domain socket's path
     */
    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (inet.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }

    /**
     * The idle, read and write timeouts, all in one loop timer: it runs at the earliest deadline, compares each with
     * the clock (the activity times move without rescheduling) and closes the connection or schedules itself again.
     */
    private final class ConnectionTimer extends LoopTimer {
        long lastRead;
        long lastWrite;
        long readSince;
        long writeSince;
        /** The shortest of the timeouts set: how far ahead the timer looks when nothing is due sooner. */
        private long shortest = Long.MAX_VALUE;

        void start() {
            for (Duration d : new Duration[] {options.idleTimeout(), options.readTimeout(), options.writeTimeout()}) {
                if (d != null) {
                    shortest = Math.min(shortest, d.toNanos());
                }
            }
            long now = System.nanoTime();
            lastRead = now;
            lastWrite = now;
            readSince = now;
            writeSince = now;
            loop.timers().schedule(this, now + shortest);
        }

        @Override
        public boolean isCancelled() {
            return super.isCancelled() || state >= ABORTING;
        }

        @Override
        protected void onDeadline() {
            if (state >= ABORTING) {
                return;
            }
            long now = System.nanoTime();
            long next = now + shortest;
            Duration idle = options.idleTimeout();
            if (idle != null) {
                long due = Math.max(lastRead, lastWrite) + idle.toNanos();
                if (due - now <= 0) {
                    expire(ConnectionTimeoutException.Kind.IDLE, idle);
                    return;
                }
                next = earlier(next, due);
            }
            Duration read = options.readTimeout();
            if (read != null && inbound.demand > 0 && state == OPEN) {
                long due = Math.max(lastRead, readSince) + read.toNanos();
                if (due - now <= 0) {
                    expire(ConnectionTimeoutException.Kind.READ, read);
                    return;
                }
                next = earlier(next, due);
            }
            Duration write = options.writeTimeout();
            if (write != null && outbound.hasPending()) {
                long due = Math.max(lastWrite, writeSince) + write.toNanos();
                if (due - now <= 0) {
                    expire(ConnectionTimeoutException.Kind.WRITE, write);
                    return;
                }
                next = earlier(next, due);
            }
            loop.timers().schedule(this, next);
        }

        private long earlier(long a, long b) {
            return b - a < 0 ? b : a;
        }

        private void expire(ConnectionTimeoutException.Kind kind, Duration timeout) {
            terminate(new ConnectionTimeoutException(kind, timeout, describe()));
        }
    }
}
