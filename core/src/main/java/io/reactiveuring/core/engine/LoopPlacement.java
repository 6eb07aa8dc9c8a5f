package io.reactiveuring.core.engine;

import java.util.Objects;

/**
 * Which ring new work goes to: a single loop ({@link #of(UringLoop)}), or a {@link UringGroup}, which keeps a caller
 * that already runs on one of its loop threads on that ring (its SQE joins the batch of the next
 * {@code io_uring_enter}, no hand-off) and spreads every other caller round robin.
 *
 * <p>Threading: {@link #pick()} from any thread. Ownership: a placement does not own its loops.
 */
@FunctionalInterface
public interface LoopPlacement {
    /** @return the loop the caller's next op goes to */
    UringLoop pick();

    /**
     * Always {@code loop}.
     *
     * @param loop the ring
     * @return the placement
     */
    static LoopPlacement of(UringLoop loop) {
        Objects.requireNonNull(loop, "loop");
        return () -> loop;
    }
}
