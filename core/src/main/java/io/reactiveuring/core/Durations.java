package io.reactiveuring.core;

import java.time.Duration;

/**
 * Durations as people read them in messages: {@code 50 ms}, {@code 1.5 s}, {@code 12.4 us}, {@code 3 min}, never
 * {@code PT0.05S}. Stateless; safe from any thread.
 */
public final class Durations {
    private Durations() {
    }

    /**
     * @param d a duration
     * @return it in the largest unit that keeps it at least 1, with up to one decimal
     */
    public static String human(Duration d) {
        return human(saturatedNanos(d));
    }

    /**
     * @param nanos a duration in nanoseconds
     * @return it in the largest unit that keeps it at least 1, with up to one decimal
     */
    public static String human(long nanos) {
        double n = nanos;
        if (Math.abs(n) < 1_000) {
            return nanos + " ns";
        }
        if (Math.abs(n) < 1_000_000) {
            return trim(n / 1e3) + " us";
        }
        if (Math.abs(n) < 1_000_000_000) {
            return trim(n / 1e6) + " ms";
        }
        if (Math.abs(n) < 60e9) {
            return trim(n / 1e9) + " s";
        }
        if (Math.abs(n) < 3600e9) {
            return trim(n / 60e9) + " min";
        }
        return trim(n / 3600e9) + " h";
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
