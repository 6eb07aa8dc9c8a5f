package io.reactiveuring.core.buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tracks every live {@link UringBuffer} memory of the allocators it is given to, with the stack of the call that
 * allocated (or borrowed) it, so a test can ask which buffers were never released. Give it to
 * {@link BufferAllocator#pooled(LeakDetector)} and call {@link #assertNoLeaks()} at the end of the test.
 *
 * <p>Recording a stack per allocation is slow: use it in tests, not in production. In production the allocators'
 * sampled {@link LeakDetection} reports buffers that became unreachable unreleased; this detector instead refers to
 * every live buffer, so it finds those still reachable too (and none of its buffers ever becomes unreachable). A
 * buffer and its slices share one memory and so one entry.
 *
 * <p>Threading: thread-safe; buffers may be allocated and released on any thread. Ownership: it refers to the
 * memory of live buffers but owns none; an entry is dropped at the buffer's final release.
 */
public final class LeakDetector {
    /**
     * A buffer still live: what it was and where it was allocated.
     *
     * @param description the buffer's size and kind
     * @param allocationSite a throwable whose stack is the allocating call's
     */
    public record Leak(String description, Throwable allocationSite) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(description).append(" allocated at");
            for (StackTraceElement e : allocationSite.getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
            return sb.toString();
        }
    }

    private final Map<Object, Leak> live = new ConcurrentHashMap<>();

    /** A detector tracking nothing yet; it starts tracking once an allocator made with it allocates. */
    public LeakDetector() {
    }

    void track(Object memory, String description) {
        live.put(memory, new Leak(description, new Throwable("allocation site")));
    }

    void untrack(Object memory) {
        live.remove(memory);
    }

    /** Buffers allocated through an allocator using this detector and not yet released (snapshot). */
    public List<Leak> leaks() {
        return new ArrayList<>(live.values());
    }

    /** Number of live buffers now. */
    public int liveCount() {
        return live.size();
    }

    /**
     * Returns normally if every tracked buffer was released; otherwise throws an {@link AssertionError} that lists
     * each live buffer with its allocation stack.
     */
    public void assertNoLeaks() {
        List<Leak> leaks = leaks();
        if (leaks.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(leaks.size() + " buffer(s) never released:");
        for (Leak l : leaks) {
            sb.append('\n').append(l);
        }
        throw new AssertionError(sb.toString());
    }

    /** Forgets every tracked buffer (between tests that share a detector). */
    public void reset() {
        live.clear();
    }
}
