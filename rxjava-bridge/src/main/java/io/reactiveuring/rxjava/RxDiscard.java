package io.reactiveuring.rxjava;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.reactive.DiscardPolicy;
import io.reactiveuring.core.reactive.OpCall;
import org.reactivestreams.Subscriber;

/**
 * RxJava's {@link DiscardPolicy}. RxJava has no discard hook, so nobody would ever see a value that its subscriber
 * disposed before: the call cleans it up itself (a buffer released, an fd closed), and a multishot op's queued or late
 * items go to the call's own discard. A real failure that raced with the dispose is an undeliverable error, which
 * RxJava sends to {@code RxJavaPlugins.onError}; the {@code ECANCELED} that the cancel itself caused, and the end of
 * the ring, are not failures of anything the subscriber still waits for.
 *
 * <p>Threading: called on the loop thread (or on the calling thread once the loop has ended); stateless, one
 * instance serves every subscription. Ownership: a value handed here is the call's to clean up.
 */
final class RxDiscard implements DiscardPolicy {
    static final RxDiscard INSTANCE = new RxDiscard();

    private RxDiscard() {
    }

    @Override
    public <T> void discardOutcome(Subscriber<? super T> subscriber, OpCall<T> call, int res, int flags) {
        if (call.succeeded(res)) {
            call.discardResult(res, flags);
        } else if (res != -Errno.ECANCELED && (flags & UringOperation.FLAG_LOOP_TERMINATED) == 0) {
            RxErrors.undeliverable(UringException.of(res, call.spec().describe()));
        }
    }
}
