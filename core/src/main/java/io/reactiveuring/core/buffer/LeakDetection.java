package io.reactiveuring.core.buffer;

import java.lang.ref.Cleaner;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sampled leak detection of {@link BufferAllocator}, on by default: a sampled buffer records where it was
 * allocated (or borrowed), and if it becomes unreachable before its final {@link UringBuffer#release()}, a
 * {@link System.Logger} named {@code io.reactiveuring.core.buffer} logs a {@code WARNING} naming its size and that
 * allocation stack, and the leak is counted ({@link BufferAllocator#reportedLeaks()}, {@link #reportedLeaks()}).
 *
 * <p>Levels, like Netty's {@code ResourceLeakDetector}: {@link Level#DISABLED}, {@link Level#SIMPLE} (one
 * allocation in {@link #samplingInterval() N}, chosen at random, and at most {@value #MAX_SIMPLE_SAMPLES_PER_SECOND}
 * a second in the JVM), {@link Level#PARANOID} (every allocation). The default comes from the system properties
 * {@value #LEVEL_PROPERTY} ({@code disabled}, {@code simple} or {@code paranoid}; default {@code simple}) and
 * {@value #SAMPLING_INTERVAL_PROPERTY} (a positive integer; default {@value #DEFAULT_SAMPLING_INTERVAL}), read once
 * when this class is initialised; a bad value is logged and the default used. An allocator can also be given its
 * own level ({@link BufferAllocator#pooled(Level, int)}).
 *
 * <p>Why a rate limit on {@code SIMPLE}: recording a stack costs microseconds (2 to 12 µs measured on a VM, growing
 * with the depth of the stack), so one in 128 alone adds 20 to 90 ns to every allocation, which is measurable on a
 * 50 ns allocate + release. Capped at {@value #MAX_SIMPLE_SAMPLES_PER_SECOND} stacks a second (in bursts of up to
 * {@value #SIMPLE_SAMPLE_BURST}), the detector spends at most about 1% of one core however fast buffers are
 * allocated, and nothing measurable per allocation; a program allocating fewer than 128,000 buffers a second (the
 * one where a user is looking for the first leak) is sampled at exactly one in N.
 *
 * <p>What is tracked is the memory a buffer shares with its slices, so a live slice keeps a buffer from being
 * reported. A reported buffer's memory is <em>not</em> reused: it stays counted in
 * {@link BufferAllocator#liveBuffers()}. An unreachable buffer is not always one the kernel is done with: when a
 * ring ends while an operation never produced its final completion, the engine quarantines that operation's
 * memory by dropping every reference to it, so the buffer becomes unreachable while the kernel may still write into
 * it. Giving such memory back to the pool could hand it to another buffer under the kernel's write; leaking it is
 * the safe answer (and a borrowed buffer's give-back must run on its ring's loop thread, which may be gone).
 *
 * <p>Cost: at {@code SIMPLE} an unsampled allocation pays one {@link ThreadLocalRandom} draw; a sampled one
 * captures a stack trace and registers with a {@link Cleaner}, and its final release deregisters it.
 *
 * <p>Threading: safe from any thread; reports are logged on the detector's daemon cleaner thread
 * ({@code reactive-uring-leak-detector}). Ownership: holds no buffer; a tracked buffer's record is dropped at its
 * final release.
 */
public final class LeakDetection {
    /** How many allocations are tracked. */
    public enum Level {
        /** None: no cost beyond a branch. */
        DISABLED,
        /** One allocation in the sampling interval, at random. */
        SIMPLE,
        /** Every allocation (costly: a stack trace each; for tests and hunting a known leak). */
        PARANOID
    }

    /** System property naming the default level: {@code disabled}, {@code simple} or {@code paranoid}. */
    public static final String LEVEL_PROPERTY = "io.reactiveuring.leakDetection.level";
    /** System property with the default sampling interval of {@link Level#SIMPLE} (a positive integer). */
    public static final String SAMPLING_INTERVAL_PROPERTY = "io.reactiveuring.leakDetection.samplingInterval";
    /** The level when {@value #LEVEL_PROPERTY} is not set. */
    public static final Level DEFAULT_LEVEL = Level.SIMPLE;
    /** The sampling interval when {@value #SAMPLING_INTERVAL_PROPERTY} is not set (as Netty's). */
    public static final int DEFAULT_SAMPLING_INTERVAL = 128;
    /** Most allocations {@link Level#SIMPLE} tracks per second, over all allocators of the JVM. */
    public static final int MAX_SIMPLE_SAMPLES_PER_SECOND = 1000;
    /** Most allocations {@link Level#SIMPLE} tracks at once after a quiet spell. */
    public static final int SIMPLE_SAMPLE_BURST = 100;

    /** The logger of the buffer package; replaceable by tests ({@link #useLogger}). */
    private static volatile System.Logger log = System.getLogger("io.reactiveuring.core.buffer");

    private static final Level LEVEL = parseLevel(System.getProperty(LEVEL_PROPERTY));
    private static final int SAMPLING_INTERVAL = parseSamplingInterval(System.getProperty(SAMPLING_INTERVAL_PROPERTY));
    private static final AtomicLong REPORTED = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create(r -> new Thread(r, "reactive-uring-leak-detector"));
    /** The JVM's budget of {@link Level#SIMPLE} samples. */
    static final SampleBudget SIMPLE_BUDGET = new SampleBudget(MAX_SIMPLE_SAMPLES_PER_SECOND, SIMPLE_SAMPLE_BURST);

    private LeakDetection() {
    }

    /** The level of allocators created without one ({@value #LEVEL_PROPERTY}, else {@link #DEFAULT_LEVEL}). */
    public static Level level() {
        return LEVEL;
    }

    /**
     * The sampling interval of allocators created without one ({@value #SAMPLING_INTERVAL_PROPERTY}, else
     * {@value #DEFAULT_SAMPLING_INTERVAL}).
     */
    public static int samplingInterval() {
        return SAMPLING_INTERVAL;
    }

    /** Leaks reported by every allocator of this JVM so far. */
    public static long reportedLeaks() {
        return REPORTED.get();
    }

    static System.Logger log() {
        return log;
    }

    /** Tests: logs through {@code logger} from now on; returns the logger used until now. */
    static System.Logger useLogger(System.Logger logger) {
        System.Logger previous = log;
        log = logger;
        return previous;
    }

    /** The level named by {@code value} (case-insensitive); the default, with a warning, if it names none. */
    static Level parseLevel(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LEVEL;
        }
        try {
            return Level.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            log().log(System.Logger.Level.WARNING, "-D" + LEVEL_PROPERTY + "=" + value
                    + " is not one of disabled, simple, paranoid; using " + DEFAULT_LEVEL);
            return DEFAULT_LEVEL;
        }
    }

    /** The interval in {@code value}; the default, with a warning, if it is not a positive integer. */
    static int parseSamplingInterval(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_SAMPLING_INTERVAL;
        }
        try {
            int interval = Integer.parseInt(value.trim());
            if (interval > 0) {
                return interval;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log().log(System.Logger.Level.WARNING, "-D" + SAMPLING_INTERVAL_PROPERTY + "=" + value
                + " is not a positive integer; using " + DEFAULT_SAMPLING_INTERVAL);
        return DEFAULT_SAMPLING_INTERVAL;
    }

    /**
     * Whether the allocation being made is tracked at {@code level}; at {@code SIMPLE}, one in
     * {@code samplingInterval} at random, if {@code budget} (null: unlimited) has room.
     */
    static boolean sample(Level level, int samplingInterval, SampleBudget budget) {
        return switch (level) {
            case DISABLED -> false;
            case PARANOID -> true;
            case SIMPLE -> (samplingInterval == 1 || ThreadLocalRandom.current().nextInt(samplingInterval) == 0)
                    && (budget == null || budget.tryTake());
        };
    }

    /**
     * A rate limit on samples (the generic cell rate algorithm): at most {@code perSecond} samples a second on
     * average, and {@code burst} at once. One compare-and-set per request, and only a sampled allocation asks.
     *
     * <p>Threading: lock-free, from any thread; a request that loses a race is refused (a sample less, no retry).
     */
    static final class SampleBudget {
        private final long spacingNanos;
        private final long toleranceNanos;
        /** When the next sample would be due if samples came at the sustained rate. */
        private final AtomicLong due;

        SampleBudget(int perSecond, int burst) {
            this.spacingNanos = 1_000_000_000L / perSecond;
            this.toleranceNanos = (burst - 1) * spacingNanos;
            this.due = new AtomicLong(System.nanoTime());
        }

        boolean tryTake() {
            long now = System.nanoTime();
            long d = due.get();
            if (d - now > toleranceNanos) {
                return false;
            }
            return due.compareAndSet(d, (d - now < 0 ? now : d) + spacingNanos);
        }
    }

    /**
     * The record of one tracked {@link BufferMemory}: where it was allocated and what it was, registered with the
     * cleaner as the action to run once the memory is unreachable. It must not refer to the memory (or to anything
     * that does), or the memory would never become unreachable.
     *
     * <p>Threading: created on the allocating thread; {@link #close()} on the releasing thread; {@link #run()} once,
     * on the cleaner thread or inside {@code close()} (the cleaner runs an action at most once).
     */
    static final class Tracker implements Runnable {
        private final BufferAllocator allocator;
        private final int capacity;
        private final boolean borrowed;
        private final Throwable allocationSite;
        private final Cleaner.Cleanable cleanable;
        private volatile boolean released;

        Tracker(BufferMemory memory, int capacity) {
            this.allocator = memory.allocator;
            this.capacity = capacity;
            this.borrowed = memory.isBorrowed();
            this.allocationSite = new Throwable("allocation site");
            this.cleanable = CLEANER.register(memory, this);
        }

        /** The final release: no report. Deregisters now rather than leaving the cleaner a dead entry. */
        void close() {
            released = true;
            cleanable.clean();
        }

        @Override
        public void run() {
            if (released) {
                return;
            }
            REPORTED.incrementAndGet();
            allocator.countLeak();
            try {
                log().log(System.Logger.Level.WARNING, message());
            } catch (RuntimeException e) {
                // a failing log handler must not end the cleaner's thread; the leak is counted anyway
            }
        }

        String message() {
            StringBuilder sb = new StringBuilder(512)
                    .append("LEAK: a ").append(borrowed ? "borrowed " : "").append("UringBuffer of ")
                    .append(capacity).append(" bytes became unreachable before its final release(). Its memory is")
                    .append(" not reused and stays counted in liveBuffers() (an ended ring may have quarantined it")
                    .append(" with an operation the kernel never completed, so it may still be written).")
                    .append(borrowed ? " Its provided-buffer ring has lost that buffer." : "")
                    .append(" Allocated at:");
            StackTraceElement[] stack = allocationSite.getStackTrace();
            int first = 0;
            while (first < stack.length - 1 && isRecordingFrame(stack[first])) {
                first++; // the frames that made this record say nothing about the caller
            }
            for (int i = first; i < stack.length; i++) {
                sb.append("\n\tat ").append(stack[i]);
            }
            return sb.toString();
        }

        private static boolean isRecordingFrame(StackTraceElement e) {
            return e.getClassName().equals(Tracker.class.getName())
                    || e.getClassName().equals(BufferMemory.class.getName());
        }
    }
}
