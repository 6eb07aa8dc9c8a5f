package io.reactiveuring.core.ops;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringOperation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A test operation that records every completion (multishot ones included) in a queue, in order, and its final
 * completion in a future. An optional hook runs on the loop thread for each completion (e.g. to read a selected
 * buffer before it is recycled).
 */
class CqeRecorder extends UringOperation {
    final LinkedBlockingQueue<Cqe> cqes = new LinkedBlockingQueue<>();
    final CompletableFuture<Cqe> last = new CompletableFuture<>();
    private final Consumer<Cqe> onLoop;

    CqeRecorder(OpSpec spec) {
        this(spec, null);
    }

    CqeRecorder(OpSpec spec, Consumer<Cqe> onLoop) {
        super(spec);
        this.onLoop = onLoop;
    }

    @Override
    protected void onCompletion(int res, int flags) {
        Cqe c = new Cqe(res, flags);
        if (onLoop != null) {
            onLoop.accept(c);
        }
        cqes.add(c);
        if (!c.more()) {
            last.complete(c);
        }
    }

    /** The next completion, waiting up to 10 s. */
    Cqe next() throws InterruptedException {
        Cqe c = cqes.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "no completion within 10 s for " + describe());
        return c;
    }

    /** The final completion, waiting up to 10 s. */
    Cqe awaitFinal() throws Exception {
        return last.get(10, TimeUnit.SECONDS);
    }
}
