package io.reactiveuring.core.file;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cold publisher of one direct syscall, made on the requesting thread at the first {@code request(n > 0)} (or,
 * for a request made inside {@code onSubscribe}, right after it returned): the fallback for what a ring cannot do on
 * this kernel ({@code ftruncate} before 6.9). The call blocks that thread for as long as the kernel takes.
 *
 * <p>Threading: signals on the thread that runs the call. Ownership: nothing held.
 *
 * @param <T> the value
 */
final class SyscallPublisher<T> implements Publisher<T> {
    private final Callable<T> call;

    SyscallPublisher(Callable<T> call) {
        this.call = Objects.requireNonNull(call, "call");
    }

    @Override
    public void subscribe(Subscriber<? super T> s) {
        Objects.requireNonNull(s, "subscriber");
        Run<T> run = new Run<>(call, s);
        s.onSubscribe(run);
        run.subscribed();
    }

    private static final class Run<T> implements Subscription {
        private static final int SUBSCRIBING = 0;
        private static final int REQUESTED_EARLY = 1;
        private static final int READY = 2;
        private static final int DONE = 3;

        private final Callable<T> call;
        private final Subscriber<? super T> actual;
        private final AtomicInteger state = new AtomicInteger(SUBSCRIBING);

        Run(Callable<T> call, Subscriber<? super T> actual) {
            this.call = call;
            this.actual = actual;
        }

        void subscribed() {
            if (!state.compareAndSet(SUBSCRIBING, READY) && state.compareAndSet(REQUESTED_EARLY, DONE)) {
                execute();
            }
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                int s = state.get();
                if (s != DONE && state.getAndSet(DONE) != DONE) {
                    actual.onError(new IllegalArgumentException("§3.9: request must be positive, was " + n));
                }
                return;
            }
            if (state.compareAndSet(SUBSCRIBING, REQUESTED_EARLY)) {
                return; // run once onSubscribe has returned (§1.3)
            }
            if (state.compareAndSet(READY, DONE)) {
                execute();
            }
        }

        @Override
        public void cancel() {
            state.set(DONE);
        }

        private void execute() {
            T value;
            try {
                value = call.call();
            } catch (Throwable t) {
                actual.onError(t);
                return;
            }
            actual.onNext(value);
            actual.onComplete();
        }
    }
}
