package io.reactiveuring.core.tcp;

import io.reactiveuring.core.buffer.UringBuffer;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A {@link TcpConnection} as Reactive Streams, for the shells (Reactor, RxJava): a {@link ConnectionHandler} that
 * turns the connection's callbacks into an {@link #inbound()} publisher of received buffers whose demand is the
 * connection's read demand, and takes publishers of buffers to send ({@link #send}) whose completion is "everything
 * was handed to the kernel". Give {@code c -> new ReactiveConnection(onOpen)} to a server or client as the handler
 * factory; {@code onOpen} runs on the connection's loop once it is open.
 *
 * <p>Inbound: one subscriber. Each received buffer is lent for its {@code onNext} only and released right after it
 * (a use after that fails with {@link IllegalStateException}); {@link UringBuffer#retain()} to keep it (memory of
 * the loop's provided-buffer ring is then copied). The end of stream completes it; a reset is a
 * {@link io.reactiveuring.core.UringPrematureCloseException}; the connection's close (its cause, or completion for an orderly close) ends it
 * too. Cancelling it pauses reading. After the end of stream the connection closes once no send is running (what was
 * queued is still sent).
 *
 * <p>Outbound: {@link #send} subscribes to the given publisher when its own result is subscribed to, requests a few
 * buffers at a time and more only while the connection is writable (below its high watermark), writes each buffer
 * (taking over the publisher's reference) and completes once the last one was sent; an error of the source, or the
 * connection closing first, is its error. Sends run in the order they were subscribed.
 *
 * <p>Threading: every signal is delivered on the connection's loop thread; subscribe and request from any thread.
 * Ownership: buffers taken from a sent publisher belong to the connection (released once sent or when it closes).
 */
public final class ReactiveConnection implements ConnectionHandler {
    /** Buffers requested from a sent publisher at a time; more are asked for once half were written. */
    static final int SEND_PREFETCH = 16;

    private final Consumer<? super ReactiveConnection> onOpen;
    private volatile TcpConnection connection;
    private InboundSubscription inbound;
    private boolean inboundTaken;
    private boolean ended;
    private boolean closed;
    private Throwable closeCause;
    private final List<Sender> senders = new ArrayList<>(2);
    private final List<Subscriber<? super Void>> closeWatchers = new ArrayList<>(1);

    /**
     * @param onOpen runs on the loop once the connection is open (start reading and sending from there)
     */
    public ReactiveConnection(Consumer<? super ReactiveConnection> onOpen) {
        this.onOpen = Objects.requireNonNull(onOpen, "onOpen");
    }

    /** @return the connection (null before it opened) */
    public TcpConnection connection() {
        return connection;
    }

    // ------------------------------------------------------------------------------------------ ConnectionHandler

    @Override
    public void onOpen(TcpConnection c) {
        this.connection = c;
        c.receiveBuffersReused(false);
        onOpen.accept(this);
    }

    @Override
    public void onData(TcpConnection c, UringBuffer data) {
        InboundSubscription s = inbound;
        if (s != null) {
            s.onData(data);
        }
    }

    /**
     * The peer's end of stream: the inbound completes, and the connection closes once no send is running any more
     * (what was queued is still sent), as Reactor Netty does without half-closure.
     */
    @Override
    public void onEnd(TcpConnection c) {
        ended = true;
        InboundSubscription s = inbound;
        if (s != null) {
            s.terminate(null);
        }
        closeIfEndedAndIdle();
    }

    private void closeIfEndedAndIdle() {
        if (ended && senders.isEmpty() && !closed) {
            connection.close();
        }
    }

    @Override
    public void onWritable(TcpConnection c) {
        for (Sender s : List.copyOf(senders)) {
            s.requestMore();
        }
    }

    @Override
    public void onClose(TcpConnection c, Throwable cause) {
        closed = true;
        closeCause = cause;
        InboundSubscription s = inbound;
        if (s != null) {
            s.terminate(cause);
        }
        for (Sender sender : List.copyOf(senders)) {
            sender.connectionClosed(cause);
        }
        for (Subscriber<? super Void> w : closeWatchers) {
            w.onComplete();
        }
        closeWatchers.clear();
    }

    // ------------------------------------------------------------------------------------------ publishers

    /**
     * @return the received bytes, one buffer per receive, following demand; a single subscriber (a second one gets
     * an {@link IllegalStateException})
     */
    public Publisher<UringBuffer> inbound() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            onLoop(() -> subscribeInbound(subscriber), () -> rejected(subscriber));
        };
    }

    private void subscribeInbound(Subscriber<? super UringBuffer> subscriber) {
        if (inboundTaken) {
            subscriber.onSubscribe(NO_OP);
            subscriber.onError(new IllegalStateException("a connection's inbound takes one subscriber"));
            return;
        }
        inboundTaken = true;
        InboundSubscription s = new InboundSubscription(subscriber);
        inbound = s;
        subscriber.onSubscribe(s);
        if (closed) {
            s.terminate(closeCause);
        } else if (ended) {
            s.terminate(null);
        }
    }

    /**
     * @param data the buffers to send; each one's reference is taken over
     * @return a cold publisher: subscribing sends {@code data} and completes once it was all sent
     */
    public Publisher<Void> send(Publisher<? extends UringBuffer> data) {
        Objects.requireNonNull(data, "data");
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            Sender sender = new Sender(subscriber);
            subscriber.onSubscribe(sender);
            data.subscribe(sender);
        };
    }

    /**
     * @param file     the file
     * @param position where to start
     * @param count    how many bytes ({@code Long.MAX_VALUE}: to its end)
     * @return a cold publisher: subscribing queues the file ({@link TcpConnection#sendFile(Path, long, long)}) and
     * completes once it was sent
     */
    public Publisher<Void> sendFile(Path file, long position, long count) {
        Objects.requireNonNull(file, "file");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("position and count must not be negative: " + position + ", " + count);
        }
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            AtomicBoolean cancelled = new AtomicBoolean();
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
            onLoop(() -> {
                if (closed) {
                    subscriber.onError(closedError(closeCause));
                    return;
                }
                connection.sendFile(file, position, count);
                connection.whenSent((c, failure) -> {
                    if (!cancelled.get()) {
                        if (failure == null) {
                            subscriber.onComplete();
                        } else {
                            subscriber.onError(failure);
                        }
                    }
                });
            }, () -> rejected(subscriber));
        };
    }

    /** @return completes (on the loop thread) once the connection has closed, whatever the cause */
    public Publisher<Void> onClose() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            subscriber.onSubscribe(NO_OP);
            onLoop(() -> {
                if (closed) {
                    subscriber.onComplete();
                } else {
                    closeWatchers.add(subscriber);
                }
            }, subscriber::onComplete);
        };
    }

    /** @return why the connection closed (null while open or after an orderly close); loop thread */
    public Throwable closeCause() {
        return closeCause;
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static final Subscription NO_OP = new Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private void onLoop(Runnable task, Runnable ifLoopEnded) {
        if (connection.loop.inLoop()) {
            task.run();
            return;
        }
        try {
            connection.loop.execute(task);
        } catch (RejectedExecutionException e) {
            ifLoopEnded.run();
        }
    }

    private static void rejected(Subscriber<?> subscriber) {
        subscriber.onSubscribe(NO_OP);
        subscriber.onError(new io.reactiveuring.core.UringCancelledException("TCP connection",
                "the ring's loop has ended"));
    }

    private static Throwable closedError(Throwable cause) {
        return cause != null ? cause : new ClosedChannelException();
    }

    private void report(Throwable t) {
        try {
            connection.loop.options().errorHook().accept(t);
        } catch (RuntimeException ignored) {
            // the hook itself failed
        }
    }

    /** The inbound's one subscription; loop thread, except request and cancel. */
    private final class InboundSubscription implements Subscription {
        private final Subscriber<? super UringBuffer> actual;
        private volatile boolean cancelled;
        private boolean done;

        InboundSubscription(Subscriber<? super UringBuffer> actual) {
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                onLoop(() -> {
                    cancel();
                    terminate(new IllegalArgumentException("§3.9: request must be positive, was " + n));
                }, () -> { });
                return;
            }
            if (!cancelled) {
                connection.requestRead(n);
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                connection.pauseReading();
            }
        }

        void onData(UringBuffer data) {
            if (cancelled || done) {
                return;
            }
            try {
                actual.onNext(data);
            } catch (Throwable t) {
                cancel(); // §2.13: a subscriber that throws has broken the contract
                report(t);
            }
        }

        void terminate(Throwable cause) {
            if (done) {
                return;
            }
            done = true;
            if (cancelled && !(cause instanceof IllegalArgumentException)) {
                return;
            }
            try {
                if (cause == null) {
                    actual.onComplete();
                } else {
                    actual.onError(cause);
                }
            } catch (Throwable t) {
                report(t);
            }
        }
    }

    /** One sent publisher: requests while the connection is writable, completes when its last buffer was sent. */
    private final class Sender implements Subscriber<UringBuffer>, Subscription, WriteCallback {
        private final Subscriber<? super Void> downstream;
        private final MpscUnboundedAtomicArrayQueue<UringBuffer> offLoop = new MpscUnboundedAtomicArrayQueue<>(16);
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private final Runnable drain = this::drain;
        private volatile boolean cancelled;
        private Subscription upstream;
        // loop thread
        private long requested;
        private long received;
        private boolean completed;
        private boolean done;

        Sender(Subscriber<? super Void> downstream) {
            this.downstream = downstream;
        }

        // ---- from the source
        @Override
        public void onSubscribe(Subscription s) {
            onLoop(() -> {
                if (upstream != null || cancelled || closed) {
                    s.cancel();
                    if (!cancelled && closed) {
                        finish(closedError(closeCause));
                    }
                    return;
                }
                upstream = s;
                senders.add(this);
                requestMore();
            }, () -> {
                s.cancel();
                finish(new io.reactiveuring.core.UringCancelledException("TCP send", "the ring's loop has ended"));
            });
        }

        @Override
        public void onNext(UringBuffer buffer) {
            if (connection.loop.inLoop()) {
                if (!offLoop.isEmpty()) {
                    drain(); // keep the order of buffers that arrived from other threads
                }
                write(buffer);
            } else {
                offLoop.offer(buffer);
                scheduleDrain();
            }
        }

        @Override
        public void onError(Throwable t) {
            onLoop(() -> {
                drain();
                finish(t);
            }, () -> finish(t));
        }

        @Override
        public void onComplete() {
            onLoop(() -> {
                drain();
                if (done) {
                    return;
                }
                completed = true;
                connection.whenSent(this);
            }, () -> finish(new io.reactiveuring.core.UringCancelledException("TCP send",
                    "the ring's loop has ended")));
        }

        // ---- to the downstream (a Publisher<Void>)
        @Override
        public void request(long n) {
            // nothing is emitted but the end
        }

        @Override
        public void cancel() {
            cancelled = true;
            onLoop(() -> {
                done = true;
                senders.remove(this);
                Subscription s = upstream;
                if (s != null) {
                    s.cancel();
                }
                drain();
            }, () -> { });
        }

        @Override
        public void onSent(TcpConnection c, Throwable failure) {
            finish(failure);
        }

        // ---- loop thread
        private void scheduleDrain() {
            if (drainScheduled.compareAndSet(false, true)) {
                try {
                    connection.loop.execute(drain);
                } catch (RejectedExecutionException e) {
                    drainScheduled.set(false);
                    UringBuffer b;
                    while ((b = offLoop.poll()) != null) {
                        b.release();
                    }
                }
            }
        }

        private void drain() {
            drainScheduled.set(false);
            UringBuffer b;
            while ((b = offLoop.poll()) != null) {
                write(b);
            }
        }

        private void write(UringBuffer buffer) {
            received++;
            if (done || closed) {
                buffer.release();
                return;
            }
            connection.writeOwned(buffer);
            requestMore();
        }

        void requestMore() {
            Subscription s = upstream;
            if (s == null || done || completed || closed || !connection.isWritable()) {
                return;
            }
            long outstanding = requested - received;
            if (outstanding <= SEND_PREFETCH / 2) {
                long n = SEND_PREFETCH - outstanding;
                requested += n;
                s.request(n);
            }
        }

        void connectionClosed(Throwable cause) {
            Subscription s = upstream;
            if (s != null && !completed) {
                s.cancel();
            }
            drain();
            finish(closedError(cause));
        }

        private void finish(Throwable failure) {
            if (done) {
                return;
            }
            done = true;
            senders.remove(this);
            if (!cancelled) {
                try {
                    if (failure == null) {
                        downstream.onComplete();
                    } else {
                        downstream.onError(failure);
                    }
                } catch (Throwable t) {
                    report(t);
                }
            }
            closeIfEndedAndIdle();
        }
    }
}
