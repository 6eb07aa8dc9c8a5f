package io.reactiveuring.benchmarks;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;

/**
 * Runs a count of NOPs on a {@link UringLoop}'s thread with {@code depth} in flight: {@code depth} reusable
 * operations, each resubmitting itself from its own completion until the count is reached. The caller hands one
 * task to the loop ({@link UringLoop#execute}) and waits once per run, so the cross-thread cost is paid once per
 * run, not per op. Nothing is allocated per op or per run.
 *
 * <p>Threading: {@link #run} from one thread at a time (not the loop's); everything else happens on the loop
 * thread. The run's parameters are published to the loop by the hand-off queue, its results back by
 * {@link Waiter}.
 */
final class EngineNopRun implements Runnable {
    private final UringLoop loop;
    private final NopOp[] ops;
    private final Waiter done = new Waiter();

    // loop thread only while a run is going on
    private long toSubmit;
    private long toComplete;
    private long failures;

    EngineNopRun(UringLoop loop, int depth) {
        this.loop = loop;
        OpSpec nop = OpSpec.nop(); // one immutable spec shared by all ops
        this.ops = new NopOp[depth];
        for (int i = 0; i < depth; i++) {
            ops[i] = new NopOp(nop);
        }
    }

    /** Runs {@code count} NOPs and returns once all completed; throws if any completed with an error. */
    void run(long count) {
        toSubmit = count;
        toComplete = count;
        failures = 0;
        done.arm();
        loop.execute(this);
        done.await();
        if (failures != 0) {
            throw new IllegalStateException(failures + " NOPs completed with an error");
        }
    }

    /** On the loop thread: the first {@code depth} submissions; completions keep the pipeline full. */
    @Override
    public void run() {
        for (int i = 0; i < ops.length && toSubmit > 0; i++) {
            toSubmit--;
            loop.submit(ops[i]);
        }
    }

    private final class NopOp extends UringOperation {
        NopOp(OpSpec spec) {
            super(spec);
        }

        @Override
        protected void onCompletion(int res, int flags) {
            if (res != 0) {
                failures++;
            }
            if (--toComplete == 0) {
                done.signal();
            } else if (toSubmit > 0) {
                toSubmit--;
                loop.submit(this);
            }
        }
    }
}
