package io.reactiveuring.core.ops;

import io.reactiveuring.core.engine.OpSpec;

import java.util.Objects;

import static io.reactiveuring.core.linux.IoUring.*;

/**
 * The control half of the op catalogue: readiness polls, removal and cancellation of other requests, timeout
 * removal, and messages to another ring ({@code MSG_RING}). Factories return {@link OpSpec}s and reuse the ones
 * {@code OpSpec} already has ({@link OpSpec#pollAdd}, {@link OpSpec#asyncCancel}, {@link OpSpec#asyncCancelFd};
 * linked timeouts are {@link OpSpec#linkTimeout}).
 *
 * <p>Targets are named by user_data, which only the target's loop thread knows
 * ({@link io.reactiveuring.core.engine.UringOperation#userData()}): build and submit these specs on that thread
 * (e.g. inside {@code loop.execute(...)}), so the target cannot complete and its slot be reused in between. (The
 * engine's generation counter makes a stale user_data match nothing, so the worst case is {@code -ENOENT}.)
 *
 * <p>Results: POLL_ADD completes with the ready mask ({@code POLLIN}, ...), multishot ones repeatedly with
 * {@code IORING_CQE_F_MORE}; POLL_REMOVE, TIMEOUT_REMOVE and a single ASYNC_CANCEL with 0, {@code -ENOENT} or
 * {@code -EALREADY}; an ASYNC_CANCEL with {@code IORING_ASYNC_CANCEL_ALL} with the number of requests cancelled. The
 * cancelled target still posts its own final CQE ({@code -ECANCELED}); its memory stays owned until then.
 *
 * <p>Stateless; safe from any thread.
 */
public final class ControlOps {
    private ControlOps() {
    }

    /** One-shot {@code IORING_OP_POLL_ADD} for {@code events} ({@code POLLIN}, {@code POLLOUT}, ...). */
    public static OpSpec poll(int fd, int events) {
        return OpSpec.pollAdd(fd, checkEvents(events), false);
    }

    /**
     * Multishot {@code IORING_OP_POLL_ADD} ({@code IORING_POLL_ADD_MULTI}): a CQE with {@code F_MORE} each time
     * the fd signals readiness, until removed ({@link #pollRemove}), cancelled, or an error ends it.
     */
    public static OpSpec pollMultishot(int fd, int events) {
        return OpSpec.pollAdd(fd, checkEvents(events), true);
    }

    /** {@code IORING_OP_POLL_REMOVE} of the poll whose user_data is {@code targetUserData}. */
    public static OpSpec pollRemove(long targetUserData) {
        return OpSpec.builder(IORING_OP_POLL_REMOVE).addr(checkTarget(targetUserData)).build();
    }

    /** {@code IORING_OP_ASYNC_CANCEL} of the one request whose user_data is {@code targetUserData}. */
    public static OpSpec cancel(long targetUserData) {
        return OpSpec.asyncCancel(checkTarget(targetUserData), 0);
    }

    /** Cancels every request on {@code fd} ({@code IORING_ASYNC_CANCEL_FD | ALL}); completes with the count. */
    public static OpSpec cancelFd(int fd) {
        return OpSpec.asyncCancelFd(fd);
    }

    /**
     * Cancels every request in flight on the ring ({@code IORING_ASYNC_CANCEL_ANY | ALL}); completes with the count,
     * which includes the engine's own requests (its wake-up read, which re-arms itself).
     */
    public static OpSpec cancelAll() {
        return OpSpec.asyncCancel(0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
    }

    /** {@code IORING_OP_TIMEOUT_REMOVE} of the timeout whose user_data is {@code targetUserData}. */
    public static OpSpec timeoutRemove(long targetUserData) {
        return OpSpec.builder(IORING_OP_TIMEOUT_REMOVE).addr(checkTarget(targetUserData)).build();
    }

    /**
     * {@code IORING_OP_MSG_RING} / {@code IORING_MSG_DATA}: posts a CQE with {@code value} as its res to the
     * {@link RingMailbox} at {@code to}, on that mailbox's ring. Submit it on another loop (the sender needs a ring);
     * the sender completes with 0, or {@code -EOVERFLOW} if the target's CQ had no room, {@code -EBADFD} if the
     * target is not a ring. The CQE carries {@code IORING_CQE_F_MORE} ({@code IORING_MSG_RING_FLAGS_PASS}) so the
     * target loop treats it as one more completion of the mailbox's still-armed request.
     */
    public static OpSpec message(RingMailbox.Address to, int value) {
        Objects.requireNonNull(to, "to");
        return msgRingData(to.ringFd(), to.userData(), value, IORING_CQE_F_MORE);
    }

    /**
     * Raw {@code IORING_MSG_DATA}: a CQE with {@code user_data = targetUserData}, {@code res = res} and
     * {@code flags = cqeFlags} on the ring {@code targetRingFd}. Prefer {@link #message}: a user_data that names no
     * in-flight request of the target loop is counted there as a stale completion and dropped.
     */
    public static OpSpec msgRingData(int targetRingFd, long targetUserData, int res, int cqeFlags) {
        OpSpec.checkFd(targetRingFd);
        return OpSpec.builder(IORING_OP_MSG_RING)
                .fd(targetRingFd)
                .addr(IORING_MSG_DATA)
                .off(checkTarget(targetUserData))
                .len(res)
                .opFlags(IORING_MSG_RING_FLAGS_PASS)
                .spliceFdIn(cqeFlags).build(); // sqe->file_index carries the CQE flags under FLAGS_PASS
    }

    private static int checkEvents(int events) {
        if (events == 0) {
            throw new IllegalArgumentException("poll events must not be empty");
        }
        return events;
    }

    private static long checkTarget(long userData) {
        if (userData == 0) {
            throw new IllegalArgumentException("target user_data 0 names no request (is the target in flight?)");
        }
        return userData;
    }
}
