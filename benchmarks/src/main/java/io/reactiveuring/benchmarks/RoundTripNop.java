package io.reactiveuring.benchmarks;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;

/**
 * One NOP submitted from a foreign thread, which then waits for its completion: the full cross-thread round trip
 * (hand-off queue, eventfd wake-up of a sleeping loop, submit, reap, unpark of the caller). Reusable; allocates
 * nothing per round trip. {@link #roundTrip} from one thread at a time.
 */
final class RoundTripNop extends UringOperation {
    private final UringLoop loop;
    private final Waiter done = new Waiter();
    private int result; // written on the loop thread before done.signal(), read after done.await()

    RoundTripNop(UringLoop loop) {
        super(OpSpec.nop());
        this.loop = loop;
    }

    /** Submits the NOP and waits for it; returns its result (0). */
    int roundTrip() {
        done.arm();
        loop.submit(this);
        done.await();
        if (result != 0) {
            throw new IllegalStateException("NOP completed with " + result);
        }
        return result;
    }

    @Override
    protected void onCompletion(int res, int flags) {
        result = res;
        done.signal();
    }
}
