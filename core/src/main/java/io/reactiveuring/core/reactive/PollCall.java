package io.reactiveuring.core.reactive;

import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;

/**
 * Multishot {@code POLL_ADD} ({@code IORING_POLL_ADD_MULTI}, edge-triggered) as a {@link MultishotCall}: each CQE's
 * ready mask ({@code POLLIN}, {@code POLLHUP}, ...) is one item. The kernel posts one CQE per wake-up of the fd's
 * wait queue, and wake-ups that come before the previous one was processed are merged into one CQE: the items
 * report readiness, not a count of writes. Readiness that arises while the poll is disarmed (zero demand) is
 * reported by the next arm, which checks the fd's state first. {@code POLLERR}, {@code POLLHUP} and
 * {@code POLLRDHUP} are always reported, whatever {@code events} asks for.
 *
 * <p>Immutable and holding no memory, so one instance can serve every subscription of a publisher.
 */
public final class PollCall implements MultishotCall<Integer> {
    private final OpSpec spec;
    private final boolean endOnHangup;

    private PollCall(int fd, int events, boolean endOnHangup) {
        OpSpec.checkFd(fd);
        if ((events & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("poll events must be POLL* bits (low 16 bits): 0x"
                    + Integer.toHexString(events));
        }
        this.spec = OpSpec.pollAdd(fd, events, true);
        this.endOnHangup = endOnHangup;
    }

    /** Readiness of {@code fd} for {@code events} ({@code Poll.POLLIN}, ...), for as long as it is subscribed. */
    public static PollCall of(int fd, int events) {
        return new PollCall(fd, events, false);
    }

    /**
     * Like {@link #of}, but a mask with {@code POLLHUP} (the peer closed: the writer of a pipe, a socket's other
     * side) ends the stream instead of being an item: the publisher completes after the items before it.
     */
    public static PollCall untilHangup(int fd, int events) {
        return new PollCall(fd, events, true);
    }

    /** A publisher of this poll's ready masks on {@code loop}. */
    public MultishotPublisher<Integer> publisher(UringLoop loop) {
        return new MultishotPublisher<>(loop, () -> this);
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public boolean endOfStream(int res, int flags) {
        return endOnHangup && (res & Poll.POLLHUP) != 0;
    }

    @Override
    public Integer item(int res, int flags) {
        return res;
    }
}
