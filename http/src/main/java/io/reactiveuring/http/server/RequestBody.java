package io.reactiveuring.http.server;

import io.reactiveuring.core.buffer.UringBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Operators;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * A request's body as a {@code Publisher} of buffers lent for each {@code onNext} (released right after it): bytes
 * the decoder delivers go straight to the subscriber while it has demand, as a borrowed view of the receive buffer;
 * otherwise they are copied into a queue and the connection stops reading until demand comes back. Bytes nobody
 * reads (no subscriber by the end of the response, or a cancelled one) are dropped, up to
 * {@link HttpServerOptions#maxDrainBytes()}; past that the connection closes.
 *
 * <p>Threading: the state is the loop thread's; {@code subscribe}, {@code request} and {@code cancel} from other
 * threads are handed to it. Ownership: owns the queued copies until delivered (then the subscriber's for the call)
 * or dropped.
 */
final class RequestBody implements Publisher<UringBuffer>, Subscription {
    private static final Runnable NOTHING = () -> { };

    private final HttpExchange exchange;
    private final HttpServerConnection owner;
    private final long maxDrain;
    private Subscriber<? super UringBuffer> subscriber;
    private ArrayDeque<UringBuffer> queue;
    private long demand;
    private long received;
    private long drained;
    private boolean ended;
    private boolean terminated;
    private boolean cancelled;
    private boolean draining;
    private boolean emitting;
    private boolean continueSent;
    private Throwable error;

    RequestBody(HttpExchange exchange) {
        this.exchange = exchange;
        this.owner = exchange.owner;
        this.maxDrain = owner.server.options.maxDrainBytes();
    }

    void markEmpty() {
        ended = true;
    }

    // ------------------------------------------------------------------------------------------ Publisher

    @Override
    public void subscribe(Subscriber<? super UringBuffer> s) {
        owner.onLoop(() -> subscribed(s));
    }

    private void subscribed(Subscriber<? super UringBuffer> s) {
        if (subscriber != null) {
            Operators.error(s, new IllegalStateException("a request body takes one subscriber"));
            return;
        }
        subscriber = s;
        s.onSubscribe(this);
        if (draining && !ended && error == null) {
            terminated = true;
            s.onError(new IllegalStateException("the request body was dropped: the response was sent before it was "
                    + "read"));
            return;
        }
        if (!ended && error == null && exchange.head.expectsContinue() && !continueSent
                && !exchange.responseStarted()) {
            continueSent = true;
            exchange.connection.writeOwned(owner.encoder.encodeContinue());
        }
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            owner.onLoop(() -> fail(new IllegalArgumentException("§3.9: demand must be positive: " + n)));
            return;
        }
        owner.onLoop(() -> {
            demand = Operators.addCap(demand, n);
            drain();
        });
    }

    @Override
    public void cancel() {
        owner.onLoop(() -> {
            if (!cancelled) {
                cancelled = true;
                startDraining();
            }
        });
    }

    // ------------------------------------------------------------------------------------------ from the decoder

    /** The next body bytes, valid during the call; {@code feed} is the receive they lie in (or null). */
    void onBytes(MemorySegment bytes, UringBuffer feed) {
        long n = bytes.byteSize();
        received += n;
        if (draining || terminated) {
            drained += n;
            if (drained > maxDrain) {
                exchange.drainExceeded();
            }
            return;
        }
        if (subscriber != null && demand > 0 && (queue == null || queue.isEmpty()) && !emitting) {
            UringBuffer lent = bytes.isNative() ? exchange.connection.allocator().borrow(bytes, NOTHING)
                    : copy(bytes);
            demand--;
            emitting = true;
            try {
                subscriber.onNext(lent);
            } finally {
                emitting = false;
                lent.release();
            }
            return;
        }
        if (queue == null) {
            queue = new ArrayDeque<>();
        }
        queue.add(copy(bytes));
        owner.bodyBlocksReading(true);
    }

    private UringBuffer copy(MemorySegment bytes) {
        int n = (int) bytes.byteSize();
        UringBuffer b = exchange.connection.allocator().allocate(n);
        MemorySegment.copy(bytes, 0, b.segment(), 0, n);
        b.advanceWriterIndex(n);
        return b;
    }

    void ended() {
        ended = true;
        drain();
    }

    void fail(Throwable e) {
        if (terminated) {
            return;
        }
        terminated = true;
        error = e;
        releaseQueue();
        if (subscriber != null && !cancelled) {
            subscriber.onError(e);
        }
    }

    /** The response is complete: a body nobody reads is dropped from now on. */
    void abandon() {
        if (subscriber == null || cancelled || terminated) {
            startDraining();
        }
    }

    /**
     * Whether the rest of the body can be dropped without reading too much: false if more than the drain limit is
     * announced, or if the client waits for a {@code 100 Continue} it never got (it may never send the body).
     */
    boolean canBeDrained() {
        if (ended) {
            return true;
        }
        if (exchange.head.expectsContinue() && !continueSent) {
            return false;
        }
        long length = exchange.head.contentLength();
        return length < 0 || length - received <= maxDrain || subscriber != null && !cancelled;
    }

    private void startDraining() {
        if (draining) {
            return;
        }
        draining = true;
        if (queue != null) {
            for (UringBuffer b : queue) {
                drained += b.readableBytes();
            }
        }
        releaseQueue();
        owner.bodyBlocksReading(false);
        if (!ended && (drained > maxDrain || exchange.head.expectsContinue() && !continueSent)) {
            exchange.drainExceeded();
        }
    }

    private void releaseQueue() {
        if (queue != null) {
            UringBuffer b;
            while ((b = queue.poll()) != null) {
                b.release();
            }
        }
    }

    private void drain() {
        if (emitting || subscriber == null || cancelled || terminated) {
            return;
        }
        emitting = true;
        try {
            while (demand > 0 && queue != null && !queue.isEmpty() && !cancelled) {
                UringBuffer b = queue.poll();
                demand--;
                try {
                    subscriber.onNext(b);
                } finally {
                    b.release();
                }
            }
        } finally {
            emitting = false;
        }
        if (cancelled || terminated) {
            return;
        }
        if (queue == null || queue.isEmpty()) {
            if (ended) {
                terminated = true;
                subscriber.onComplete();
            } else if (demand > 0) {
                owner.bodyBlocksReading(false);
            }
        }
    }
}
