package io.reactiveuring.core.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR events of the poll-driven retry, named after the kernel trace points they mirror
 * ({@code io_uring_poll_arm}, {@code io_uring_poll_wake}, {@code io_uring_task_add}) and carrying the same fields.
 * Committed on the loop thread; cheap when JFR is not recording (one enabled check, no allocation escapes).
 */
final class RetryEvents {
    private RetryEvents() {
    }

    @Name("io.reactiveuring.PollArm")
    @Label("Readiness poll armed")
    @Category({"reactive-uring", "Poll retry"})
    @Description("An op answered -EAGAIN and a readiness POLL_ADD was armed for it (io_uring_poll_arm)")
    static final class PollArm extends Event {
        @Label("Op")
        String op;
        @Label("User data of the op's last attempt")
        long userData;
        @Label("Fd")
        int fd;
        @Label("Poll mask")
        int mask;
        @Label("Retry number")
        int retry;
    }

    @Name("io.reactiveuring.PollWake")
    @Label("Readiness poll fired")
    @Category({"reactive-uring", "Poll retry"})
    @Description("The readiness poll of a waiting op completed (io_uring_poll_wake)")
    static final class PollWake extends Event {
        @Label("Op")
        String op;
        @Label("User data of the poll")
        long userData;
        @Label("Ready events")
        int events;
    }

    @Name("io.reactiveuring.OpResubmit")
    @Label("Op re-submitted on readiness")
    @Category({"reactive-uring", "Poll retry"})
    @Description("The loop thread re-issued the op after its poll fired (io_uring_task_add)")
    static final class OpResubmit extends Event {
        @Label("Op")
        String op;
        @Label("Poll mask")
        int mask;
        @Label("Retry number")
        int retry;
    }

    static void pollArm(String op, long userData, int fd, int mask, int retry) {
        PollArm e = new PollArm();
        if (e.isEnabled()) {
            e.op = op;
            e.userData = userData;
            e.fd = fd;
            e.mask = mask;
            e.retry = retry;
            e.commit();
        }
    }

    static void pollWake(String op, long userData, int events) {
        PollWake e = new PollWake();
        if (e.isEnabled()) {
            e.op = op;
            e.userData = userData;
            e.events = events;
            e.commit();
        }
    }

    static void opResubmit(String op, int mask, int retry) {
        OpResubmit e = new OpResubmit();
        if (e.isEnabled()) {
            e.op = op;
            e.mask = mask;
            e.retry = retry;
            e.commit();
        }
    }
}
