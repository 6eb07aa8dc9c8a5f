package io.reactiveuring.rxjava;

import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import org.reactivestreams.Publisher;

import java.util.Objects;

/**
 * RxJava 3 views of reactive-uring core publishers. Stateless; safe from any thread. Signals arrive on the ring's
 * loop thread, as from the underlying publisher; backpressure and cancellation pass straight through.
 */
public final class RxUring {
    private RxUring() {
    }

    /** A one-shot op's publisher (one element, or an error) as a {@link Single}. */
    public static <T> Single<T> single(Publisher<T> oneShot) {
        return Flowable.fromPublisher(Objects.requireNonNull(oneShot, "publisher")).singleOrError();
    }

    /** A one-shot op's publisher as a {@link Maybe} (empty if it completes without a value). */
    public static <T> Maybe<T> maybe(Publisher<T> oneShot) {
        return Flowable.fromPublisher(Objects.requireNonNull(oneShot, "publisher")).singleElement();
    }

    /** A multishot op's publisher as a {@link Flowable}; demand from downstream arms the kernel op. */
    public static <T> Flowable<T> flowable(Publisher<T> multishot) {
        return Flowable.fromPublisher(Objects.requireNonNull(multishot, "publisher"));
    }
}
