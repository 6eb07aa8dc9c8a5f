package io.reactiveuring.http.server;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopTimer;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.tcp.ConnectionHandler;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.http.codec.HttpDecodeException;
import io.reactiveuring.http.codec.HttpDecoderListener;
import io.reactiveuring.http.codec.HttpFields;
import io.reactiveuring.http.codec.HttpRequestDecoder;
import io.reactiveuring.http.codec.HttpRequestHead;
import io.reactiveuring.http.codec.HttpResponseEncoder;
import io.reactiveuring.http.codec.HttpResponseHead;
import io.reactiveuring.http.codec.HttpStatus;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.RejectedExecutionException;

/**
 * One HTTP/1.1 connection: the {@link ConnectionHandler} of a TCP connection and the listener of its request
 * decoder. A receive is fed to the decoder; each request head becomes an {@link HttpExchange} handed to the handler,
 * and the decoder pauses until that exchange's response is complete, so pipelined requests are answered in order.
 *
 * <p>Reading is kept up (demand {@code Long.MAX_VALUE}) and stopped only when a request body's subscriber has no
 * demand, or when pipelined input held by the paused decoder grows past half of what it may hold.
 *
 * <p>Threading: loop thread only (every method), except {@link #onLoop}. Ownership: owns its decoder, encoder and
 * the current exchange; the TCP connection owns the socket and the buffers queued to send.
 */
final class HttpServerConnection implements ConnectionHandler, HttpDecoderListener {
    final ServerState server;
    final TcpConnection connection;
    final UringLoop loop;
    final HttpRequestDecoder decoder;
    final HttpResponseEncoder encoder;
    /** Reused by every exchange of the connection: one response is encoded at a time. */
    final HttpResponseHead responseHead = new HttpResponseHead();
    private final long headTimeoutNanos;
    private final long heldLimit;
    private HeadTimer headTimer;
    private long headDeadline;

    HttpExchange current;
    /** The receive being fed to the decoder (body bytes are slices of it). */
    private UringBuffer feeding;
    private int requests;
    boolean closeAfterResponse;
    private boolean closed;
    private boolean bodyBlocksReading;
    private boolean heldBlocksReading;
    private boolean readingPaused;

    HttpServerConnection(ServerState server, TcpConnection connection) {
        this.server = server;
        this.connection = connection;
        this.loop = connection.loop();
        this.decoder = new HttpRequestDecoder(server.options.decoder(), this);
        this.encoder = new HttpResponseEncoder(connection.allocator(), server.dates, server.options.serverName());
        this.headTimeoutNanos = server.options.headerTimeout() == null ? 0 : server.options.headerTimeout().toNanos();
        this.heldLimit = server.options.decoder().maxHeldBytes() / 2;
    }

    // ------------------------------------------------------------------------------------------ TCP callbacks

    @Override
    public void onOpen(TcpConnection c) {
        server.connections.add(this);
        if (server.shuttingDown) {
            c.close();
            return;
        }
        c.requestRead(Long.MAX_VALUE);
    }

    @Override
    public void onData(TcpConnection c, UringBuffer data) {
        if (current == null && headDeadline == 0 && headTimeoutNanos > 0) {
            armHeadTimer();
        }
        feeding = data;
        try {
            decoder.feed(data);
        } finally {
            feeding = null;
        }
        if (!closed && decoder.bufferedBytes() > heldLimit != heldBlocksReading) {
            heldBlocksReading = !heldBlocksReading;
            updateReading();
        }
    }

    @Override
    public void onEnd(TcpConnection c) {
        // The client shut its side: finish the response in progress (a half-closed client still reads), then close.
        if (current != null && !current.responseDone()) {
            closeAfterResponse = true;
            current.clientEnded();
        } else {
            c.close();
        }
    }

    @Override
    public void onWritable(TcpConnection c) {
        if (current != null) {
            current.onWritable();
        }
    }

    @Override
    public void onClose(TcpConnection c, Throwable cause) {
        closed = true;
        server.connections.remove(this);
        if (headTimer != null) {
            headTimer.cancel();
        }
        HttpExchange ex = current;
        current = null;
        if (ex != null) {
            ex.connectionClosed(cause);
        }
    }

    // ------------------------------------------------------------------------------------------ decoder callbacks

    @Override
    public void onRequest(HttpRequestHead head) {
        headDeadline = 0;
        decoder.pause(); // the next pipelined request waits for this one's response
        requests++;
        int max = server.options.maxKeepAliveRequests();
        if ((max > 0 && requests >= max) || server.shuttingDown) {
            closeAfterResponse = true;
        }
        HttpExchange ex = new HttpExchange(this, head);
        current = ex;
        ex.start();
    }

    @Override
    public void onBody(MemorySegment bytes) {
        HttpExchange ex = current;
        if (ex != null) {
            ex.body().onBytes(bytes, feeding);
        }
    }

    @Override
    public void onRequestEnd(HttpFields trailers) {
        HttpExchange ex = current;
        if (ex != null) {
            ex.requestEnded();
        }
    }

    @Override
    public void onError(HttpDecodeException error) {
        headDeadline = 0;
        HttpExchange ex = current;
        if (ex != null) {
            ex.requestFailed(error);
            return;
        }
        connection.writeOwned(encoder.encodeError(error));
        connection.close();
    }

    // ------------------------------------------------------------------------------------------ exchange lifecycle

    /** The current exchange is over (response queued, request read or dropped): go on with the next one. */
    void exchangeFinished(HttpExchange ex, boolean persistent) {
        if (current != ex) {
            return;
        }
        current = null;
        if (!persistent || closeAfterResponse || closed) {
            connection.close();
            return;
        }
        bodyBlocksReading = false;
        decoder.resume(); // decodes pipelined input at once (or, inside a decoder callback, lets it go on)
        if (closed) {
            return;
        }
        heldBlocksReading = decoder.bufferedBytes() > heldLimit;
        updateReading();
        if (current == null && decoder.inRequest() && headTimeoutNanos > 0 && headDeadline == 0) {
            armHeadTimer();
        }
    }

    /** A request body's subscriber wants no more for now (true) or again (false). */
    void bodyBlocksReading(boolean blocks) {
        if (bodyBlocksReading != blocks) {
            bodyBlocksReading = blocks;
            updateReading();
        }
    }

    private void updateReading() {
        boolean pause = bodyBlocksReading || heldBlocksReading;
        if (closed || pause == readingPaused) {
            return;
        }
        readingPaused = pause;
        if (pause) {
            connection.pauseReading();
        } else {
            connection.requestRead(Long.MAX_VALUE);
        }
    }

    /** For a graceful shutdown: close now if no request is in progress, else after the current response. */
    void closeWhenIdle() {
        closeAfterResponse = true;
        if (current == null && !decoder.inRequest()) {
            connection.close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Runs {@code task} on the connection's loop (at once when on it); dropped if the loop has ended. */
    void onLoop(Runnable task) {
        if (loop.inLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException ended) {
            // the loop's end closes the connection
        }
    }

    // ------------------------------------------------------------------------------------------ header timeout

    private void armHeadTimer() {
        headDeadline = System.nanoTime() + headTimeoutNanos;
        if (headTimer == null) {
            headTimer = new HeadTimer();
            loop.timers().schedule(headTimer, headDeadline);
        } else if (!headTimer.scheduled) {
            headTimer.scheduled = true;
            loop.timers().schedule(headTimer, headDeadline);
        }
    }

    /**
     * The deadline of the header section now being read: one timer per connection that re-checks the moving
     * deadline when it runs instead of being cancelled and scheduled per request.
     */
    private final class HeadTimer extends LoopTimer {
        boolean scheduled = true;

        @Override
        protected void onDeadline() {
            scheduled = false;
            if (closed || headDeadline == 0) {
                return;
            }
            long now = System.nanoTime();
            if (now - headDeadline < 0) {
                scheduled = true;
                loop.timers().schedule(this, headDeadline);
                return;
            }
            headDeadline = 0;
            if (current == null) {
                connection.writeOwned(encoder.encodeError(HttpStatus.REQUEST_TIMEOUT,
                        "the request header section did not arrive in time"));
            }
            connection.close();
        }
    }
}
