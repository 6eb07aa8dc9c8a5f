package io.reactiveuring.core.engine;

import java.util.concurrent.CompletableFuture;

/** A test operation that records its final completion (res, flags, thread) in a future. */
public class RecordingOperation extends UringOperation {
    public final CompletableFuture<int[]> done = new CompletableFuture<>();
    public volatile Thread completionThread;
    public volatile int completionCount;

    public RecordingOperation(OpSpec spec) {
        super(spec);
    }

    @Override
    protected void onCompletion(int res, int flags) {
        completionCount++;
        completionThread = Thread.currentThread();
        if (!hasMore(flags)) {
            done.complete(new int[] {res, flags});
        }
    }

    /** The final res, waiting up to 10 s. */
    public int awaitRes() throws Exception {
        return done.get(10, java.util.concurrent.TimeUnit.SECONDS)[0];
    }
}
