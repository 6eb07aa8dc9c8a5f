package io.reactiveuring.http.codec;

import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The value of the {@code Date} response header (RFC 9110 §5.6.7 IMF-fixdate, e.g.
 * {@code Sun, 06 Nov 1994 08:49:37 GMT}), formatted at most once per second: a response only reads the clock and,
 * within the same second, reuses the formatted bytes, so encoding a Date costs no allocation.
 *
 * <p>Threading: thread-safe. The formatted value is published through a volatile field as one immutable object;
 * two threads that see a new second at once may both format it (the same bytes), which is harmless.
 * {@link #system()} is shared by every encoder. Ownership: the cached bytes are never handed out.
 */
public final class HttpDateCache {
    /** Length of an IMF-fixdate. */
    static final int LENGTH = 29;

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"};
    /** Created after the name tables above, which its first formatting uses. */
    private static final HttpDateCache SYSTEM = new HttpDateCache(InstantSource.system());

    private record Formatted(long second, byte[] bytes, String text) {
    }

    private final InstantSource clock;
    private volatile Formatted current;

    /**
     * A cache over {@code clock} (tests give a fixed one).
     *
     * @param clock the time source
     */
    public HttpDateCache(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.current = format(Math.floorDiv(clock.millis(), 1000));
    }

    /**
     * The cache over the system clock.
     *
     * @return the shared instance
     */
    public static HttpDateCache system() {
        return SYSTEM;
    }

    /**
     * The current date as text.
     *
     * @return e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT} (the same instance within a second)
     */
    public String now() {
        return formatted().text;
    }

    /** The current date as 29 ASCII bytes; the array is shared and must not be modified. */
    byte[] nowBytes() {
        return formatted().bytes;
    }

    private Formatted formatted() {
        long second = Math.floorDiv(clock.millis(), 1000);
        Formatted f = current;
        if (f.second != second) {
            f = format(second);
            current = f;
        }
        return f;
    }

    private static Formatted format(long epochSecond) {
        long day = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = Math.floorMod(epochSecond, 86_400);
        LocalDate date = LocalDate.ofEpochDay(day);
        DayOfWeek dow = date.getDayOfWeek();
        String text = DAYS[dow.ordinal()] + ", " + two(date.getDayOfMonth()) + " " + MONTHS[date.getMonthValue() - 1]
                + " " + four(date.getYear()) + " " + two(secondOfDay / 3600) + ":" + two(secondOfDay / 60 % 60) + ":"
                + two(secondOfDay % 60) + " GMT";
        return new Formatted(epochSecond, text.getBytes(StandardCharsets.US_ASCII), text);
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    private static String four(int v) {
        String s = Integer.toString(v);
        return "0000".substring(Math.min(4, s.length())) + s;
    }
}
