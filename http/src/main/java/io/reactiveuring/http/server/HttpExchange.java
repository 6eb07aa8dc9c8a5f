package io.reactiveuring.http.server;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.ops.FileOps;
import io.reactiveuring.core.ops.FileStat;
import io.reactiveuring.core.ops.OpMemory;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.http.codec.BodyFraming;
import io.reactiveuring.http.codec.HttpDecodeException;
import io.reactiveuring.http.codec.HttpHeader;
import io.reactiveuring.http.codec.HttpRequestHead;
import io.reactiveuring.http.codec.HttpResponseHead;
import io.reactiveuring.http.codec.HttpStatus;
import io.reactiveuring.reactor.UringBufferFlux;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One request and its response on a connection: the request's head and body, the response's head (the
 * connection's reused {@link HttpResponseHead}) and the state of its sending; the subscriber of what the handler
 * returned.
 *
 * <p>The exchange ends when its response is queued and its request was read (or is being dropped): then the
 * connection goes on with the next request, or closes.
 *
 * <p>Threading: the state is the loop thread's; signals from other threads are handed to it. Ownership: owns the
 * request body's queued buffers (in {@link RequestBody}); what it writes belongs to the connection once queued.
 */
final class HttpExchange implements HttpServerRequest, HttpServerResponse, CoreSubscriber<Void> {
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);
    private static final int NOT_STARTED = 0;
    private static final int STREAMING = 1;
    private static final int DONE = 2;
    /** A {@code sendFile}'s statx is in flight: the response has begun, its head is not written yet. */
    private static final int FILE_PENDING = 3;

    final HttpServerConnection owner;
    final TcpConnection connection;
    final HttpRequestHead head;
    /** Made when the request has a body or the handler asks for it (most GETs never need one). */
    private RequestBody body;
    private final HttpResponseHead response;
    private final long startNanos;
    private Map<String, String> pathVariables = Map.of();
    private Map<String, List<String>> queryParams;
    private int state = NOT_STARTED;
    private boolean requestEnded;
    private boolean persistent;
    private boolean finished;
    private boolean keepAlive = true;
    private BodyFraming framing;
    private long bodyBytesSent;
    private Subscription handlerSubscription;
    ResponseSend.BodySubscriber activeStream;

    HttpExchange(HttpServerConnection owner, HttpRequestHead head) {
        this.owner = owner;
        this.connection = owner.connection;
        this.head = head;
        this.response = owner.responseHead.clear();
        this.startNanos = owner.server.options.accessLog() ? System.nanoTime() : 0;
        if (head.hasBody()) {
            body = new RequestBody(this);
        }
    }

    /** @return the body, made (empty and ended) for a request without one */
    RequestBody body() {
        RequestBody b = body;
        if (b == null) {
            b = new RequestBody(this);
            b.markEmpty();
            body = b;
        }
        return b;
    }

    /** Runs the handler (on the loop thread, inside the decoder's callback). */
    void start() {
        Publisher<Void> result;
        try {
            HttpCallbackHandler callback = owner.server.callbackHandler;
            if (callback != null) {
                callback.handle(this, this);
                return;
            }
            result = owner.server.handler.apply(this, this);
        } catch (Throwable t) {
            Exceptions.throwIfFatal(t);
            handlerDone(t);
            return;
        }
        if (result == null) {
            handlerDone(null);
        } else if (result instanceof ResponseSend send && send.exchange == this && send.claimDirect()) {
            send.begin(); // the handler returned a send as is: run it without a subscription
        } else {
            result.subscribe(this);
        }
    }

    // ------------------------------------------------------------------------------------------ handler's result

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(handlerSubscription, s)) {
            handlerSubscription = s;
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(Void unused) {
    }

    @Override
    public void onError(Throwable t) {
        owner.onLoop(() -> handlerDone(t));
    }

    @Override
    public void onComplete() {
        owner.onLoop(() -> handlerDone(null));
    }

    /** The handler's {@code Publisher} ended (or a send of it failed): answer what was not answered. */
    void handlerDone(Throwable failure) {
        if (owner.isClosed() || finished && failure == null) {
            return;
        }
        if (failure != null) {
            sendFailed(failure);
        } else if (state == NOT_STARTED) {
            respond(EMPTY);
        }
    }

    /** Sending failed: before the head a 500 (and close); after it the response cannot be ended: abort. */
    void sendFailed(Throwable failure) {
        if (owner.isClosed()) {
            return;
        }
        ServerState.LOG.debug("handler failed for {} {}", head.method(), head.target(), failure);
        if (state == NOT_STARTED || state == FILE_PENDING) {
            state = DONE;
            owner.closeAfterResponse = true;
            connection.writeOwned(owner.encoder.encodeError(HttpStatus.INTERNAL_SERVER_ERROR,
                    "the handler failed"));
            log(HttpStatus.INTERNAL_SERVER_ERROR);
            finish(false);
        } else if (state == STREAMING) {
            state = DONE;
            connection.close(failure);
        }
    }

    // ------------------------------------------------------------------------------------------ request side

    @Override
    public HttpRequestHead head() {
        return head;
    }

    @Override
    public Map<String, List<String>> queryParams() {
        Map<String, List<String>> q = queryParams;
        if (q == null) {
            q = QueryDecoder.parse(head.query());
            queryParams = q;
        }
        return q;
    }

    @Override
    public String param(String name) {
        return pathVariables.get(name);
    }

    @Override
    public Map<String, String> params() {
        return pathVariables;
    }

    void pathVariables(Map<String, String> values) {
        this.pathVariables = Map.copyOf(values);
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return connection.localAddress();
    }

    @Override
    public UringBufferFlux receive() {
        return UringBufferFlux.lent(body(), connection.allocator());
    }

    /** The decoder delivered the end of the request. */
    void requestEnded() {
        requestEnded = true;
        if (body != null) {
            body.ended();
        }
        if (state == DONE) {
            finish(persistent);
        }
    }

    /** The decoder found the request (its body) invalid. */
    void requestFailed(HttpDecodeException error) {
        // Answer first: failing the body makes a handler that reads it fail, which must not answer 500 instead.
        int was = state;
        state = DONE;
        cancelHandler();
        if (was == NOT_STARTED) {
            owner.closeAfterResponse = true;
            connection.writeOwned(owner.encoder.encodeError(error));
            log(error.status());
        }
        if (body != null) {
            body.fail(error);
        }
        if (was == NOT_STARTED) {
            finish(false);
        } else if (was == STREAMING) {
            connection.close(error);
        } else {
            connection.close();
        }
    }

    /** The client shut its side before this exchange was over. */
    void clientEnded() {
        if (!requestEnded) {
            body().fail(new EOFException("the client ended the connection before the request body was complete"));
        }
    }

    /** The connection closed (any cause) before the exchange was over. */
    void connectionClosed(Throwable cause) {
        finished = true;
        cancelHandler();
        Throwable why = cause != null ? cause : new EOFException("the connection closed");
        if (body != null) {
            body.fail(why);
        }
        ResponseSend.BodySubscriber stream = activeStream;
        activeStream = null;
        if (stream != null) {
            stream.connectionClosed(why);
        }
    }

    private void cancelHandler() {
        Subscription s = handlerSubscription;
        if (s != null) {
            handlerSubscription = Operators.cancelledSubscription();
            s.cancel();
        }
    }

    // ------------------------------------------------------------------------------------------ response: head

    @Override
    public HttpServerResponse status(int code) {
        response.status(code);
        return this;
    }

    @Override
    public int status() {
        return response.status();
    }

    @Override
    public HttpServerResponse header(CharSequence name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        String n = name.toString();
        if (n.equalsIgnoreCase("Content-Length")) {
            long length;
            try {
                length = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a content length: " + value, e);
            }
            if (length < 0) {
                throw new IllegalArgumentException("not a content length: " + value);
            }
            response.contentLength(length);
        } else {
            response.add(n, value);
        }
        return this;
    }

    @Override
    public HttpServerResponse header(HttpHeader name, String value) {
        if (name == HttpHeader.CONTENT_LENGTH) {
            return header("Content-Length", value);
        }
        response.add(name, value);
        return this;
    }

    @Override
    public HttpServerResponse keepAlive(boolean keep) {
        this.keepAlive = keep;
        return this;
    }

    @Override
    public boolean hasSentHeaders() {
        return state != NOT_STARTED;
    }

    boolean responseDone() {
        return state == DONE;
    }

    boolean responseStarted() {
        return state != NOT_STARTED;
    }

    /** Decides about the connection before the head is encoded. */
    private void prepareHead() {
        if (!keepAlive || owner.closeAfterResponse || owner.server.shuttingDown
                || body != null && !body.canBeDrained()) {
            response.closeConnection();
            owner.closeAfterResponse = true;
        }
    }

    // ------------------------------------------------------------------------------------------ response: sends

    @Override
    public Mono<Void> send(Publisher<? extends UringBuffer> body) {
        return new ResponseSend(this, ResponseSend.Kind.BUFFERS, Objects.requireNonNull(body, "body"), null);
    }

    @Override
    public Mono<Void> sendString(Publisher<? extends CharSequence> body) {
        return new ResponseSend(this, ResponseSend.Kind.STRINGS, Objects.requireNonNull(body, "body"), null);
    }

    @Override
    public Mono<Void> sendByteArray(Publisher<byte[]> body) {
        return new ResponseSend(this, ResponseSend.Kind.BYTES, Objects.requireNonNull(body, "body"), null);
    }

    @Override
    public Mono<Void> sendFile(Path file) {
        return new ResponseSend(this, ResponseSend.Kind.FILE, null, Objects.requireNonNull(file, "file"));
    }

    @Override
    public Mono<Void> sendNotFound() {
        return new ResponseSend(this, ResponseSend.Kind.NOT_FOUND, null, null);
    }

    @Override
    public Mono<Void> sendRedirect(String location) {
        Objects.requireNonNull(location, "location");
        return new ResponseSend(this, ResponseSend.Kind.REDIRECT, null, location);
    }

    @Override
    public Mono<Void> sendEvents(Publisher<?> events) {
        return new ResponseSend(this, ResponseSend.Kind.EVENTS, Objects.requireNonNull(events, "events"), null);
    }

    @Override
    public void respond(MemorySegment content) {
        Objects.requireNonNull(content, "body");
        if (!connection.loop().inLoop()) {
            throw new IllegalStateException("respond is for the connection's loop thread");
        }
        if (state != NOT_STARTED) {
            throw new IllegalStateException("the response was sent already");
        }
        if (owner.isClosed() || finished) {
            return;
        }
        prepareHead();
        UringBuffer out = owner.encoder.encode(head, response, content);
        state = DONE;
        persistent = response.persistent();
        bodyBytesSent = response.framing() == BodyFraming.NONE ? 0 : content.byteSize();
        connection.writeOwned(out);
        responseCompleted();
    }

    /** The whole response with {@code status} and no body (a 404, a redirect). */
    void respondEmpty(int status) {
        response.status(status);
        respond(EMPTY);
    }

    /**
     * A file as the body, spliced by the connection. Its size (the {@code Content-Length}) comes from a
     * {@code STATX} on the connection's ring, not from {@code Files.size}: a stat on the loop thread would stall
     * every connection of the loop while a slow (network, cold) file system answers. {@code then} runs once on the
     * loop: with null once the head and the file are queued, or the 404 is (a missing path, or not a regular file);
     * with the reason if the exchange was answered otherwise or its connection or loop ended meanwhile.
     */
    void respondFile(Path file, Consumer<Throwable> then) {
        FileLookup lookup;
        try {
            lookup = new FileLookup(this, file, then);
        } catch (RuntimeException e) { // the path cannot be given to the kernel (a NUL in it)
            then.accept(e);
            return;
        }
        state = FILE_PENDING;
        connection.loop().submit(lookup);
    }

    private void fileLookedUp(Path file, long size, Consumer<Throwable> then) {
        if (state != FILE_PENDING || owner.isClosed()) {
            // answered (an error) or closed while the statx was in flight: the send still ends, with why
            then.accept(owner.isClosed() ? new EOFException("the connection closed before the file was sent")
                    : new IllegalStateException("the response was answered while the file was looked up"));
            return;
        }
        state = NOT_STARTED;
        if (size < 0) {
            respondEmpty(HttpStatus.NOT_FOUND);
            then.accept(null);
            return;
        }
        prepareHead();
        response.contentLength(size);
        UringBuffer out = owner.encoder.encode(head, response);
        state = DONE;
        persistent = response.persistent();
        connection.writeOwned(out);
        if (response.framing() != BodyFraming.NONE && size > 0) {
            connection.sendFile(file, 0, size);
            bodyBytesSent = size;
        }
        responseCompleted();
        then.accept(null);
    }

    /** The statx of a file to send; its path and struct statx live in op memory the engine frees after the CQE. */
    private static final class FileLookup extends UringOperation {
        private final HttpExchange exchange;
        private final Path file;
        private final Consumer<Throwable> then;
        private final MemorySegment statx;

        FileLookup(HttpExchange exchange, Path file, Consumer<Throwable> then) {
            this.exchange = exchange;
            this.file = file;
            this.then = then;
            OpMemory memory = OpMemory.of(exchange.connection.allocator());
            try {
                statx = memory.allocate(FileStat.BUFFER_BYTES, 8);
                spec(FileOps.statx(FileFlags.AT_FDCWD, file.toString(), FileFlags.AT_STATX_SYNC_AS_STAT,
                        FileFlags.STATX_TYPE | FileFlags.STATX_SIZE, statx, memory));
            } catch (RuntimeException e) {
                memory.release();
                throw e;
            }
            attach(memory);
        }

        @Override
        protected void onCompletion(int res, int flags) {
            if ((flags & FLAG_LOOP_TERMINATED) != 0) {
                // the loop ended: the connection is closed with it, and nothing may be written any more
                then.accept(new UringCancelledException("STATX " + file, "the ring's loop ended"));
                return;
            }
            long size = -1;
            if (res == 0) {
                FileStat stat = FileStat.read(statx);
                if (stat.isRegularFile()) {
                    size = stat.size();
                }
            }
            exchange.fileLookedUp(file, size, then);
        }
    }

    /** Writes the head of a streamed body; false if the response takes no body (HEAD, 204, 304). */
    boolean startStream() {
        prepareHead();
        UringBuffer out = owner.encoder.encode(head, response);
        framing = response.framing();
        persistent = response.persistent();
        state = STREAMING;
        connection.writeOwned(out);
        return framing != BodyFraming.NONE;
    }

    /** Writes the next piece of a streamed body (copied or framed as a chunk); {@code data} stays the caller's. */
    void streamPiece(MemorySegment data) {
        long n = data.byteSize();
        if (n == 0) {
            return;
        }
        bodyBytesSent += n;
        if (framing == BodyFraming.CHUNKED) {
            connection.writeOwned(owner.encoder.encodeChunk(data));
        } else if (framing != BodyFraming.NONE) {
            UringBuffer copy = connection.allocator().allocate((int) n);
            MemorySegment.copy(data, 0, copy.segment(), 0, n);
            copy.advanceWriterIndex((int) n);
            connection.writeOwned(copy);
        }
    }

    /** Ends a streamed body. */
    void endStream() {
        if (state != STREAMING) {
            return;
        }
        if (framing == BodyFraming.CHUNKED) {
            connection.writeOwned(owner.encoder.encodeLastChunk());
        }
        state = DONE;
        responseCompleted();
    }

    void onWritable() {
        ResponseSend.BodySubscriber stream = activeStream;
        if (stream != null) {
            stream.onWritable();
        }
    }

    boolean isWritable() {
        return connection.isWritable();
    }

    /** The response is queued in full. */
    private void responseCompleted() {
        activeStream = null;
        log(response.status());
        if (requestEnded) {
            finish(persistent);
        } else if (owner.closeAfterResponse || !persistent) {
            if (body != null) {
                body.abandon();
            }
            finish(false);
        } else {
            if (body != null) {
                body.abandon(); // drop the rest of the body (up to the drain limit), then go on
            }
        }
    }

    /** The unread body grew past what may be drained: close after the response. */
    void drainExceeded() {
        owner.closeAfterResponse = true;
        if (state == DONE) {
            finish(false);
        }
    }

    private void finish(boolean keep) {
        if (finished) {
            return;
        }
        finished = true;
        owner.exchangeFinished(this, keep);
    }

    private void log(int status) {
        if (startNanos == 0) {
            return;
        }
        long micros = (System.nanoTime() - startNanos) / 1000;
        owner.server.accessLog.info("{} \"{} {} {}\" {} {} {}us", TcpConnection.describe(connection.remoteAddress()),
                head.method(), head.target(), head.version(), status, bodyBytesSent, micros);
    }

    @Override
    public String toString() {
        return head.method() + " " + head.target() + " on " + connection.describe();
    }

    /** Reactor's fatal-error check, kept in one place. */
    private static final class Exceptions {
        static void throwIfFatal(Throwable t) {
            reactor.core.Exceptions.throwIfJvmFatal(t);
        }
    }
}
