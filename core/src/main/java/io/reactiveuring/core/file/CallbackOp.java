package io.reactiveuring.core.file;

import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;

/**
 * A long-lived {@link UringOperation} whose completions go to a callback: the step ops of the file tasks (a write
 * continued after a short write, the splice pair of a copy, an open), re-submitted from their own callbacks with no
 * allocation. Loop thread only, like every completion.
 */
final class CallbackOp extends UringOperation {
    /** What a completion does. */
    @FunctionalInterface
    interface Completion {
        /**
         * @param res   the CQE's result
         * @param flags its flags, with {@link UringOperation#FLAG_LOOP_TERMINATED} when the loop ended first
         */
        void complete(int res, int flags);
    }

    private final Completion completion;

    CallbackOp(Completion completion) {
        this.completion = completion;
    }

    @Override
    protected void onCompletion(int res, int flags) {
        completion.complete(res, flags);
    }

    /**
     * Gives back memory that only the kernel used (an op's path, its output once read) at the start of the op's
     * final completion, before whatever that completion signals: a caller that sees the outcome then sees the memory
     * released (the engine's {@link UringOperation#attach attach} releases only after the completion has run). Kept,
     * never freed, if the op was quarantined (the loop ended while the kernel held it).
     *
     * @param memory the op's memory, not attached to the op
     * @param flags  the final completion's flags
     */
    static void giveBack(OwnedResource memory, int flags) {
        if (UringOperation.quarantined(flags)) {
            memory.keep();
        } else {
            memory.release();
        }
    }

    /**
     * Submits {@code op}, whose memory is not attached to it, on {@code loop}; the memory is released if the
     * submission is refused (the op then never reaches the kernel and never completes).
     */
    static void submit(UringLoop loop, CallbackOp op, OwnedResource memory) {
        try {
            loop.submit(op);
        } catch (RuntimeException | Error e) {
            memory.release();
            throw e;
        }
    }

    /** True if {@code flags} say the loop ended before the kernel answered. */
    static boolean loopEnded(int flags) {
        return (flags & FLAG_LOOP_TERMINATED) != 0;
    }
}
