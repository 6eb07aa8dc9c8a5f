package io.reactiveuring.core.file;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The callback form of the file publishers: subscribes to a single-value publisher and hands its outcome to a
 * {@code BiConsumer} (the value and null, or null and the error), exactly once. What the file tasks use to chain
 * their steps, and what {@link UringAsynchronousFileChannel} completes its handlers with.
 *
 * <p>Threading: the callback runs on the thread the publisher signals on (the ring's loop thread for ring ops).
 * Ownership: a value handed to the callback belongs to it. Stateless.
 */
public final class Callbacks {
    private Callbacks() {
    }

    /**
     * Subscribes to {@code publisher}, requests its value, and calls {@code callback} once: with the value (or null
     * for an empty completion) and null, or with null and the error.
     *
     * @param publisher a publisher of at most one value
     * @param callback  receives the outcome
     * @param <T>       the value type
     */
    public static <T> void subscribe(Publisher<T> publisher, BiConsumer<? super T, ? super Throwable> callback) {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(callback, "callback");
        publisher.subscribe(new One<>(callback));
    }

    private static final class One<T> implements Subscriber<T> {
        private final BiConsumer<? super T, ? super Throwable> callback;
        private T value;
        private boolean done;

        One(BiConsumer<? super T, ? super Throwable> callback) {
            this.callback = callback;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(T t) {
            value = t;
        }

        @Override
        public void onError(Throwable t) {
            if (!done) {
                done = true;
                callback.accept(null, t);
            }
        }

        @Override
        public void onComplete() {
            if (!done) {
                done = true;
                T v = value;
                value = null;
                callback.accept(v, null);
            }
        }
    }
}
