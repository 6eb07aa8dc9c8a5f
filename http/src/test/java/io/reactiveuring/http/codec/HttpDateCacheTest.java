package io.reactiveuring.http.codec;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class HttpDateCacheTest {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    @Test
    void formatsImfFixdate() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT",
                new HttpDateCache(InstantSource.fixed(Instant.ofEpochSecond(784_111_777))).now());
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", new HttpDateCache(InstantSource.fixed(Instant.EPOCH)).now());
    }

    @Test
    void agreesWithJavaTimeOnRandomInstants() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(0, 253_402_300_799L)); // up to year 9999
            assertEquals(IMF_FIXDATE.format(t), new HttpDateCache(InstantSource.fixed(t)).now(), t::toString);
        }
    }

    @Test
    void formatsOncePerSecond() {
        AtomicLong millis = new AtomicLong(784_111_777_000L);
        HttpDateCache cache = new HttpDateCache(millisSource(millis));
        byte[] first = cache.nowBytes();
        String text = cache.now();
        millis.addAndGet(999);
        assertSame(first, cache.nowBytes(), "same second: the cached bytes, nothing formatted");
        assertSame(text, cache.now());
        millis.addAndGet(1);
        assertNotSame(first, cache.nowBytes());
        assertEquals("Sun, 06 Nov 1994 08:49:38 GMT", cache.now());
        assertEquals(HttpDateCache.LENGTH, cache.nowBytes().length);
    }

    private static InstantSource millisSource(AtomicLong millis) {
        return new InstantSource() {
            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
            }

            @Override
            public long millis() {
                return millis.get();
            }
        };
    }
}
