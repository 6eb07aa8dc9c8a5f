package io.reactiveuring.http.codec;

/**
 * The protocol version of a decoded request. A request line with {@code HTTP/1.x} for a minor version above 1 is
 * decoded as {@link #HTTP_1_1} (RFC 9110 §2.5: a recipient treats a higher minor version as the highest one it
 * implements); its received minor version stays available as {@link HttpRequestHead#minorVersion()}. Other major
 * versions are answered with 505.
 *
 * <p>Threading: immutable, any thread. Ownership: nothing to own.
 */
public enum HttpVersion {
    /** HTTP/1.0: persistent only with {@code Connection: keep-alive}, no chunked transfer coding. */
    HTTP_1_0("HTTP/1.0"),
    /** HTTP/1.1 (and 1.x above it). */
    HTTP_1_1("HTTP/1.1");

    private final String text;

    HttpVersion(String text) {
        this.text = text;
    }

    /**
     * The version as written in a start line.
     *
     * @return e.g. {@code HTTP/1.1}
     */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
