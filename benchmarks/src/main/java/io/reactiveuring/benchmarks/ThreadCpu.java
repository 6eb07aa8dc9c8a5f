package io.reactiveuring.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** CPU time of one thread (user + system), through {@link ThreadMXBean}; callable from any thread. */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static {
        if (!THREADS.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread CPU time");
        }
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
    }

    private ThreadCpu() {
    }

    /** CPU nanoseconds {@code thread} has used so far; it must be alive. */
    static long nanos(Thread thread) {
        long ns = THREADS.getThreadCpuTime(thread.threadId());
        if (ns < 0) {
            throw new IllegalStateException("thread " + thread.getName() + " is not alive");
        }
        return ns;
    }
}
