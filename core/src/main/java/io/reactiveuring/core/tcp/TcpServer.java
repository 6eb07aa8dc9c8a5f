package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.engine.LoopTimer;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.core.ops.ControlOps;
import io.reactiveuring.core.ops.FdResultOperation;
import io.reactiveuring.core.ops.RingMailbox;
import io.reactiveuring.core.ops.SocketOps;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A listening server on the ring: a multishot {@code ACCEPT} armed for as long as the server accepts, and a
 * {@link TcpConnection} per accepted socket on one of the transport's loops, driven by the handler the server's
 * factory makes for it. Made by {@link TcpTransport#bind}.
 *
 * <p>Spreading over loops ({@link TcpOptions#acceptSpread()}): with {@link TcpOptions.AcceptSpread#HANDOFF} one
 * listener and one accept on one loop pass each new socket round robin to a loop, through {@code MSG_RING} (the fd
 * is the message); with {@link TcpOptions.AcceptSpread#REUSEPORT} each loop has its own listener
 * ({@code SO_REUSEPORT}) and accept, and the kernel picks by the peer's address hash. Unix domain sockets and
 * single-loop transports always use one listener.
 *
 * <p>Limits: with {@link TcpOptions#maxConnections()} set, a connection beyond it is accepted and closed at once,
 * and counted in {@link #rejectedConnections()}.
 *
 * <p>Ending: {@link #stopAccepting()} cancels every accept explicitly (closing a listener would not end a pending
 * accept) and closes the listeners once their accepts' final CQEs arrived: new connections are then refused.
 * {@link #dispose()} also closes every connection of the server at once; {@link #disposeGracefully(Duration)} lets
 * them finish until a deadline, then closes the rest. {@link #onDispose()} completes when the listeners and every
 * connection are closed.
 *
 * <p>Threading: every method from any thread. Ownership: the server owns its listening sockets; each connection is
 * owned by its loop and closed by the server's disposal.
 */
public final class TcpServer implements TcpConnection.Owner {
    private final TcpTransport transport;
    private final TcpOptions options;
    private final Function<? super TcpConnection, ? extends ConnectionHandler> handlers;
    private final SocketAddress address;
    private final boolean unix;
    private final Listener[] listeners;
    private final boolean handoff;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicInteger listenersOpen;
    private final AtomicInteger nextTarget = new AtomicInteger();
    private final CompletableFuture<Void> acceptStopped = new CompletableFuture<>();
    private final CompletableFuture<Void> disposed = new CompletableFuture<>();
    private volatile boolean accepting = true;
    private volatile boolean closingConnections;
    // HANDOFF through MSG_RING: a mailbox per other loop, and counts that tell when it may close.
    private final Target[] targets;

    private TcpServer(TcpTransport transport, TcpOptions options,
                      Function<? super TcpConnection, ? extends ConnectionHandler> handlers, SocketAddress address,
                      boolean unix, Listener[] listeners, boolean handoff) {
        this.transport = transport;
        this.options = options;
        this.handlers = handlers;
        this.address = address;
        this.unix = unix;
        this.listeners = listeners;
        this.handoff = handoff;
        this.listenersOpen = new AtomicInteger(listeners.length);
        this.targets = new Target[transport.loopCount()];
        for (Listener l : listeners) {
            l.server = this;
        }
    }

    // ------------------------------------------------------------------------------------------ binding

    static CompletableFuture<TcpServer> bind(TcpTransport transport, SocketAddress requested, TcpOptions options,
                                             Function<? super TcpConnection, ? extends ConnectionHandler> handlers) {
        int family = SocketAddresses.family(requested);
        boolean unix = family == Sockets.AF_UNIX;
        int loops = transport.loopCount();
        boolean reuseport = !unix && loops > 1 && options.acceptSpread() == TcpOptions.AcceptSpread.REUSEPORT;
        int count = reuseport ? loops : 1;
        List<Integer> fds = new ArrayList<>(count);
        SocketAddress bound;
        try {
            SocketAddress at = requested;
            for (int i = 0; i < count; i++) {
                fds.add(listen(family, at, options, reuseport, unix, requested));
                if (i == 0 && !unix) {
                    at = SocketAddresses.localAddress(fds.get(0)); // the port the kernel picked, for the others
                }
            }
            bound = unix ? requested : SocketAddresses.localAddress(fds.get(0));
        } catch (BindException e) {
            fds.forEach(LibC::close);
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            fds.forEach(LibC::close);
            throw e;
        }
        Listener[] ls = new Listener[count];
        int first = transport.loops().pickIndex(); // several servers spread their acceptors
        for (int i = 0; i < count; i++) {
            ls[i] = new Listener(transport.loopTcp((first + i) % loops).loop, fds.get(i));
        }
        boolean handoff = !reuseport && loops > 1;
        TcpServer server = new TcpServer(transport, options, handlers, bound, unix, ls, handoff);
        return server.start();
    }

    /** A listening socket: socket, options, bind, listen; throws a {@link BindException} naming the address. */
    private static int listen(int family, SocketAddress at, TcpOptions o, boolean reuseport, boolean unix,
                              SocketAddress requested) throws BindException {
        int fd = LibSocket.socket(family, Sockets.SOCK_STREAM, 0);
        if (fd < 0) {
            throw UringErrors.ofBind(fd, "socket " + TcpConnection.describe(requested));
        }
        boolean ok = false;
        try {
            if (!unix) {
                if (o.reuseAddress()) {
                    check(LibSocket.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1), "setsockopt", at);
                }
                if (o.reusePort() || reuseport) {
                    check(LibSocket.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, 1), "setsockopt", at);
                }
            }
            try (Arena tmp = Arena.ofConfined()) {
                check(LibSocket.bind(fd, SocketAddresses.allocate(at, tmp)), "bind", requested);
            }
            check(LibSocket.listen(fd, o.backlog()), "listen", requested);
            ok = true;
            return fd;
        } finally {
            if (!ok) {
                LibC.close(fd);
            }
        }
    }

    private static void check(int r, String call, SocketAddress address) throws BindException {
        if (r < 0) {
            throw UringErrors.ofBind(r, call + " " + TcpConnection.describe(address));
        }
    }

    /**
     * Opens the hand-off mailboxes, then arms every accept (an accepted socket may be handed off at once); completes
     * once all are in flight.
     */
    private CompletableFuture<TcpServer> start() {
        List<CompletableFuture<?>> mailboxes = new ArrayList<>();
        if (handoff && supportsMsgRing()) {
            UringLoop acceptorLoop = listeners[0].loop;
            for (int i = 0; i < targets.length; i++) {
                UringLoop loop = transport.loopTcp(i).loop;
                if (loop != acceptorLoop) {
                    Target t = new Target(i, loop);
                    targets[i] = t;
                    mailboxes.add(t.mailbox.open(loop));
                }
            }
        }
        return CompletableFuture.allOf(mailboxes.toArray(CompletableFuture[]::new))
                .thenCompose(v -> armAccepts())
                .handle((v, error) -> {
                    if (error != null) {
                        dispose();
                        throw error instanceof java.util.concurrent.CompletionException c ? c
                                : new java.util.concurrent.CompletionException(error);
                    }
                    return this;
                });
    }

    private CompletableFuture<Void> armAccepts() {
        List<CompletableFuture<?>> armed = new ArrayList<>();
        for (Listener l : listeners) {
            CompletableFuture<Void> a = new CompletableFuture<>();
            armed.add(a);
            try {
                l.loop.execute(() -> {
                    l.arm();
                    a.complete(null);
                });
            } catch (RejectedExecutionException e) {
                a.completeExceptionally(new UringCancelledException("ACCEPT " + describeAddress(),
                        "the ring's loop has ended"));
            }
        }
        return CompletableFuture.allOf(armed.toArray(CompletableFuture[]::new));
    }

    private boolean supportsMsgRing() {
        var f = listeners[0].loop.features();
        return f != null && f.supports(IoUring.IORING_OP_MSG_RING);
    }

    // ------------------------------------------------------------------------------------------ accessors

    /** @return the bound address (with the port the kernel picked for port 0), or the Unix domain socket path */
    public SocketAddress address() {
        return address;
    }

    /** @return the bound TCP port, or -1 for a Unix domain socket */
    public int port() {
        return address instanceof java.net.InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** @return the transport the server runs on */
    public TcpTransport transport() {
        return transport;
    }

    /** @return the server's options */
    public TcpOptions options() {
        return options;
    }

    /** @return connections open now */
    public int activeConnections() {
        return active.get();
    }

    /** @return connections accepted so far (rejected ones included) */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** @return connections accepted beyond {@link TcpOptions#maxConnections()} and closed at once */
    public long rejectedConnections() {
        return rejected.get();
    }

    /** @return listeners: 1, or one per loop with {@link TcpOptions.AcceptSpread#REUSEPORT} */
    public int listenerCount() {
        return listeners.length;
    }

    /** @return true while the server accepts connections */
    public boolean isAccepting() {
        return accepting;
    }

    /** @return true once {@link #dispose()} or {@link #disposeGracefully} was called */
    public boolean isDisposed() {
        return !accepting;
    }

    /** @return completes once the listeners and every connection of the server are closed */
    public CompletableFuture<Void> onDispose() {
        return disposed;
    }

    /**
     * The end of a server that made its own loops: once this server is disposed, {@code ownLoops} is closed too, and
     * the returned future completes when the server, its connections and those loops are entirely gone (rings
     * closed, {@link io.reactiveuring.core.engine.UringGroup#whenAllTerminated}). What each shell's
     * {@code onDispose()} reports.
     *
     * @param ownLoops the transport the server's builder made for it, or null if it runs on loops it does not own
     * @return completes once everything is gone
     */
    public CompletableFuture<Void> onDisposeClosing(TcpTransport ownLoops) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        disposed.whenComplete((v, e) -> {
            if (ownLoops != null) {
                ownLoops.loops().whenAllTerminated(() -> ended.complete(null));
                ownLoops.close(); // ends the server's own loops (returns at once on a loop thread)
            } else {
                ended.complete(null);
            }
        });
        return ended;
    }

    // ------------------------------------------------------------------------------------------ accepting

    private void onAccepted(Listener listener, int fd) {
        accepted.incrementAndGet();
        if (!accepting) {
            LibC.close(fd);
            return;
        }
        int limit = options.maxConnections();
        if (active.incrementAndGet() > limit && limit > 0) {
            active.decrementAndGet();
            rejected.incrementAndGet();
            LibC.close(fd);
            return;
        }
        try {
            route(listener, fd);
        } catch (RuntimeException e) {
            LibC.close(fd); // never lose an accepted socket to a failure on the way
            connectionGone();
            report(listener.loop, e);
        }
    }

    /** Places an accepted (and counted) socket on a loop: its own, or the next in turn through a hand-off. */
    private void route(Listener listener, int fd) {
        int n = transport.loopCount();
        if (!handoff || n == 1) {
            open(transport.loopTcp(listener.loop), fd);
            return;
        }
        int index = Math.floorMod(nextTarget.getAndIncrement(), n);
        LoopTcp target = transport.loopTcp(index);
        if (target.loop == listener.loop) {
            open(target, fd);
        } else if (targets[index] != null) {
            targets[index].send(listener.loop, fd);
        } else {
            handOffByTask(target, fd);
        }
    }

    /** The hand-off without MSG_RING (or after it failed): a task on the target loop. */
    private void handOffByTask(LoopTcp target, int fd) {
        try {
            target.loop.execute(() -> open(target, fd));
        } catch (RejectedExecutionException e) {
            LibC.close(fd);
            connectionGone();
        }
    }

    /** Makes the connection for {@code fd} on its loop (loop thread) and hands it to its handler. */
    private void open(LoopTcp loopTcp, int fd) {
        if (closingConnections || loopTcp.loop.isShuttingDown()) {
            LibC.close(fd);
            connectionGone();
            return;
        }
        SocketSetup.applyToConnection(fd, options, unix); // a refused option is not worth losing the connection
        TcpConnection c;
        ConnectionHandler h;
        try {
            c = new TcpConnection(loopTcp, fd, options, this, null);
            h = Objects.requireNonNull(handlers.apply(c), "the handler factory returned null");
        } catch (RuntimeException e) {
            LibC.close(fd);
            connectionGone();
            report(loopTcp.loop, e);
            return;
        }
        c.start(h);
    }

    @Override
    public void connectionClosed(TcpConnection connection) {
        connectionGone();
    }

    private void connectionGone() {
        if (active.decrementAndGet() == 0) {
            maybeDisposed();
        }
    }

    private void maybeDisposed() {
        if (!accepting && acceptStopped.isDone() && active.get() == 0) {
            disposed.complete(null);
        }
    }

    private static void report(UringLoop loop, RuntimeException e) {
        try {
            loop.options().errorHook().accept(e);
        } catch (RuntimeException ignored) {
            // the hook itself failed
        }
    }

    // ------------------------------------------------------------------------------------------ ending

    /**
     * Stops accepting: every accept is cancelled explicitly, and once its final CQE arrived its listener is closed
     * (a Unix domain socket's file removed); new connections are then refused. Open connections go on.
     *
     * @return completes once every listener is closed
     */
    public CompletableFuture<Void> stopAccepting() {
        if (accepting) {
            accepting = false;
            for (Listener l : listeners) {
                l.acceptor.cancel(l.loop); // from any thread; the accept's final CQE closes the listener
            }
        }
        return acceptStopped;
    }

    /** Stops accepting and closes every connection of the server at once. */
    public void dispose() {
        stopAccepting();
        closeConnections();
    }

    /**
     * Stops accepting, lets open connections finish until {@code timeout} has passed, then closes the rest. The
     * deadline is kept by a loop timer (no scheduler thread).
     *
     * @param timeout how long connections may take to finish
     * @return {@link #onDispose()}
     */
    public CompletableFuture<Void> disposeGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        stopAccepting();
        if (!disposed.isDone()) {
            UringLoop loop = listeners[0].loop;
            LoopTimer deadline = new LoopTimer() {
                @Override
                protected void onDeadline() {
                    closeConnections();
                }

                @Override
                public boolean isCancelled() {
                    return super.isCancelled() || disposed.isDone();
                }
            };
            disposed.whenComplete((v, e) -> deadline.cancel());
            try {
                loop.execute(() -> loop.timers().schedule(deadline, timeout));
            } catch (RejectedExecutionException ended) {
                closeConnections();
            }
        }
        return disposed;
    }

    /** Closes every connection of this server, on each loop. */
    private void closeConnections() {
        closingConnections = true;
        for (int i = 0; i < transport.loopCount(); i++) {
            LoopTcp l = transport.loopTcp(i);
            Runnable closeAll = () -> l.forEachConnection(c -> {
                if (c.owner() == this) {
                    c.abort(new UringCancelledException(c.describe(), "the server was disposed"));
                }
            });
            if (l.loop.inLoop()) {
                closeAll.run();
            } else {
                try {
                    l.loop.execute(closeAll);
                } catch (RejectedExecutionException ended) {
                    // its end closes them
                }
            }
        }
    }

    /** A listener's accept has ended for good: close it; after the last one, end the hand-off mailboxes. */
    private void listenerStopped(Listener l) {
        LibC.close(l.fd);
        if (listenersOpen.decrementAndGet() != 0) {
            return;
        }
        if (unix && address instanceof UnixDomainSocketAddress path) {
            try {
                Files.deleteIfExists(path.getPath());
            } catch (IOException e) {
                TcpTransport.LOG.log(System.Logger.Level.WARNING, "could not remove " + path.getPath(), e);
            }
        }
        closeTargets();
    }

    private void closeTargets() {
        boolean any = false;
        for (Target t : targets) {
            if (t != null) {
                any = true;
                t.closeWhenCaughtUp();
            }
        }
        if (!any) {
            acceptStoppedNow();
        }
    }

    private void targetClosed() {
        for (Target t : targets) {
            if (t != null && !t.closed) {
                return;
            }
        }
        acceptStoppedNow();
    }

    private void acceptStoppedNow() {
        accepting = false;
        acceptStopped.complete(null);
        maybeDisposed();
    }

    String describeAddress() {
        return TcpConnection.describe(address);
    }

    @Override
    public String toString() {
        return "TcpServer[" + describeAddress() + ", " + listeners.length + " listener"
                + (listeners.length == 1 ? "" : "s") + ", active=" + active.get() + "]";
    }

    // ------------------------------------------------------------------------------------------ the pieces

    /** A listening socket and its multishot accept, on one loop. */
    private static final class Listener {
        final UringLoop loop;
        final int fd;
        final Acceptor acceptor = new Acceptor(this);
        TcpServer server;

        Listener(UringLoop loop, int fd) {
            this.loop = loop;
            this.fd = fd;
        }

        void arm() {
            acceptor.spec(SocketOps.acceptMultishot(fd, 0));
            loop.submit(acceptor);
        }
    }

    /**
     * The multishot accept: one CQE per connection while armed; re-armed if the kernel ends it while the server
     * still accepts (after a short pause when the process ran out of fds or memory, so it does not spin).
     */
    private static final class Acceptor extends FdResultOperation {
        /** {@code ENFILE}: the system-wide file table is full. */
        private static final int ENFILE = 23;
        private final Listener listener;
        private LoopTimer backoff;

        Acceptor(Listener listener) {
            this.listener = listener;
        }

        @Override
        protected void onFdCompletion(int res, int flags) {
            TcpServer server = listener.server;
            if (res >= 0) {
                server.onAccepted(listener, res);
            }
            if (hasMore(flags)) {
                return;
            }
            boolean loopEnded = (flags & FLAG_LOOP_TERMINATED) != 0 || listener.loop.isShuttingDown();
            if (!server.accepting || isCancelRequested() || loopEnded) {
                server.listenerStopped(listener);
                return;
            }
            if (res == -Errno.EMFILE || res == -ENFILE || res == -Errno.ENOMEM || res == -Errno.ENOBUFS) {
                TcpTransport.LOG.log(System.Logger.Level.WARNING, "accept on " + server.describeAddress() + ": "
                        + Errno.name(-res) + "; retrying in 50 ms");
                if (backoff == null) {
                    backoff = new LoopTimer() {
                        @Override
                        protected void onDeadline() {
                            rearm();
                        }
                    };
                }
                listener.loop.timers().schedule(backoff, Duration.ofMillis(50));
                return;
            }
            if (res < 0 && res != -Errno.ECONNABORTED && res != -Errno.EAGAIN && res != -Errno.EINTR) {
                TcpTransport.LOG.log(System.Logger.Level.WARNING, "accept on " + server.describeAddress()
                        + " ended with " + Errno.name(-res) + "; re-arming");
            }
            rearm();
        }

        private void rearm() {
            TcpServer server = listener.server;
            if (!server.accepting || isCancelRequested() || listener.loop.isShuttingDown()) {
                server.listenerStopped(listener);
                return;
            }
            listener.loop.submit(this);
        }
    }

    /**
     * A loop accepted sockets are passed to with {@code MSG_RING}: its mailbox, and counts of the messages sent and
     * received, so that the mailbox closes only after every fd sent to it arrived (a message after the close would
     * be dropped, and its fd lost).
     */
    private final class Target {
        final int index;
        final UringLoop loop;
        final RingMailbox mailbox;
        final AtomicLong sent = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        // target loop only
        long received;
        boolean closeRequested;
        boolean closing;
        volatile boolean closed;

        Target(int index, UringLoop loop) {
            this.index = index;
            this.loop = loop;
            this.mailbox = new RingMailbox(this::onMessage);
            mailbox.closed().whenComplete((res, e) -> {
                closed = true;
                targetClosed();
            });
        }

        /** On the acceptor's loop: posts {@code fd} to this loop's mailbox. */
        void send(UringLoop from, int fd) {
            inFlight.incrementAndGet();
            UringOperation message = new UringOperation(ControlOps.message(mailbox.address(), fd)) {
                @Override
                protected void onCompletion(int res, int flags) {
                    if (res >= 0) {
                        sent.incrementAndGet();
                    } else {
                        handOffByTask(transport.loopTcp(index), fd); // e.g. EOVERFLOW: the target's CQ was full
                    }
                    if (inFlight.decrementAndGet() == 0 && !accepting) {
                        catchUpCheck();
                    }
                }
            };
            try {
                from.submit(message);
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                throw e;
            }
        }

        private void onMessage(int fd) {
            received++;
            open(transport.loopTcp(index), fd);
            if (closeRequested) {
                closeIfCaughtUp();
            }
        }

        void closeWhenCaughtUp() {
            catchUpCheck();
        }

        private void catchUpCheck() {
            if (inFlight.get() != 0) {
                return; // the last message's completion checks again
            }
            try {
                loop.execute(() -> {
                    closeRequested = true;
                    closeIfCaughtUp();
                });
            } catch (RejectedExecutionException ended) {
                closed = true;
                targetClosed();
            }
        }

        private void closeIfCaughtUp() {
            if (received == sent.get() && !closing) {
                closing = true;
                mailbox.close();
            }
        }
    }
}
