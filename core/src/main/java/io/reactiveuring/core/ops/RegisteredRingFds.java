package io.reactiveuring.core.ops;

import io.reactiveuring.core.binding.RsrcUpdateLayout;
import io.reactiveuring.core.engine.UringLoop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static io.reactiveuring.core.linux.IoUring.IORING_REGISTER_RING_FDS;
import static io.reactiveuring.core.linux.IoUring.IORING_UNREGISTER_RING_FDS;
import static io.reactiveuring.core.linux.IoUring.IO_RINGFD_REG_MAX;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Ring-fd registration ({@code IORING_REGISTER_RING_FDS}): registers a ring's fd in the <em>calling thread's</em>
 * io_uring context and returns an index that {@code io_uring_enter} accepts in place of the fd with
 * {@code IORING_ENTER_REGISTERED_RING}, saving the fd lookup on every enter.
 *
 * <p>Per thread: the index is only valid on the thread that registered it (another thread gets {@code EINVAL} or
 * {@code EBADF} for it), which is why these methods run on the ring's loop thread, the only thread that enters the
 * ring. A thread can hold at most {@link io.reactiveuring.core.linux.IoUring#IO_RINGFD_REG_MAX} registrations; they
 * end with {@link #unregister} or with the thread. Stateless.
 */
public final class RegisteredRingFds {
    private RegisteredRingFds() {
    }

    /** {@code offset} value asking the kernel to pick a free index ({@code -1U}). */
    private static final int ANY_INDEX = -1;

    /**
     * Registers {@code loop}'s ring fd for the loop thread. Loop thread only.
     *
     * @return the registered index, in {@code [0, IO_RINGFD_REG_MAX)}
     * @throws IllegalStateException off the loop thread, or if the ring is closed
     * @throws io.reactiveuring.core.UringException if the kernel refuses ({@code EBUSY}: no free index)
     */
    public static int register(UringLoop loop) {
        Objects.requireNonNull(loop, "loop");
        int ringFd = loop.ringFd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment up = arena.allocate(RsrcUpdateLayout.LAYOUT);
            up.set(JAVA_INT, RsrcUpdateLayout.OFFSET, ANY_INDEX);
            up.set(JAVA_LONG, RsrcUpdateLayout.DATA, ringFd);
            int n = Registration.check(loop.register(IORING_REGISTER_RING_FDS, up, 1), "IORING_REGISTER_RING_FDS");
            if (n != 1) {
                throw new IllegalStateException("IORING_REGISTER_RING_FDS registered " + n + " fds instead of 1");
            }
            return up.get(JAVA_INT, RsrcUpdateLayout.OFFSET);
        }
    }

    /** Drops the registration at {@code index} made by {@link #register} on this loop. Loop thread only. */
    public static void unregister(UringLoop loop, int index) {
        Objects.requireNonNull(loop, "loop");
        if (index < 0 || index >= IO_RINGFD_REG_MAX) {
            throw new IllegalArgumentException("registered ring index must be in [0, " + IO_RINGFD_REG_MAX + "): "
                    + index);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment up = arena.allocate(RsrcUpdateLayout.LAYOUT);
            up.set(JAVA_INT, RsrcUpdateLayout.OFFSET, index);
            Registration.check(loop.register(IORING_UNREGISTER_RING_FDS, up, 1), "IORING_UNREGISTER_RING_FDS");
        }
    }
}
