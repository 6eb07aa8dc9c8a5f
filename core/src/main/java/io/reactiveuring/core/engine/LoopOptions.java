package io.reactiveuring.core.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * How a {@link UringLoop} is built: queue sizes, in-flight bound, hand-off queue capacity, shutdown grace time,
 * thread name and error hook. Immutable: every {@code with*} method returns a new value; safe to share.
 *
 * @param sqEntries              submission queue size
 * @param cqEntries              completion queue size, at least {@code sqEntries}
 * @param maxInFlight            slots, i.e. operations in flight at once; by default {@code cqEntries} so that
 *                               one-shot completions can never exceed the CQ. Larger values are allowed for tests
 *                               of the overflow fallback
 * @param handoffCapacity        capacity of the queue that carries work from other threads to the loop
 * @param shutdownGrace          how long the loop may wait in the kernel for the final CQEs of cancelled work
 *                               when it ends (time spent delivering them and freeing their memory is not
 *                               counted); after it, what the kernel has already produced is still taken in, and
 *                               only ops whose final CQE never came are quarantined. {@code Duration.ZERO}: end
 *                               at once, quarantining everything still in flight
 * @param threadName             name of the loop thread
 * @param refusedSetupFlags      setup flags never to ask for (exercise the fallback chain); usually 0
 * @param errorHook              receives exceptions thrown by user callbacks on the loop thread
 * @param threadFactory          makes the loop's platform thread (e.g. one implementing Reactor's
 *                               {@code NonBlocking} marker); must not return a virtual thread
 * @param pollRetry              how ops on this ring retry after {@code -EAGAIN} (overridable per op)
 */
public record LoopOptions(int sqEntries, int cqEntries, int maxInFlight, int handoffCapacity,
                          Duration shutdownGrace, String threadName, int refusedSetupFlags,
                          Consumer<Throwable> errorHook, ThreadFactory threadFactory, PollRetry pollRetry) {

    private static final System.Logger LOG = System.getLogger("io.reactiveuring.core.engine");

    /** Logs at WARNING through {@link System.Logger}; the loop goes on. */
    public static final Consumer<Throwable> LOG_ERRORS =
            t -> LOG.log(System.Logger.Level.WARNING, "exception in a callback on an io_uring loop thread", t);

    public LoopOptions {
        if (sqEntries < 1 || sqEntries > 32768) {
            throw new IllegalArgumentException("sqEntries must be in [1, 32768]: " + sqEntries);
        }
        if (cqEntries < sqEntries || cqEntries > 65536 * 2) {
            throw new IllegalArgumentException("cqEntries must be in [sqEntries, 131072]: " + cqEntries);
        }
        if (maxInFlight < 2 || maxInFlight > (1 << 24) - 1) {
            throw new IllegalArgumentException("maxInFlight must be in [2, 2^24): " + maxInFlight);
        }
        if (handoffCapacity < 2) {
            throw new IllegalArgumentException("handoffCapacity must be >= 2: " + handoffCapacity);
        }
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
        Objects.requireNonNull(threadName, "threadName");
        Objects.requireNonNull(errorHook, "errorHook");
        Objects.requireNonNull(threadFactory, "threadFactory");
        Objects.requireNonNull(pollRetry, "pollRetry");
    }

    /** Platform daemon threads; the loop names them after {@link #threadName()}. */
    public static final ThreadFactory PLATFORM_DAEMON = r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    };

    /** 256 SQEs, 4096 CQEs, 4096 in flight, 65536 hand-offs, 2 s grace. */
    public static LoopOptions defaults() {
        return new LoopOptions(256, 4096, 4096, 65536, Duration.ofSeconds(2), "uring-loop", 0, LOG_ERRORS,
                PLATFORM_DAEMON, PollRetry.AUTO);
    }

    /** Sets both queue sizes and the in-flight bound to the CQ size. */
    public LoopOptions withQueues(int sq, int cq) {
        return new LoopOptions(sq, cq, cq, handoffCapacity, shutdownGrace, threadName, refusedSetupFlags,
                errorHook, threadFactory, pollRetry);
    }

    public LoopOptions withMaxInFlight(int n) {
        return new LoopOptions(sqEntries, cqEntries, n, handoffCapacity, shutdownGrace, threadName,
                refusedSetupFlags, errorHook, threadFactory, pollRetry);
    }

    public LoopOptions withHandoffCapacity(int n) {
        return new LoopOptions(sqEntries, cqEntries, maxInFlight, n, shutdownGrace, threadName, refusedSetupFlags,
                errorHook, threadFactory, pollRetry);
    }

    public LoopOptions withShutdownGrace(Duration grace) {
        return new LoopOptions(sqEntries, cqEntries, maxInFlight, handoffCapacity, grace, threadName,
                refusedSetupFlags, errorHook, threadFactory, pollRetry);
    }

    public LoopOptions withThreadName(String name) {
        return new LoopOptions(sqEntries, cqEntries, maxInFlight, handoffCapacity, shutdownGrace, name,
                refusedSetupFlags, errorHook, threadFactory, pollRetry);
    }

    public LoopOptions withRefusedSetupFlags(int flags) {
        return new LoopOptions(sqEntries, cqEntries, maxInFlight, handoffCapacity, shutdownGrace, threadName,
                flags, errorHook, threadFactory, pollRetry);
    }

    public LoopOptions withErrorHook(Consumer<Throwable> hook) {
        return new LoopOptions(sqEntries, cqEntries, maxInFlight, handoffCapacity, shutdownGrace, threadName,
                refusedSetupFlags, hook, threadFactory, pollRetry);
    }

    public LoopOptions withThreadFactory(ThreadFactory factory) {
        return new LoopOptions(sqEntries, cqEntries, maxInFlight, handoffCapacity, shutdownGrace, threadName,
                refusedSetupFlags, errorHook, factory, pollRetry);
    }

    public LoopOptions withPollRetry(PollRetry mode) {
        return new LoopOptions(sqEntries, cqEntries, maxInFlight, handoffCapacity, shutdownGrace, threadName,
                refusedSetupFlags, errorHook, threadFactory, mode);
    }
}
