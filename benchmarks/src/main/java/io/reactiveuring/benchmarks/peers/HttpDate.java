package io.reactiveuring.benchmarks.peers;

import io.netty.util.AsciiString;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The value of the {@code Date} response header as an IMF-fixdate (RFC 9110, 5.6.7), e.g.
 * {@code Tue, 01 Dec 2026 21:13:34 GMT}, rebuilt when the wall-clock second changes — the same rule as the C
 * ceiling {@code native/http_plain.c}. ({@link DateTimeFormatter#RFC_1123_DATE_TIME} is not used: it writes a
 * one-digit day of the month without the leading zero that IMF-fixdate requires.)
 *
 * <p>Threading: safe from any thread (one immutable snapshot in a volatile field; two threads crossing a second
 * at once may both format it, harmlessly). Ownership: holds no resources.
 */
final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private record Snapshot(long second, AsciiString value) {
    }

    private volatile Snapshot snapshot = format(System.currentTimeMillis() / 1000);

    /**
     * The header value for the current second.
     *
     * @return the IMF-fixdate of now, to the second
     */
    AsciiString current() {
        long second = System.currentTimeMillis() / 1000;
        Snapshot current = snapshot;
        if (current.second() != second) {
            current = format(second);
            snapshot = current;
        }
        return current.value();
    }

    private static Snapshot format(long second) {
        return new Snapshot(second, AsciiString.cached(IMF_FIXDATE.format(Instant.ofEpochSecond(second))));
    }
}
