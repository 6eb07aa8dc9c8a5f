package io.reactiveuring.core.reactive;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.ops.ControlOps;
import io.reactiveuring.core.ops.RingMailbox;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Readiness, timers and control ops as per-subscription {@link OpCall} suppliers. Cancellation of a single op is
 * not here: it is what a subscription's {@code cancel()} does. Stateless; safe from any thread.
 */
public final class ControlCalls {
    private ControlCalls() {
    }

    /** {@code IORING_OP_NOP}; emits 0. */
    public static Supplier<OpCall<Integer>> nop() {
        return NOP;
    }

    /** Immutable, so one call serves every subscription. */
    private static final Call<Integer> NOP_CALL = Call.of(OpSpec.nop());
    private static final Supplier<OpCall<Integer>> NOP = () -> NOP_CALL;

    /** One-shot {@code POLL_ADD}; emits the ready mask ({@code Poll.POLL*} bits). */
    public static Supplier<OpCall<Integer>> poll(int fd, int events) {
        OpSpec spec = ControlOps.poll(fd, events);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /** A kernel timer ({@code IORING_OP_TIMEOUT}); emits 0 when it expires. */
    public static Supplier<OpCall<Integer>> timer(Duration delay) {
        OpSpec spec = OpSpec.timeout(delay, 0);
        Call<Integer> call = Call.builder(spec, (res, flags) -> 0).succeedsWith(Errno.ETIME).build();
        return () -> call;
    }

    /** Cancels every pending op on {@code fd}; emits how many were cancelled (0 if none: {@code CANCEL_ALL} counts). */
    public static Supplier<OpCall<Integer>> cancelFd(int fd) {
        OpSpec spec = ControlOps.cancelFd(fd);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }

    /** Posts {@code value} to a {@link RingMailbox} on another ring ({@code MSG_RING}); emits 0. */
    public static Supplier<OpCall<Integer>> message(RingMailbox.Address to, int value) {
        OpSpec spec = ControlOps.message(to, value);
        Call<Integer> call = Call.of(spec); // holds no memory: one call serves every subscription
        return () -> call;
    }
}
