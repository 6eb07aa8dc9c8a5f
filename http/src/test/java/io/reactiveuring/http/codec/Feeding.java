package io.reactiveuring.http.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Ways to feed bytes to a decoder as a connection would receive them. Each piece is copied into native memory of
 * a confined arena that is closed as soon as {@code feed} returns, like a receive buffer released after its
 * callback: if the decoder (or anything it handed out) touched fed memory later, that access would throw.
 */
final class Feeding {
    private Feeding() {
    }

    /** Feeds {@code bytes[from, to)} as one receive buffer, released right after. */
    static void feedPiece(HttpRequestDecoder decoder, byte[] bytes, int from, int to) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment piece = arena.allocate(Math.max(1, to - from)).asSlice(0, to - from);
            MemorySegment.copy(bytes, from, piece, ValueLayout.JAVA_BYTE, 0, to - from);
            decoder.feed(piece);
        }
    }

    /** Decodes {@code bytes} fed at the given cut points (sorted, within the array). */
    static RecordingListener decodeCut(HttpDecoderOptions options, byte[] bytes, List<Integer> cuts) {
        RecordingListener listener = new RecordingListener();
        HttpRequestDecoder decoder = new HttpRequestDecoder(options, listener);
        int from = 0;
        for (int cut : cuts) {
            feedPiece(decoder, bytes, from, cut);
            checkBound(decoder);
            from = cut;
        }
        feedPiece(decoder, bytes, from, bytes.length);
        checkBound(decoder);
        return listener;
    }

    static RecordingListener decodeWhole(HttpDecoderOptions options, byte[] bytes) {
        return decodeCut(options, bytes, List.of());
    }

    /** One byte per feed, from slices of one heap segment (fast enough for long inputs). */
    static RecordingListener decodeBytewise(HttpDecoderOptions options, byte[] bytes) {
        RecordingListener listener = new RecordingListener();
        HttpRequestDecoder decoder = new HttpRequestDecoder(options, listener);
        MemorySegment all = MemorySegment.ofArray(bytes);
        for (int i = 0; i < bytes.length; i++) {
            decoder.feed(all.asSlice(i, 1));
            checkBound(decoder);
        }
        return listener;
    }

    /** Random pieces of 1 to {@code maxPiece} bytes. */
    static RecordingListener decodeRandomPieces(HttpDecoderOptions options, byte[] bytes, LongSupplier random,
                                                int maxPiece) {
        RecordingListener listener = new RecordingListener();
        HttpRequestDecoder decoder = new HttpRequestDecoder(options, listener);
        int from = 0;
        while (from < bytes.length) {
            int n = 1 + (int) Math.floorMod(random.getAsLong(), (long) maxPiece);
            int to = Math.min(bytes.length, from + n);
            feedPiece(decoder, bytes, from, to);
            checkBound(decoder);
            from = to;
        }
        return listener;
    }

    /**
     * Decodes with a listener that pauses on every request and a driver that resumes after each feed, as a server
     * does while a response is being written, and trims the decoder whenever it is idle; must give the same events
     * as decoding without pauses.
     */
    static RecordingListener decodePausing(HttpDecoderOptions options, byte[] bytes, LongSupplier random,
                                           int maxPiece) {
        RecordingListener listener = new RecordingListener();
        HttpRequestDecoder decoder = new HttpRequestDecoder(options, listener);
        listener.onRequestDo(h -> decoder.pause());
        int from = 0;
        while (from < bytes.length) {
            int n = 1 + (int) Math.floorMod(random.getAsLong(), (long) maxPiece);
            int to = Math.min(bytes.length, from + n);
            feedPiece(decoder, bytes, from, to);
            checkBound(decoder);
            from = to;
            while (decoder.isPaused()) {
                decoder.resume();
                checkBound(decoder);
            }
            decoder.trim();
        }
        return listener;
    }

    static void checkBound(HttpRequestDecoder decoder) {
        long limit = decoder.options().retainedBytesLimit();
        if (decoder.retainedBytes() > limit) {
            throw new AssertionError("decoder retains " + decoder.retainedBytes() + " bytes, limit " + limit);
        }
        if (decoder.bufferedBytes() > decoder.retainedBytes()) {
            throw new AssertionError("buffered " + decoder.bufferedBytes() + " > retained " + decoder.retainedBytes());
        }
    }
}
