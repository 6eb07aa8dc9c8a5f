package io.reactiveuring.core.ops;

import io.reactiveuring.core.UringException;

/** Shared result check of the {@code io_uring_register} calls in this package. Stateless. */
final class Registration {
    private Registration() {
    }

    /** {@code res} if non-negative; otherwise a {@link UringException} naming {@code what}. */
    static int check(int res, String what) {
        if (res < 0) {
            throw UringException.of(res, what);
        }
        return res;
    }
}
