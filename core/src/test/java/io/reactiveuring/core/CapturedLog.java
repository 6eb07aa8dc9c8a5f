package io.reactiveuring.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the library logs under one logger name while it is open, instead of printing it: for a test that
 * provokes a logged error on purpose (a callback that throws, a loop that dies) and asserts that it was logged.
 *
 * <p>The library logs through {@link System.Logger}, which the JDK routes to the {@code java.util.logging} logger of
 * the same name; this class adds a handler there and stops the records from reaching the parent (console) handler
 * until {@link #close()}. Records logged under a child name (a dot below) are captured too.
 *
 * <p>Threading: records may arrive on any thread (typically a loop thread); the queries may be called from any
 * thread. Ownership: it changes a JVM-wide logger while open; open it in a try-with-resources block.
 */
public final class CapturedLog implements AutoCloseable {
    /** Held strongly: java.util.logging keeps loggers only weakly, and a collected one would lose the handler. */
    private final Logger logger;
    private final boolean usedParentHandlers;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
                records.notifyAll();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLog(String loggerName) {
        logger = Logger.getLogger(loggerName);
        usedParentHandlers = logger.getUseParentHandlers();
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    /**
     * Starts capturing the records of {@code loggerName} and its children.
     *
     * @param loggerName a logger name of the library, such as {@code io.reactiveuring.core.engine}
     * @return the open capture; close it to print records again
     */
    public static CapturedLog of(String loggerName) {
        return new CapturedLog(loggerName);
    }

    /**
     * The records captured so far.
     *
     * @return a snapshot, oldest first
     */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /**
     * Waits for a record of {@code level} whose message contains {@code messagePart}.
     *
     * @param level the level the record must have
     * @param messagePart text its message must contain
     * @param timeout how long to wait at most
     * @return the first such record
     * @throws AssertionError if none arrived in time
     * @throws InterruptedException if interrupted while waiting
     */
    public LogRecord await(Level level, String messagePart, Duration timeout) throws InterruptedException {
        Predicate<LogRecord> wanted = r -> r.getLevel().equals(level) && r.getMessage() != null
                && r.getMessage().contains(messagePart);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (records) {
            while (true) {
                for (LogRecord r : records) {
                    if (wanted.test(r)) {
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + level + " record containing '" + messagePart + "' within "
                            + timeout + "; captured: " + describe());
                }
                TimeUnit.NANOSECONDS.timedWait(records, left);
            }
        }
    }

    private String describe() {
        StringBuilder sb = new StringBuilder("[");
        for (LogRecord r : records) {
            sb.append(sb.length() > 1 ? ", " : "").append(r.getLevel()).append(' ').append(r.getMessage());
        }
        return sb.append(']').toString();
    }

    /** Stops capturing: the logger prints through its parent's handlers again. */
    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(usedParentHandlers);
    }
}
