package io.reactiveuring.http.codec;

/**
 * How the body of an encoded response is delimited, as decided by {@link HttpResponseEncoder} (and reported by
 * {@link HttpResponseHead#framing()}): the caller writes the body bytes accordingly.
 *
 * <p>Threading: immutable, any thread. Ownership: nothing to own.
 */
public enum BodyFraming {
    /** No body bytes follow: a HEAD request, or a 1xx, 204 or 304 status. */
    NONE,
    /** Exactly {@code Content-Length} raw bytes follow. */
    CONTENT_LENGTH,
    /** The body follows as chunks ({@link HttpResponseEncoder#encodeChunk}), ended by the last chunk. */
    CHUNKED,
    /**
     * Raw bytes follow and the end of the body is the end of the connection: an HTTP/1.0 client and a body of
     * unknown length. The connection is not persistent.
     */
    CLOSE_DELIMITED
}
