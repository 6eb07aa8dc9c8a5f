package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class NopTest {
    UringLoop loop;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("nop-test"));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.staleCompletions(), "stale completions");
            assertEquals(0, loop.inFlight(), "slots still in flight");
        }
    }

    @Test
    void nopFromForeignThreadCompletesWithZeroOnLoopThread() throws Exception {
        RecordingOperation op = new RecordingOperation(OpSpec.nop());
        loop.submit(op);
        assertEquals(0, op.awaitRes());
        assertSame(loop.thread(), op.completionThread);
        assertEquals(1, op.completionCount);
    }

    @Test
    void nopFromLoopThreadCompletesInSameLoop() throws Exception {
        RecordingOperation op = new RecordingOperation(OpSpec.nop());
        loop.execute(() -> loop.submit(op));
        assertEquals(0, op.awaitRes());
        assertSame(loop.thread(), op.completionThread);
    }

    @Test
    void eightForeignThreadsEachGetEveryCompletionExactlyOnce() throws Exception {
        int threads = 8;
        int perThread = 20_000;
        AtomicLong total = new AtomicLong();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            Thread th = new Thread(() -> {
                try {
                    // 16 in flight per thread, each completion counted once
                    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(16);
                    CountDownLatch all = new CountDownLatch(perThread);
                    for (int i = 0; i < perThread; i++) {
                        window.acquire();
                        loop.submit(new UringOperation(OpSpec.nop()) {
                            boolean seen;

                            @Override
                            protected void onCompletion(int res, int flags) {
                                assertFalse(seen, "second completion");
                                seen = true;
                                if (res == 0) {
                                    total.incrementAndGet();
                                }
                                all.countDown();
                                window.release();
                            }
                        });
                    }
                    assertTrue(all.await(30, TimeUnit.SECONDS));
                    f.complete(null);
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
            th.start();
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertEquals((long) threads * perThread, total.get());
        assertEquals(0, loop.callbackErrors());
    }
}
