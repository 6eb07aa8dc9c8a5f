package io.reactiveuring.http.server;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.http.codec.HttpHeader;
import io.reactiveuring.http.codec.HttpStatus;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One send of a response, as the {@code Mono<Void>} a handler returns: subscribing it writes the body on the
 * connection's loop and completes once everything was queued. A {@code Mono.just} body (a
 * {@link Fuseable.ScalarCallable}) is read at once and written as one buffer with {@code Content-Length}; another
 * {@code Mono} is awaited and written the same way; any other {@code Publisher} is streamed, one element requested
 * at a time while the connection is writable. When the handler returns the send itself, the exchange runs it with
 * no subscription at all ({@link #claimDirect()}).
 *
 * <p>Threading: subscribable from any thread; the work runs on the loop thread. Ownership: buffers from the body
 * are released once written (or dropped).
 */
final class ResponseSend extends Mono<Void> implements Subscription {
    enum Kind { BUFFERS, STRINGS, BYTES, EVENTS, FILE, NOT_FOUND, REDIRECT }

    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    final HttpExchange exchange;
    private final Kind kind;
    private final Publisher<?> body;
    private final Object argument;
    private boolean claimed;
    private volatile boolean cancelled;
    private CoreSubscriber<? super Void> actual;
    private BodySubscriber bodySubscriber;

    ResponseSend(HttpExchange exchange, Kind kind, Publisher<?> body, Object argument) {
        this.exchange = exchange;
        this.kind = kind;
        this.body = body;
        this.argument = argument;
    }

    /** @return true if the send was not subscribed yet: the exchange then runs it directly */
    synchronized boolean claimDirect() {
        if (claimed) {
            return false;
        }
        claimed = true;
        return true;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> subscriber) {
        synchronized (this) {
            if (claimed) {
                Operators.error(subscriber, new IllegalStateException("a response send runs once"));
                return;
            }
            claimed = true;
        }
        actual = subscriber;
        subscriber.onSubscribe(this);
        exchange.owner.onLoop(this::begin);
    }

    @Override
    public void request(long n) {
        // a Mono<Void>: nothing to request
    }

    @Override
    public void cancel() {
        cancelled = true;
        BodySubscriber s = bodySubscriber;
        if (s != null) {
            s.cancelUpstream();
        }
    }

    /** Starts the send; loop thread. */
    void begin() {
        if (cancelled || exchange.owner.isClosed()) {
            return;
        }
        if (exchange.responseStarted()) {
            done(new IllegalStateException("the response was sent already"));
            return;
        }
        switch (kind) {
            case NOT_FOUND -> {
                exchange.respondEmpty(HttpStatus.NOT_FOUND);
                done(null);
            }
            case REDIRECT -> {
                exchange.header(HttpHeader.LOCATION, (String) argument);
                exchange.respondEmpty(HttpStatus.FOUND);
                done(null);
            }
            case FILE -> {
                exchange.respondFile((Path) argument, this::done);
            }
            case EVENTS -> {
                exchange.header(HttpHeader.CONTENT_TYPE, "text/event-stream");
                exchange.header(HttpHeader.CACHE_CONTROL, "no-cache");
                subscribeBody(false);
            }
            default -> {
                if (body instanceof Fuseable.ScalarCallable<?> scalar) {
                    Object value;
                    try {
                        value = scalar.call();
                    } catch (Throwable t) {
                        reactor.core.Exceptions.throwIfJvmFatal(t);
                        done(t);
                        return;
                    }
                    respondWhole(value);
                    done(null);
                } else {
                    subscribeBody(body instanceof Mono);
                }
            }
        }
    }

    private void subscribeBody(boolean single) {
        BodySubscriber s = new BodySubscriber(single);
        bodySubscriber = s;
        exchange.activeStream = single ? null : s;
        body.subscribe(s);
    }

    /** The whole body in one buffer with {@code Content-Length}. */
    private void respondWhole(Object value) {
        if (value == null) {
            exchange.respond(EMPTY);
        } else if (value instanceof UringBuffer b) {
            try {
                exchange.respond(b.readableSegment());
            } finally {
                b.release();
            }
        } else {
            exchange.respond(segmentOf(value));
        }
    }

    private MemorySegment segmentOf(Object value) {
        if (value instanceof byte[] bytes) {
            return MemorySegment.ofArray(bytes);
        }
        if (kind == Kind.EVENTS) {
            ServerSentEvent event = value instanceof ServerSentEvent e ? e : ServerSentEvent.of(String.valueOf(value));
            return MemorySegment.ofArray(event.encode().getBytes(StandardCharsets.UTF_8));
        }
        return MemorySegment.ofArray(value.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void done(Throwable failure) {
        if (failure != null) {
            exchange.sendFailed(failure);
        }
        CoreSubscriber<? super Void> a = actual;
        if (a != null && cancelled) {
            return; // a cancelled subscriber is owed nothing (an error now would only reach onErrorDropped)
        }
        if (a == null) {
            exchange.handlerDone(failure);
        } else if (failure != null) {
            a.onError(failure);
        } else {
            a.onComplete();
        }
    }

    /**
     * Subscribes the body publisher: for a {@code Mono} it keeps the value until completion; for a stream it writes
     * each element as it arrives and asks for the next while the connection is writable.
     *
     * <p>Threading: signals from any thread are handed to the loop. Ownership: holds at most one element.
     */
    final class BodySubscriber implements CoreSubscriber<Object> {
        private final boolean single;
        private Subscription upstream;
        private Object value;
        private boolean waitingWritable;
        private boolean finished;

        BodySubscriber(boolean single) {
            this.single = single;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                if (cancelled) {
                    s.cancel();
                } else {
                    s.request(single ? Long.MAX_VALUE : 1);
                }
            }
        }

        @Override
        public void onNext(Object item) {
            exchange.owner.onLoop(() -> next(item));
        }

        private void next(Object item) {
            if (finished || exchange.owner.isClosed()) {
                release(item);
                return;
            }
            if (single) {
                release(value);
                value = item;
                return;
            }
            if (!exchange.responseStarted()) {
                if (!exchange.startStream()) { // HEAD, 204, 304: no body to stream
                    release(item);
                    finished = true;
                    upstream.cancel();
                    exchange.endStream();
                    done(null);
                    return;
                }
            }
            try {
                if (item instanceof UringBuffer b) {
                    exchange.streamPiece(b.readableSegment());
                } else {
                    exchange.streamPiece(segmentOf(item));
                }
            } finally {
                release(item);
            }
            if (exchange.isWritable()) {
                upstream.request(1);
            } else {
                waitingWritable = true;
            }
        }

        void onWritable() {
            if (waitingWritable && !finished) {
                waitingWritable = false;
                upstream.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            exchange.owner.onLoop(() -> {
                if (finished) {
                    return;
                }
                finished = true;
                release(value);
                value = null;
                done(t);
            });
        }

        @Override
        public void onComplete() {
            exchange.owner.onLoop(() -> {
                if (finished || exchange.owner.isClosed()) {
                    return;
                }
                finished = true;
                if (single || !exchange.responseStarted()) {
                    Object v = value;
                    value = null;
                    respondWhole(v);
                } else {
                    exchange.endStream();
                }
                done(null);
            });
        }

        void cancelUpstream() {
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }

        void connectionClosed(Throwable cause) {
            if (!finished) {
                finished = true;
                cancelUpstream();
                release(value);
                value = null;
                CoreSubscriber<? super Void> a = actual;
                if (a != null) {
                    a.onError(cause);
                }
            }
        }

        private void release(Object item) {
            if (item instanceof UringBuffer b && b.refCnt() > 0) {
                b.release();
            }
        }
    }
}
