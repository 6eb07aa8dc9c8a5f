package io.reactiveuring.core.engine;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group of {@link UringLoop}s, by default one per available core, with round-robin ({@link #next()}) or keyed
 * ({@link #forKey(Object)}) placement. Safe from any thread. Closing the group ends every loop.
 */
public final class UringGroup implements AutoCloseable {
    private final UringLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    /** {@code size} loops built from {@code options}; thread names get a {@code -i} suffix. */
    public UringGroup(int size, LoopOptions options) {
        Objects.requireNonNull(options, "options");
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1: " + size);
        }
        loops = new UringLoop[size];
        try {
            for (int i = 0; i < size; i++) {
                loops[i] = new UringLoop(options.withThreadName(options.threadName() + "-" + i));
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** One loop per available processor, default options. */
    public UringGroup() {
        this(Runtime.getRuntime().availableProcessors(), LoopOptions.defaults());
    }

    public int size() {
        return loops.length;
    }

    public List<UringLoop> loops() {
        return List.of(loops);
    }

    /** Round-robin placement. */
    public UringLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** The same loop for equal keys (e.g. a connection id), spread by hash. */
    public UringLoop forKey(Object key) {
        return loops[Math.floorMod(Objects.hashCode(key) * 0x9E3779B9, loops.length)];
    }

    /** The loop whose thread is the caller's, or null. */
    public UringLoop current() {
        for (UringLoop l : loops) {
            if (l != null && l.inLoop()) {
                return l;
            }
        }
        return null;
    }

    public void dispose() {
        for (UringLoop l : loops) {
            if (l != null) {
                l.dispose();
            }
        }
    }

    @Override
    public void close() {
        dispose();
        Arrays.stream(loops).filter(Objects::nonNull).forEach(UringLoop::close);
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (UringLoop l : loops) {
            if (l != null && !l.awaitTermination(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }
}
