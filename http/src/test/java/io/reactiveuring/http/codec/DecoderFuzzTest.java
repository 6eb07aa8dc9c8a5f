package io.reactiveuring.http.codec;

import io.reactiveuring.http.codec.HttpFuzzCorpus.Input;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * 12,000 seeded hostile inputs ({@link HttpFuzzCorpus}): each one either decodes or ends in one typed 4xx/5xx error
 * that closes the connection; never another exception, never a hang (the whole run has a deadline), never more
 * storage than the options allow (checked after every feed). And the outcome does not depend on how the input is
 * cut: fed whole, in random small and large pieces, one byte at a time, and with a pause after every request, every
 * input gives the same events. Half of the inputs run with tiny limits so that every limit is hit often.
 */
class DecoderFuzzTest {
    static final long SEED = 0x5EED_2026L;
    static final int COUNT = 12_000;

    static final HttpDecoderOptions TINY = new HttpDecoderOptions(64, 256, 8, 100, 16, 64, 2, 4096, true, true);

    @Test
    void everyInputDecodesOrFailsWithATypedErrorAlikeHoweverItIsSplit() {
        Map<String, Integer> outcomes = new TreeMap<>();
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            for (Input input : HttpFuzzCorpus.generate(SEED, COUNT)) {
                HttpDecoderOptions options = (input.index() & 1) == 0 ? HttpDecoderOptions.defaults()
                        : TINY.withSwarScanning((input.index() & 2) == 0);
                check(input, options, outcomes);
            }
        });
        int errors = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("error"))
                .mapToInt(Map.Entry::getValue).sum();
        assertTrue(errors > COUNT / 4, "the corpus must be mostly hostile: " + outcomes);
        assertTrue(outcomes.getOrDefault("decoded", 0) > COUNT / 20, "and some of it valid: " + outcomes);
        for (int status : new int[]{400, 413, 414, 417, 431, 501, 505}) {
            assertTrue(outcomes.containsKey("error " + status), () -> "no input hit " + status + ": " + outcomes);
        }
    }

    private static void check(Input input, HttpDecoderOptions options, Map<String, Integer> outcomes) {
        byte[] bytes = input.bytes();
        try {
            RecordingListener whole = Feeding.decodeWhole(options, bytes);
            String outcome = classify(input, whole);
            outcomes.merge(outcome, 1, Integer::sum);

            SplittableRandom random = new SplittableRandom(input.index());
            List<String> expected = whole.events;
            assertSameEvents(expected, Feeding.decodeRandomPieces(options, bytes, random::nextLong, 8).events,
                    "pieces <= 8");
            assertSameEvents(expected, Feeding.decodeRandomPieces(options, bytes, random::nextLong, 3000).events,
                    "pieces <= 3000");
            assertSameEvents(expected, Feeding.decodePausing(options, bytes, random::nextLong, 64).events, "pausing");
            if (bytes.length <= 2048 || input.index() % 16 == 0) {
                assertSameEvents(expected, Feeding.decodeBytewise(options, bytes).events, "one byte at a time");
            }
        } catch (AssertionError | RuntimeException e) {
            boolean tiny = options.maxRequestLineLength() == TINY.maxRequestLineLength();
            fail("input " + input + " with " + (tiny ? "tiny" : "default") + " limits: "
                    + escape(bytes), e);
        }
    }

    /** Equal event lists, or an error naming the first difference (events shortened: some are 20 KB). */
    private static void assertSameEvents(List<String> expected, List<String> actual, String how) {
        if (expected.equals(actual)) {
            return;
        }
        int i = 0;
        while (i < Math.min(expected.size(), actual.size()) && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        fail(how + ": event " + i + " differs from the whole-input decoding: expected "
                + shorten(i < expected.size() ? expected.get(i) : "(none)") + " but got "
                + shorten(i < actual.size() ? actual.get(i) : "(none)"));
    }

    private static String shorten(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
    }

    /** The whole-input outcome must be a decoded prefix, ending in nothing, a partial request, or one typed error. */
    private static String classify(Input input, RecordingListener l) {
        int heads = 0;
        int ends = 0;
        for (int i = 0; i < l.events.size(); i++) {
            String e = l.events.get(i);
            if (e.startsWith("REQUEST")) {
                heads++;
            } else if (e.startsWith("END")) {
                ends++;
            } else if (!e.startsWith("ERROR") || i != l.events.size() - 1) {
                throw new AssertionError("unexpected event order " + l.events);
            }
            if (ends > heads || heads > ends + 1) {
                throw new AssertionError("heads and ends out of step " + l.events);
            }
        }
        if (l.error == null) {
            return "decoded";
        }
        int status = l.error.status();
        if (status < 400 || status > 599 || !l.error.closeConnection()) {
            throw new AssertionError("bad error " + l.error);
        }
        return "error " + status;
    }

    private static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 600); i++) {
            int c = bytes[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return bytes.length > 600 ? sb + "..." : sb.toString();
    }

    @Test
    void corpusIsReproducible() {
        Input a = HttpFuzzCorpus.input(SEED, 1234);
        Input b = HttpFuzzCorpus.generate(SEED, 1235).get(1234);
        assertEquals(a.kind(), b.kind());
        assertEquals(java.util.Arrays.toString(a.bytes()), java.util.Arrays.toString(b.bytes()));
    }
}
