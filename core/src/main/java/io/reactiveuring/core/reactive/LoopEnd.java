package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringCancelledException;

/**
 * The one error every publisher gives a subscriber whose ring's loop has ended (or is ending) before the op could
 * run: a {@link UringCancelledException}, whatever else went wrong on the way (an allocator closed with the rings,
 * a refused submission), so that callers see the documented cancellation and nothing else. Stateless.
 */
final class LoopEnd {
    private LoopEnd() {
    }

    /** The cancellation for {@code op}; {@code cause} (may be null) is what the ended loop made fail. */
    static UringCancelledException error(String op, Throwable cause) {
        UringCancelledException e = new UringCancelledException(op, "the ring's loop has ended");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
