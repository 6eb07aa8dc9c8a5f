package io.reactiveuring.core.file;

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

    /** True if {@code flags} say the loop ended before the kernel answered. */
    static boolean loopEnded(int flags) {
        return (flags & FLAG_LOOP_TERMINATED) != 0;
    }
}
