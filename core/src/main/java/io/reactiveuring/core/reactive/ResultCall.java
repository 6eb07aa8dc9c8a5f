package io.reactiveuring.core.reactive;

import io.reactiveuring.core.binding.Poll;
import io.reactiveuring.core.engine.OpSpec;

import java.util.Objects;

/**
 * An {@link OpCall} whose value is the CQE's {@code res} itself (bytes transferred, a ready mask, 0), over specs
 * whose memory the caller owns. Immutable, so one instance can serve every subscription of a publisher. Build
 * with {@link #of(OpSpec)} and the {@code with*} methods.
 */
public final class ResultCall implements OpCall<Integer> {
    private final OpSpec spec;
    private final OpSpec nowait;
    private final int readiness;
    private final boolean regularFile;

    private ResultCall(OpSpec spec, OpSpec nowait, int readiness, boolean regularFile) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.nowait = nowait;
        this.readiness = readiness;
        this.regularFile = regularFile;
    }

    /** An op that is never retried (its {@code -EAGAIN}, if any, is an error). */
    public static ResultCall of(OpSpec spec) {
        return new ResultCall(spec, null, 0, false);
    }

    /** A read-direction op on a pollable fd: USER mode submits {@code nowait}, EAGAIN waits for readability. */
    public static ResultCall readable(OpSpec spec, OpSpec nowait) {
        return new ResultCall(spec, nowait, Poll.READABLE, false);
    }

    /** A write-direction op on a pollable fd. */
    public static ResultCall writable(OpSpec spec, OpSpec nowait) {
        return new ResultCall(spec, nowait, Poll.WRITABLE, false);
    }

    /** An op on a regular file: USER mode tries {@code nowait} first and re-issues plainly on EAGAIN. */
    public static ResultCall regularFile(OpSpec spec, OpSpec nowait) {
        return new ResultCall(spec, nowait, 0, true);
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public OpSpec nowaitSpec() {
        return nowait;
    }

    @Override
    public int readiness() {
        return readiness;
    }

    @Override
    public boolean regularFile() {
        return regularFile;
    }

    @Override
    public Integer result(int res, int flags) {
        return res;
    }
}
