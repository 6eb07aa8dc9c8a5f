package io.reactiveuring.reactor;

import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Where errors go that no subscriber can receive: Reactor's dropped-error hook (with the subscriber's context
 * when there is one) and, for failed scheduled tasks, the thread's uncaught-exception handler. Both may end in a
 * log write; on a loop thread that is the one blocking call we accept (rare, and better than losing the error),
 * which is why {@link UringBlockHoundIntegration} allows blocking inside these two methods and nowhere else in this
 * module. A failure of the reporting itself never escapes into the loop. Stateless; safe from any thread.
 */
final class ErrorReporting {
    private ErrorReporting() {
    }

    /** An error that arrived after its subscriber cancelled or terminated, or was thrown by a subscriber. */
    static void dropped(Throwable error, Context context) {
        try {
            Operators.onErrorDropped(error, context);
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t); // a broken hook must not end the ring's loop
        }
    }

    /**
     * A scheduled task threw: to the thread's uncaught-exception handler, as Reactor's own schedulers do (their
     * {@code Schedulers.onHandleError} hook is internal to reactor-core and cannot be called from here).
     */
    static void taskFailed(Throwable error) {
        try {
            Thread current = Thread.currentThread();
            current.getUncaughtExceptionHandler().uncaughtException(current, error);
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
        }
    }
}
