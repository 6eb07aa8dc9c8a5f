package io.reactiveuring.http.codec;

/**
 * A decoded request line and header section, with what the decoder concluded from them: the body's framing
 * ({@link #contentLength()}, {@link #isChunked()}), persistence ({@link #keepAlive()}) and the 100-continue
 * expectation. The decoder makes one per request and hands it to {@link HttpDecoderListener#onRequest}; the request
 * target and field values stay bytes until a {@code String} is asked for.
 *
 * <p>Threading: immutable; safe to read from any thread after it was handed over with a happens-before edge.
 * Ownership: owns a copy of the head's bytes (never the receive buffer), so it may be kept for as long as the
 * request is handled, across later receives and pipelined requests.
 */
public final class HttpRequestHead extends HttpFields {
    private final HttpMethod method;
    private final HttpVersion version;
    private final int minorVersion;
    private final RequestTargetForm targetForm;
    private final int targetStart;
    private final int targetEnd;
    /** For the absolute and authority forms: the authority within the target; otherwise -1. */
    private final int authorityStart;
    private final int authorityEnd;
    private final int hostIndex;
    private final long contentLength;
    private final boolean chunked;
    private final boolean keepAlive;
    private final boolean expectsContinue;

    HttpRequestHead(byte[] bytes, int[] fields, int count, HttpMethod method, HttpVersion version, int minorVersion,
                    RequestTargetForm targetForm, int targetStart, int targetEnd, int authorityStart,
                    int authorityEnd, int hostIndex, long contentLength, boolean chunked, boolean keepAlive,
                    boolean expectsContinue) {
        super(bytes, fields, count);
        this.method = method;
        this.version = version;
        this.minorVersion = minorVersion;
        this.targetForm = targetForm;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.authorityStart = authorityStart;
        this.authorityEnd = authorityEnd;
        this.hostIndex = hostIndex;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.keepAlive = keepAlive;
        this.expectsContinue = expectsContinue;
    }

    /**
     * The request method.
     *
     * @return a constant of {@link HttpMethod} for the standard methods
     */
    public HttpMethod method() {
        return method;
    }

    /**
     * Whether this is a HEAD request: its response has a header section and never a body.
     *
     * @return true for {@code HEAD}
     */
    public boolean isHeadRequest() {
        return method == HttpMethod.HEAD;
    }

    /**
     * The protocol version, with 1.x above 1.1 decoded as 1.1.
     *
     * @return {@link HttpVersion#HTTP_1_0} or {@link HttpVersion#HTTP_1_1}
     */
    public HttpVersion version() {
        return version;
    }

    /**
     * The minor version digit as received.
     *
     * @return 0 to 9 (e.g. 2 for {@code HTTP/1.2}, whose {@link #version()} is 1.1)
     */
    public int minorVersion() {
        return minorVersion;
    }

    /**
     * The form of the request target.
     *
     * @return origin, absolute, authority or asterisk
     */
    public RequestTargetForm targetForm() {
        return targetForm;
    }

    /**
     * The request target exactly as received.
     *
     * @return a new string, e.g. {@code /plaintext?x=1}
     */
    public String target() {
        return latin1(targetStart, targetEnd);
    }

    /**
     * The length of the request target in bytes.
     *
     * @return its length
     */
    public int targetLength() {
        return targetEnd - targetStart;
    }

    /**
     * Whether the request target equals {@code target} byte for byte (case-sensitive), without allocating.
     *
     * @param target the target to compare with
     * @return true if equal
     */
    public boolean targetEquals(CharSequence target) {
        int n = targetEnd - targetStart;
        if (target.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if ((bytes[targetStart + i] & 0xFF) != target.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The path of the target: for the origin form the part before {@code ?}; for the absolute form the part
     * between the authority and {@code ?} ({@code /} if empty, RFC 9112 §3.2.1); {@code *} for the asterisk form;
     * empty for the authority form.
     *
     * @return a new string
     */
    public String path() {
        return switch (targetForm) {
            case ORIGIN -> latin1(targetStart, queryMark(targetStart));
            case ABSOLUTE -> {
                int end = queryMark(authorityEnd);
                yield end == authorityEnd ? "/" : latin1(authorityEnd, end);
            }
            case ASTERISK -> "*";
            case AUTHORITY -> "";
        };
    }

    /**
     * The query of the target, without the {@code ?}.
     *
     * @return a new string, or null if the target has no {@code ?}
     */
    public String query() {
        if (targetForm != RequestTargetForm.ORIGIN && targetForm != RequestTargetForm.ABSOLUTE) {
            return null;
        }
        int mark = queryMark(targetForm == RequestTargetForm.ORIGIN ? targetStart : authorityEnd);
        return mark == targetEnd ? null : latin1(mark + 1, targetEnd);
    }

    /**
     * The authority the request is for: from the target in the absolute and authority forms (RFC 9112 §3.2.2: an
     * origin server then ignores {@code Host}), otherwise the {@code Host} field's value.
     *
     * @return a new string such as {@code localhost:8080}, or null if there is none (HTTP/1.0 without Host)
     */
    public String authority() {
        if (authorityStart >= 0) {
            return latin1(authorityStart, authorityEnd);
        }
        return hostIndex < 0 ? null : value(hostIndex);
    }

    /**
     * The body length from {@code Content-Length}.
     *
     * @return the length in bytes; 0 for a request without body; -1 for a chunked body (length unknown)
     */
    public long contentLength() {
        return contentLength;
    }

    /**
     * Whether the body is chunked ({@code Transfer-Encoding: chunked}).
     *
     * @return true for a chunked body
     */
    public boolean isChunked() {
        return chunked;
    }

    /**
     * Whether a body follows the head (chunked, or a non-zero {@code Content-Length}).
     *
     * @return true if body bytes will be delivered
     */
    public boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /**
     * Whether the connection stays open after this request's response (RFC 9112 §9.3): HTTP/1.1 unless
     * {@code Connection} lists {@code close}; HTTP/1.0 only if it lists {@code keep-alive} and not {@code close}.
     * Tokens are compared ignoring case.
     *
     * @return true if persistent
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * Whether the client sent {@code Expect: 100-continue} (HTTP/1.1 only; RFC 9110 §10.1.1 has a server ignore it
     * in HTTP/1.0): answer {@link HttpResponseEncoder#encodeContinue()} before reading the body, or a final status
     * instead.
     *
     * @return true if the client waits for 100 Continue
     */
    public boolean expectsContinue() {
        return expectsContinue;
    }

    /**
     * Whether {@code Connection} lists {@code token}, ignoring case (e.g. {@code upgrade}).
     *
     * @param token a connection option
     * @return true if listed in any Connection field line
     */
    public boolean connectionHasToken(CharSequence token) {
        for (int i = indexOf(HttpHeader.CONNECTION, 0); i >= 0; i = indexOf(HttpHeader.CONNECTION, i + 1)) {
            int s = i * SLOTS;
            int end = fields[s + 3];
            int p = fields[s + 2];
            while (p < end) {
                int comma = p;
                while (comma < end && bytes[comma] != ',') {
                    comma++;
                }
                int a = p;
                int b = comma;
                while (a < b && Ascii.isWhitespace(bytes[a])) {
                    a++;
                }
                while (b > a && Ascii.isWhitespace(bytes[b - 1])) {
                    b--;
                }
                if (Ascii.equalsIgnoreCase(bytes, a, b, token)) {
                    return true;
                }
                p = comma + 1;
            }
        }
        return false;
    }

    private int queryMark(int from) {
        for (int i = from; i < targetEnd; i++) {
            if (bytes[i] == '?') {
                return i;
            }
        }
        return targetEnd;
    }

    @Override
    public String toString() {
        return method + " " + target() + " " + version + " " + super.toString();
    }
}
