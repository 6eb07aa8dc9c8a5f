package io.reactiveuring.core.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link OwnedResource} that records when the engine releases it: how often, on which thread, and then runs
 * an optional action (e.g. closing the arena that holds the buffer) before it reports the release.
 */
public final class ReleaseRecorder implements OwnedResource {
    public final AtomicInteger releases = new AtomicInteger();
    public final CompletableFuture<Thread> released = new CompletableFuture<>();
    private final Runnable then;

    public ReleaseRecorder(Runnable then) {
        this.then = then;
    }

    public ReleaseRecorder() {
        this(() -> { });
    }

    public boolean isReleased() {
        return releases.get() > 0;
    }

    @Override
    public void release() {
        then.run(); // first, so that whoever waits on `released` sees its effects
        releases.incrementAndGet();
        released.complete(Thread.currentThread());
    }
}
