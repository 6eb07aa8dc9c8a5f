package io.reactiveuring.rxjava.tcp;

import io.reactivex.rxjava3.core.Single;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A core future (a bind, a connect) as a {@link Single} that cleans up after its subscriber: RxJava's
 * {@code Single.fromCompletionStage} drops a value that arrives after a dispose, which would leave a bound server or
 * an open connection nobody holds; here such a value goes to {@code orphan} (which disposes it). Stateless.
 */
final class Stages {
    private Stages() {
    }

    static <T> Single<T> single(CompletionStage<T> stage, Consumer<? super T> orphan, Runnable onFailure) {
        return Single.create(emitter -> {
            AtomicBoolean taken = new AtomicBoolean(); // the value goes to the subscriber or to orphan, never both
            emitter.setCancellable(() -> taken.set(true));
            stage.whenComplete((value, error) -> {
                if (error != null) {
                    onFailure.run();
                    emitter.tryOnError(unwrap(error));
                } else if (taken.compareAndSet(false, true)) {
                    emitter.onSuccess(value);
                } else {
                    orphan.accept(value);
                }
            });
        });
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }
}
