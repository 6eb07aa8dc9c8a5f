package io.reactiveuring.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group of {@link UringLoop}s, by default one per available core, and how work is placed on them: a caller already
 * on one of the loop threads stays on that ring ({@link #pick()}), anyone else goes round robin ({@link #next()}),
 * or by key ({@link #forKey(Object)}). Either made with its own loops, or over existing ones ({@link #of}).
 *
 * <p>Threading: every method from any thread. Ownership: closing (or disposing) the group ends every loop in it,
 * including those given to {@link #of}.
 */
public final class UringGroup implements LoopPlacement, AutoCloseable {
    private final UringLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * {@code size} loops built from {@code options}; thread names get a {@code -i} suffix.
     *
     * @param size    how many loops
     * @param options how to build each
     * @throws io.reactiveuring.core.UringUnavailableException if io_uring cannot be set up
     */
    public UringGroup(int size, LoopOptions options) {
        Objects.requireNonNull(options, "options");
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1: " + size);
        }
        UringLoop[] made = new UringLoop[size];
        try {
            for (int i = 0; i < size; i++) {
                made[i] = new UringLoop(options.withThreadName(options.threadName() + "-" + i));
            }
        } catch (RuntimeException | Error e) {
            for (UringLoop l : made) {
                if (l != null) {
                    l.close();
                }
            }
            throw e;
        }
        this.loops = made;
    }

    /** One loop per available processor, default options. */
    public UringGroup() {
        this(Runtime.getRuntime().availableProcessors(), LoopOptions.defaults());
    }

    private UringGroup(UringLoop[] loops) {
        this.loops = loops;
    }

    /**
     * A group over existing loops (which it then ends when closed or disposed).
     *
     * @param loops at least one loop
     * @return the group
     */
    public static UringGroup of(List<UringLoop> loops) {
        Objects.requireNonNull(loops, "loops");
        if (loops.isEmpty()) {
            throw new IllegalArgumentException("no loops");
        }
        return new UringGroup(loops.stream().map(l -> Objects.requireNonNull(l, "loop")).toArray(UringLoop[]::new));
    }

    /**
     * A group of one existing loop.
     *
     * @param loop the loop
     * @return the group
     */
    public static UringGroup of(UringLoop loop) {
        return of(List.of(loop));
    }

    /** @return how many loops */
    public int size() {
        return loops.length;
    }

    /** @return the loops, in order */
    public List<UringLoop> loops() {
        return List.of(loops);
    }

    /**
     * @param index in {@code [0, size())}
     * @return that loop
     */
    public UringLoop loop(int index) {
        return loops[index];
    }

    /** @return the next loop in turn (round robin) */
    public UringLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** @return the caller's own loop if it runs on one of them, else the next in turn */
    @Override
    public UringLoop pick() {
        return loops[pickIndex()];
    }

    /** @return the index of {@link #pick()}'s loop */
    public int pickIndex() {
        if (loops.length == 1) {
            return 0;
        }
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inLoop()) {
                return i;
            }
        }
        return Math.floorMod(next.getAndIncrement(), loops.length);
    }

    /**
     * @param key e.g. a connection id
     * @return the same loop for equal keys, spread by hash
     */
    public UringLoop forKey(Object key) {
        return loops[Math.floorMod(Objects.hashCode(key) * 0x9E3779B9, loops.length)];
    }

    /** @return the loop whose thread is the caller's, or null */
    public UringLoop current() {
        for (UringLoop l : loops) {
            if (l.inLoop()) {
                return l;
            }
        }
        return null;
    }

    /**
     * The placement of just {@code loop}, for work that only that ring can run (its registered buffers).
     *
     * @param loop one of these loops
     * @return its placement
     * @throws IllegalArgumentException if {@code loop} is not one of these
     */
    public LoopPlacement pinnedTo(UringLoop loop) {
        Objects.requireNonNull(loop, "loop");
        for (UringLoop l : loops) {
            if (l == loop) {
                return LoopPlacement.of(loop);
            }
        }
        throw new IllegalArgumentException("not one of these rings: " + loop);
    }

    /**
     * Runs {@code action} once every loop has ended completely ({@link UringLoop#onTerminated()}: their rings closed
     * and unmapped): on the thread of the last loop to end, or at once. A failing action is logged.
     *
     * @param action what to run
     */
    public void whenAllTerminated(Runnable action) {
        Objects.requireNonNull(action, "action");
        onTerminated().thenRun(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                UringLoop.LOG.log(System.Logger.Level.ERROR, "an action run after the loops ended failed", e);
            }
        });
    }

    /** @return completes once every loop has ended completely, rings closed and unmapped */
    public CompletableFuture<Void> onTerminated() {
        CompletableFuture<?>[] ends = new CompletableFuture<?>[loops.length];
        for (int i = 0; i < loops.length; i++) {
            ends[i] = loops[i].onTerminated();
        }
        return CompletableFuture.allOf(ends);
    }

    /** Asks every loop to end; returns at once (callable from a loop thread). */
    public void dispose() {
        for (UringLoop l : loops) {
            l.dispose();
        }
    }

    /** @return true once every loop has been asked to end */
    public boolean isDisposed() {
        for (UringLoop l : loops) {
            if (!l.isShuttingDown()) {
                return false;
            }
        }
        return true;
    }

    /** Ends every loop and waits for each (unless called on one of them). */
    @Override
    public void close() {
        dispose();
        for (UringLoop l : loops) {
            l.close();
        }
    }

    /**
     * Waits until every loop has ended.
     *
     * @param timeout how long at most, for all of them
     * @return true if they did within {@code timeout}
     * @throws InterruptedException if interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (UringLoop l : loops) {
            if (!l.awaitTermination(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "UringGroup(" + loops.length + " ring" + (loops.length == 1 ? "" : "s") + ")";
    }
}
