package io.reactiveuring.core.file;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cold test publisher of buffers holding the given byte arrays, in order, honouring demand (a trampolined drain,
 * so re-entrant requests do not recurse); each buffer is made only when emitted, so nothing leaks if the stream
 * stops early. Optionally fails after the arrays instead of completing, and counts cancels.
 */
final class BufferSource implements Publisher<UringBuffer> {
    private final BufferAllocator allocator;
    private final List<byte[]> parts;
    private final Throwable failAtEnd;
    final AtomicInteger cancels = new AtomicInteger();
    final AtomicInteger emitted = new AtomicInteger();

    BufferSource(BufferAllocator allocator, List<byte[]> parts, Throwable failAtEnd) {
        this.allocator = allocator;
        this.parts = parts;
        this.failAtEnd = failAtEnd;
    }

    @Override
    public void subscribe(Subscriber<? super UringBuffer> s) {
        AtomicLong requested = new AtomicLong();
        AtomicInteger wip = new AtomicInteger();
        AtomicBoolean cancelled = new AtomicBoolean();
        int[] next = {0};
        boolean[] done = {false};
        Runnable drain = () -> {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                while (!done[0] && !cancelled.get() && requested.get() > 0 && next[0] < parts.size()) {
                    requested.decrementAndGet();
                    UringBuffer b = allocator.copyOf(parts.get(next[0]++));
                    emitted.incrementAndGet();
                    s.onNext(b);
                }
                if (!done[0] && !cancelled.get() && next[0] == parts.size()) {
                    done[0] = true;
                    if (failAtEnd != null) {
                        s.onError(failAtEnd);
                    } else {
                        s.onComplete();
                    }
                }
            } while (wip.decrementAndGet() != 0);
        };
        s.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                drain.run();
            }

            @Override
            public void cancel() {
                cancelled.set(true);
                cancels.incrementAndGet();
            }
        });
        drain.run(); // an empty source completes without demand
    }
}
