package io.reactiveuring.core.ops;

import io.reactiveuring.core.engine.UringOperation;

/** One completion as a test observed it. */
record Cqe(int res, int flags) {
    boolean more() {
        return UringOperation.hasMore(flags);
    }
}
