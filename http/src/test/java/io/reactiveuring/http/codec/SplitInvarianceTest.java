package io.reactiveuring.http.codec;

import io.reactiveuring.http.codec.SampleRequests.Sample;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A request split across receive buffers at any byte decodes exactly as in one piece: every sample, fed whole, in
 * two pieces cut at each index, one byte at a time, in random pieces and with a pause after every request; with
 * SWAR and with byte-loop scanning. Every piece lives in memory that is freed right after its feed.
 */
class SplitInvarianceTest {

    static Stream<Arguments> samples() {
        List<Arguments> args = new ArrayList<>();
        for (Sample s : SampleRequests.all()) {
            args.add(Arguments.of(s, true));
            args.add(Arguments.of(s, false));
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0}, swar={1}")
    @MethodSource("samples")
    void everySplitPointDecodesLikeTheWhole(Sample sample, boolean swar) {
        HttpDecoderOptions options = HttpDecoderOptions.defaults().withSwarScanning(swar);
        RecordingListener whole = Feeding.decodeWhole(options, sample.bytes());
        assertNull(whole.error, () -> "error: " + whole.events);
        assertEquals(sample.requests(), whole.completed(), () -> whole.events.toString());

        for (int cut = 1; cut < sample.bytes().length; cut++) {
            RecordingListener split = Feeding.decodeCut(options, sample.bytes(), List.of(cut));
            int at = cut;
            assertEquals(whole.events, split.events, () -> "split at " + at);
        }
        assertEquals(whole.events, Feeding.decodeBytewise(options, sample.bytes()).events, "one byte at a time");
        SplittableRandom random = new SplittableRandom(sample.name().hashCode());
        for (int round = 0; round < 20; round++) {
            assertEquals(whole.events,
                    Feeding.decodeRandomPieces(options, sample.bytes(), random::nextLong, 16).events);
            assertEquals(whole.events, Feeding.decodePausing(options, sample.bytes(), random::nextLong, 64).events);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void swarAndByteLoopDecodeAlike(Sample sample, boolean ignored) {
        assertEquals(Feeding.decodeWhole(HttpDecoderOptions.defaults().withSwarScanning(true), sample.bytes()).events,
                Feeding.decodeWhole(HttpDecoderOptions.defaults().withSwarScanning(false), sample.bytes()).events);
    }

    @ParameterizedTest(name = "swar={0}")
    @MethodSource("swarModes")
    void allSamplesPipelinedInOneStreamSplitAnywhere(boolean swar) {
        HttpDecoderOptions options = HttpDecoderOptions.defaults().withSwarScanning(swar);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int requests = 0;
        for (Sample s : SampleRequests.all()) {
            stream.writeBytes(s.bytes());
            requests += s.requests();
        }
        byte[] all = stream.toByteArray();
        RecordingListener whole = Feeding.decodeWhole(options, all);
        assertNull(whole.error, () -> "error: " + whole.events);
        assertEquals(requests, whole.completed());
        for (int cut = 1; cut < all.length; cut++) {
            int at = cut;
            assertEquals(whole.events, Feeding.decodeCut(options, all, List.of(cut)).events, () -> "split at " + at);
        }
        RecordingListener bytewise = Feeding.decodeBytewise(options, all);
        assertEquals(whole.events, bytewise.events);
        assertFalse(new HttpRequestDecoder(options, new RecordingListener()).inRequest());
    }

    static Stream<Boolean> swarModes() {
        return Stream.of(true, false);
    }
}
