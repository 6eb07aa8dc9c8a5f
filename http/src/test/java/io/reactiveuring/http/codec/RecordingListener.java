package io.reactiveuring.http.codec;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Records what a decoder reports as a list of comparable lines: one per head (everything the head says), one per
 * message end with the whole body (pieces joined, so how the body was split does not show) and the trailers, one
 * per error. Two decodings of the same input must produce equal lists however the input was split.
 */
public class RecordingListener implements HttpDecoderListener {
    public final List<String> events = new ArrayList<>();
    public final List<HttpRequestHead> heads = new ArrayList<>();
    public final List<byte[]> bodies = new ArrayList<>();
    public final List<HttpFields> trailers = new ArrayList<>();
    public HttpDecodeException error;
    public int bodyCallbacks;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Consumer<HttpRequestHead> onRequest = h -> { };
    private Runnable onEnd = () -> { };

    /** A listener that records everything and does nothing else. */
    public RecordingListener() {
    }

    /**
     * Something to run on each head (e.g. pause the decoder).
     *
     * @param action the action
     * @return this
     */
    public RecordingListener onRequestDo(Consumer<HttpRequestHead> action) {
        this.onRequest = action;
        return this;
    }

    /**
     * Something to run on each message end.
     *
     * @param action the action
     * @return this
     */
    public RecordingListener onEndDo(Runnable action) {
        this.onEnd = action;
        return this;
    }

    @Override
    public void onRequest(HttpRequestHead head) {
        if (error != null) {
            throw new AssertionError("head after error");
        }
        heads.add(head);
        events.add(describe(head));
        onRequest.accept(head);
    }

    @Override
    public void onBody(MemorySegment bytes) {
        if (bytes.byteSize() == 0) {
            throw new AssertionError("empty body callback");
        }
        bodyCallbacks++;
        body.writeBytes(bytes.toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public void onRequestEnd(HttpFields trailers) {
        byte[] b = body.toByteArray();
        body.reset();
        bodies.add(b);
        this.trailers.add(trailers);
        events.add("END body=" + b.length + ":" + new String(b, StandardCharsets.ISO_8859_1) + " trailers="
                + trailers);
        onEnd.run();
    }

    @Override
    public void onError(HttpDecodeException error) {
        if (this.error != null) {
            throw new AssertionError("second error " + error + " after " + this.error);
        }
        this.error = error;
        events.add("ERROR " + error.status() + " close=" + error.closeConnection() + " " + error.reason());
    }

    /**
     * Completed requests.
     *
     * @return the number of message ends seen
     */
    public int completed() {
        return bodies.size();
    }

    static String describe(HttpRequestHead h) {
        return "REQUEST " + h.method() + " " + h.target() + " " + h.version() + " minor=" + h.minorVersion()
                + " form=" + h.targetForm() + " path=" + h.path() + " query=" + h.query() + " authority="
                + h.authority() + " length=" + h.contentLength() + " chunked=" + h.isChunked() + " keepAlive="
                + h.keepAlive() + " continue=" + h.expectsContinue() + " fields=" + h;
    }
}
