package io.reactiveuring.http.codec;

/**
 * A request the decoder refuses: the status to answer with ({@code 400}, {@code 413}, {@code 414}, {@code 417},
 * {@code 431}, {@code 501}, {@code 503}, {@code 505}), a reason saying what was wrong, and whether the connection
 * must be closed after the response. {@link HttpResponseEncoder#encodeError(HttpDecodeException)} turns it into a
 * self-delimiting response.
 *
 * <p>The decoder never resynchronises after an error: it stopped at the offending byte, and what follows cannot be
 * framed safely (even after a 417 the client may send the body anyway, RFC 9110 §10.1.1). So every error the
 * decoder reports has {@link #closeConnection()} true; the flag is there for errors a server raises itself while
 * the framing is intact. The exception has no stack trace: it reports the peer's input, not a bug.
 *
 * <p>Threading: immutable, any thread. Ownership: holds strings only, no buffer.
 */
public final class HttpDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The status to answer with. */
    private final int status;
    /** What was wrong. */
    private final String reason;
    /** Whether the connection must be closed after the response. */
    private final boolean closeConnection;
    /** Whether the refused request was a HEAD request. */
    private final boolean headRequest;

    /**
     * An error to answer with {@code status}.
     *
     * @param status          the response status, 400 to 599
     * @param reason          what was wrong, in plain ASCII words (it becomes the error response's body)
     * @param closeConnection whether the connection must be closed after the error response
     * @throws IllegalArgumentException if {@code status} is not 400 to 599
     */
    public HttpDecodeException(int status, String reason, boolean closeConnection) {
        this(status, reason, closeConnection, false);
    }

    HttpDecodeException(int status, String reason, boolean closeConnection, boolean headRequest) {
        super(status + " " + HttpStatus.reasonPhrase(status) + ": " + reason, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("not an error status: " + status);
        }
        this.status = status;
        this.reason = reason;
        this.closeConnection = closeConnection;
        this.headRequest = headRequest;
    }

    /**
     * The status code to answer with.
     *
     * @return 400 to 599
     */
    public int status() {
        return status;
    }

    /**
     * What was wrong.
     *
     * @return a short description, e.g. {@code whitespace between field name and colon}
     */
    public String reason() {
        return reason;
    }

    /**
     * Whether the connection must be closed after the error response.
     *
     * @return true for every error the decoder reports
     */
    public boolean closeConnection() {
        return closeConnection;
    }

    /**
     * Whether the refused request was a HEAD request (known once its request line was read): its error response
     * then has no body.
     *
     * @return true for a HEAD request
     */
    public boolean forHeadRequest() {
        return headRequest;
    }
}
