package io.reactiveuring.core.ops;

import io.reactiveuring.core.engine.OpSpec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A {@link FdResultOperation} that records what it is given (fds it then owns, or errors). */
class FdRecorder extends FdResultOperation {
    final LinkedBlockingQueue<Cqe> cqes = new LinkedBlockingQueue<>();
    final CompletableFuture<Cqe> last = new CompletableFuture<>();

    FdRecorder(OpSpec spec) {
        super(spec);
    }

    @Override
    protected void onFdCompletion(int res, int flags) {
        Cqe c = new Cqe(res, flags);
        cqes.add(c);
        if (!c.more()) {
            last.complete(c);
        }
    }

    Cqe next() throws InterruptedException {
        Cqe c = cqes.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "no completion within 10 s for " + describe());
        return c;
    }

    Cqe awaitFinal() throws Exception {
        return last.get(10, TimeUnit.SECONDS);
    }
}
