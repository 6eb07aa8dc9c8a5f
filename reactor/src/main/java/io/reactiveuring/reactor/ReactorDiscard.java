package io.reactiveuring.reactor;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.reactive.DiscardPolicy;
import io.reactiveuring.core.reactive.MultishotCall;
import io.reactiveuring.core.reactive.OpCall;
import org.reactivestreams.Subscriber;
import reactor.core.CoreSubscriber;
import reactor.util.context.Context;

/**
 * Reactor's {@link DiscardPolicy}: a value nobody will receive goes to the subscriber context's discard hook
 * ({@code doOnDiscard}, {@code Operators.onDiscard}), which then owns it, or is cleaned up by the call itself when
 * the context has none; a late fd is always closed by the library; a real failure that raced with a cancel goes to
 * the dropped-error hook. Stateless; one instance serves every subscription, on the loop thread.
 */
final class ReactorDiscard implements DiscardPolicy {
    static final ReactorDiscard INSTANCE = new ReactorDiscard();

    private ReactorDiscard() {
    }

    @Override
    public <T> void discardOutcome(Subscriber<? super T> subscriber, OpCall<T> call, int res, int flags) {
        Context context = contextOf(subscriber);
        if (call.succeeded(res)) {
            if (DiscardHooks.isPresent(context) && !call.closesLateResult()) {
                DiscardHooks.discard(call.result(res, flags), context); // the hook now owns the value
            } else {
                call.discardResult(res, flags); // nobody would see it: the call cleans up itself
            }
        } else if (res != -Errno.ECANCELED && (flags & UringOperation.FLAG_LOOP_TERMINATED) == 0) {
            // A real failure that raced with the cancel (ECANCELED is the cancel's own answer).
            ErrorReporting.dropped(UringException.of(res, call.spec().describe()), context);
        }
    }

    @Override
    public <T> void discardItem(Subscriber<? super T> subscriber, MultishotCall<T> call, T item) {
        Context context = contextOf(subscriber);
        if (DiscardHooks.isPresent(context) && !call.closesLateItems()) {
            DiscardHooks.discard(item, context);
        } else {
            call.discard(item);
        }
    }

    private static Context contextOf(Subscriber<?> subscriber) {
        return subscriber instanceof CoreSubscriber<?> c ? c.currentContext() : Context.empty();
    }
}
