package io.reactiveuring.reactor;

import reactor.core.Scannable;
import reactor.core.scheduler.Scheduler;

/**
 * What every ring-backed Reactor operator and subscription answers to {@link Scannable#scanUnsafe} about where it
 * runs: async, on the ring's scheduler. Stateless; safe from any thread.
 */
final class OperatorScan {
    private OperatorScan() {
    }

    static Object publisher(Scannable.Attr<?> key, Scheduler ringScheduler) {
        if (key == Scannable.Attr.RUN_STYLE) {
            return Scannable.Attr.RunStyle.ASYNC;
        }
        if (key == Scannable.Attr.RUN_ON) {
            return ringScheduler;
        }
        return null;
    }
}
