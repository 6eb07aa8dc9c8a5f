package io.reactiveuring.core.tcp;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;

import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * The TCP machinery over a group of loops: what servers ({@link #bind}) and client connections ({@link #connect})
 * share, i.e. the loops, the buffer allocator, and per loop a provided-buffer ring for the connections' multishot
 * receives plus the list of the loop's open connections.
 *
 * <p>Made with its own loops ({@link #create}: one per core by default) or over existing ones ({@link #over}).
 * {@link #close()} ends what it owns: its own loops (every connection on them ends with a
 * {@code UringCancelledException}, every fd is closed) and its allocator once they have ended; over borrowed loops
 * it closes its connections and releases its rings, and leaves the loops running.
 *
 * <p>Threading: every method from any thread. Ownership: see above; a connection belongs to its loop.
 */
public final class TcpTransport implements AutoCloseable {
    static final System.Logger LOG = System.getLogger("io.reactiveuring.core.tcp");

    /**
     * How received data is buffered: the provided-buffer ring each loop's multishot receives pick from, and the
     * pooled buffer a plain receive uses (demand of one, or the ring ran dry).
     *
     * @param ringEntries     buffers in each loop's ring, a power of two in [1, 32768]
     * @param ringBufferSize  bytes per ring buffer (at most this much per receive completion)
     * @param plainBufferSize bytes of a plain receive's buffer
     */
    public record Buffers(int ringEntries, int ringBufferSize, int plainBufferSize) {
        /** Validates the sizes. */
        public Buffers {
            if (ringEntries < 1 || ringEntries > 32768 || Integer.bitCount(ringEntries) != 1) {
                throw new IllegalArgumentException("ringEntries must be a power of two in [1, 32768]: " + ringEntries);
            }
            if (ringBufferSize < 1 || plainBufferSize < 1) {
                throw new IllegalArgumentException("buffer sizes must be positive: " + ringBufferSize + ", "
                        + plainBufferSize);
            }
        }

        /** @return 1024 ring buffers of 4 KiB per loop (4 MiB), 16 KiB plain buffers */
        public static Buffers defaults() {
            return new Buffers(1024, 4096, 16 * 1024);
        }
    }

    private final UringGroup group;
    private final boolean ownsGroup;
    private final BufferAllocator allocator;
    private final boolean ownsAllocator;
    private final Buffers buffers;
    private final UringLoop[] loops;
    private final LoopTcp[] perLoop;
    private volatile boolean closed;

    private TcpTransport(UringGroup group, boolean ownsGroup, BufferAllocator allocator, boolean ownsAllocator,
                         Buffers buffers) {
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.allocator = allocator;
        this.ownsAllocator = ownsAllocator;
        this.buffers = buffers;
        List<UringLoop> list = group.loops();
        this.loops = list.toArray(UringLoop[]::new);
        this.perLoop = new LoopTcp[loops.length];
        for (int i = 0; i < loops.length; i++) {
            perLoop[i] = new LoopTcp(this, loops[i], allocator, buffers);
        }
        if (ownsAllocator) {
            group.whenAllTerminated(allocator::close); // after the loops: their connections released everything
        }
    }

    /**
     * Loop options suited to many connections: a larger CQ and in-flight table (each connection keeps a receive
     * armed), 1024 SQ entries.
     *
     * @return the options
     */
    public static LoopOptions loopOptions() {
        return LoopOptions.defaults().withQueues(1024, 16384).withMaxInFlight(32768).withThreadName("uring-tcp");
    }

    /**
     * A transport with {@code loops} loops of its own ({@link #loopOptions()}), a pooled allocator and the default
     * buffers; it owns them all.
     *
     * @param loops how many loops (one per core is the usual choice)
     * @return the transport
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be set up
     */
    public static TcpTransport create(int loops) {
        return create(loops, loopOptions(), Buffers.defaults());
    }

    /**
     * A transport with loops of its own and a pooled allocator, which it owns.
     *
     * @param loops   how many loops
     * @param options how to build each loop
     * @param buffers how received data is buffered
     * @return the transport
     */
    public static TcpTransport create(int loops, LoopOptions options, Buffers buffers) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(buffers, "buffers");
        return new TcpTransport(new UringGroup(loops, options), true, BufferAllocator.pooled(), true, buffers);
    }

    /**
     * A transport over loops and an allocator owned by the caller (they outlive {@link #close()}).
     *
     * @param group     the loops
     * @param allocator where buffers come from
     * @param buffers   how received data is buffered
     * @return the transport
     */
    public static TcpTransport over(UringGroup group, BufferAllocator allocator, Buffers buffers) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(buffers, "buffers");
        return new TcpTransport(group, false, allocator, false, buffers);
    }

    /** @return the loops */
    public UringGroup loops() {
        return group;
    }

    /** @return where buffers come from */
    public BufferAllocator allocator() {
        return allocator;
    }

    /** @return how received data is buffered */
    public Buffers buffers() {
        return buffers;
    }

    /** @return true once {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /**
     * @param loop one of the loops
     * @return the connections of this transport open on it now (loop thread; a snapshot elsewhere)
     */
    public int connectionsOn(UringLoop loop) {
        return loopTcp(loop).connections();
    }

    // ------------------------------------------------------------------------------------------ servers, clients

    /**
     * Binds a server to {@code address} (IPv4, IPv6 or a Unix domain socket path) and starts accepting: each
     * connection gets the handler {@code handlers} makes for it, on the loop it was placed on.
     *
     * @param address  where to listen (port 0: the kernel picks one, see {@link TcpServer#address()})
     * @param options  socket and connection settings
     * @param handlers makes each connection's handler (on its loop thread)
     * @return completes with the server once it accepts on every loop, or with a {@link java.net.BindException}
     * naming the address (e.g. {@code EADDRINUSE})
     */
    public CompletableFuture<TcpServer> bind(SocketAddress address, TcpOptions options,
                                             Function<? super TcpConnection, ? extends ConnectionHandler> handlers) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handlers, "handlers");
        SocketAddresses.encodedSize(address); // unsupported or unresolved addresses fail here
        checkOpen();
        return TcpServer.bind(this, address, options, handlers);
    }

    /**
     * Connects to {@code remote} from the caller's loop (if it runs on one) or the next one in turn.
     *
     * @param remote  where to connect (IPv4, IPv6 or a Unix domain socket path)
     * @param options socket settings and the connect timeout
     * @param handler the connection's handler
     * @return completes with the open connection (after {@link ConnectionHandler#onOpen}), or with a
     * {@link java.net.ConnectException} ({@code ECONNREFUSED}, ...) or a {@link ConnectionTimeoutException}
     */
    public CompletableFuture<TcpConnection> connect(SocketAddress remote, TcpOptions options,
                                                    ConnectionHandler handler) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        SocketAddresses.encodedSize(remote);
        checkOpen();
        UringLoop loop = group.pick();
        CompletableFuture<TcpConnection> result = new CompletableFuture<>();
        Runnable start = () -> new ConnectOperation(loopTcp(loop), remote, options, handler, result).start();
        if (loop.inLoop()) {
            start.run();
        } else {
            try {
                loop.execute(start);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new io.reactiveuring.core.UringCancelledException("CONNECT "
                        + TcpConnection.describe(remote), "the ring's loop has ended"));
            }
        }
        return result;
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    /**
     * Ends the transport: its own loops end (every connection on them with a {@code UringCancelledException}, every
     * fd closed) and the allocator is closed after them; over borrowed loops, its connections are closed and its rings
     * released. Returns once its own loops have ended (at once when called on one of them).
     */
    @Override
    public void close() {
        closed = true;
        if (ownsGroup) {
            if (group.current() != null) {
                group.dispose();
            } else {
                group.close();
            }
            return;
        }
        for (LoopTcp l : perLoop) {
            Runnable closeAll = () -> {
                l.forEachConnection(c -> c.abort(new io.reactiveuring.core.UringCancelledException(c.describe(),
                        "the transport was closed")));
                l.close();
            };
            if (l.loop.inLoop()) {
                closeAll.run();
            } else {
                try {
                    l.loop.execute(closeAll);
                } catch (RejectedExecutionException ended) {
                    // the loop's end already closed them
                }
            }
        }
    }

    /**
     * Waits until this transport's own loops have ended ({@link #close()} from a loop thread returns at once).
     *
     * @param timeout how long at most
     * @return true if they ended (always true over borrowed loops)
     * @throws InterruptedException if interrupted
     */
    public boolean awaitTermination(java.time.Duration timeout) throws InterruptedException {
        return !ownsGroup || group.awaitTermination(timeout);
    }

    @Override
    public String toString() {
        return "TcpTransport(" + loops.length + " loop" + (loops.length == 1 ? "" : "s") + ", " + buffers + ")";
    }

    // ------------------------------------------------------------------------------------------ internals

    LoopTcp loopTcp(UringLoop loop) {
        for (LoopTcp l : perLoop) {
            if (l.loop == loop) {
                return l;
            }
        }
        throw new IllegalArgumentException("not a loop of this transport: " + loop);
    }

    LoopTcp loopTcp(int index) {
        return perLoop[index];
    }

    int loopCount() {
        return loops.length;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the TCP transport is closed");
        }
    }
}
