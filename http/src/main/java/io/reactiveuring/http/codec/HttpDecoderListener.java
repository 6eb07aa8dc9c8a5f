package io.reactiveuring.http.codec;

import java.lang.foreign.MemorySegment;

/**
 * Receives what an {@link HttpRequestDecoder} decodes, in order: for each request {@link #onRequest}, then zero or
 * more {@link #onBody}, then {@link #onRequestEnd}; or, at any point, {@link #onError} once, after which nothing
 * more arrives. Pipelined requests follow one another in the order received.
 *
 * <p>Threading: called on the thread that calls {@link HttpRequestDecoder#feed} or
 * {@link HttpRequestDecoder#resume()} (the connection's loop thread), synchronously, from inside that call. A
 * callback may call {@link HttpRequestDecoder#pause()} and {@link HttpRequestDecoder#resume()}, but not
 * {@code feed}. An exception thrown by a callback leaves the decoder failed and propagates out of {@code feed}.
 *
 * <p>Ownership: the head and trailers belong to the listener (copies; keep them as long as needed). The body bytes
 * are lent only for the duration of {@link #onBody}: copy them, or retain the buffer they lie in, before returning.
 */
public interface HttpDecoderListener {
    /**
     * A request line and header section were decoded and accepted.
     *
     * @param head the request head; {@link HttpRequestHead#hasBody()} says whether body bytes follow
     */
    void onRequest(HttpRequestHead head);

    /**
     * The next bytes of the current request's body (de-chunked), valid only during this call. They are a slice of
     * the memory given to {@code feed}; a caller that fed a {@code UringBuffer} can keep them without copying by
     * retaining a slice of it: {@code buffer.slice((int) (bytes.address() - buffer.segment().address()), (int)
     * bytes.byteSize()).retain()}. Bytes that were held across a {@link HttpRequestDecoder#pause() pause} come
     * from the decoder's own heap storage instead ({@code bytes.isNative()} is false): copy those.
     *
     * @param bytes a non-empty slice of the body
     */
    void onBody(MemorySegment bytes);

    /**
     * The current request is complete (its whole body, if any, was delivered).
     *
     * @param trailers the trailer fields of a chunked body, or {@link HttpFields#EMPTY}
     */
    void onRequestEnd(HttpFields trailers);

    /**
     * The input is not a valid request (or exceeds a limit). The decoder has stopped and ignores further input;
     * answer with {@link HttpResponseEncoder#encodeError(HttpDecodeException)} and close the connection.
     *
     * @param error the status, reason and close flag
     */
    void onError(HttpDecodeException error);
}
