package io.reactiveuring.reactor;

import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.util.Map;

/**
 * The discard hook of a subscriber's {@link Context} ({@code Operators.enableOnDiscard}, {@code doOnDiscard}): where a
 * value goes that its subscriber will never receive (a buffer read after cancel, an item queued at cancel), so that
 * its owner can free it. Ops ask {@link #isPresent} first: with no hook, nobody would see the value and the op cleans
 * up itself. Stateless; safe from any thread.
 */
final class DiscardHooks {
    /**
     * Reactor keeps the hook under a package-private key; learn it once through the public method that sets it, to
     * tell "the subscriber has a discard hook" from "nobody would see the discarded value".
     */
    private static final Object KEY = Operators.enableOnDiscard(Context.empty(), discarded -> {
            })
            .stream().findFirst().map(Map.Entry::getKey).orElseThrow();

    private DiscardHooks() {
    }

    /** True if {@code context} carries a discard hook. */
    static boolean isPresent(Context context) {
        return context.hasKey(KEY);
    }

    /** Hands {@code value} to the context's hook; ownership of what it holds (a buffer, an fd) passes to the hook. */
    static void discard(Object value, Context context) {
        try {
            Operators.onDiscard(value, context);
        } catch (Throwable t) {
            // onDiscard logs a failing hook itself; only that log write can end up here (BlockHound).
            Exceptions.throwIfJvmFatal(t);
            ErrorReporting.dropped(t, context);
        }
    }
}
