package io.reactiveuring.core.linux;

/**
 * Poll event bits ({@code include/uapi/asm-generic/poll.h}), the values of {@code sqe->poll32_events} and of a poll
 * CQE's {@code res}, and {@code RWF_NOWAIT} ({@code linux/fs.h}), the flag that turns a waiting read/write into one
 * that answers {@code -EAGAIN} (its socket counterpart {@code MSG_DONTWAIT} is in {@link io.reactiveuring.core.linux.Sockets}).
 * Stateless; safe from any thread.
 */
public final class Poll {
    private Poll() {
    }

    public static final int POLLIN = 0x0001;
    public static final int POLLPRI = 0x0002;
    public static final int POLLOUT = 0x0004;
    public static final int POLLERR = 0x0008;
    public static final int POLLHUP = 0x0010;
    public static final int POLLNVAL = 0x0020;
    public static final int POLLRDNORM = 0x0040;
    public static final int POLLWRNORM = 0x0100;
    public static final int POLLRDHUP = 0x2000;

    /** Readiness to read, as the library arms it for a retry: data, urgent data, or an error to report. */
    public static final int READABLE = POLLIN | POLLRDNORM | POLLERR | POLLPRI;
    /** Readiness to write, as the library arms it for a retry. */
    public static final int WRITABLE = POLLOUT | POLLWRNORM | POLLERR | POLLPRI;

    /** {@code RWF_NOWAIT}: a read/write that would block answers {@code -EAGAIN} (rw_flags). */
    public static final int RWF_NOWAIT = 0x00000008;
}
