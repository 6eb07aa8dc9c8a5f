package io.reactiveuring.http.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * A response's status and header fields, to be written by {@link HttpResponseEncoder}; reusable (call
 * {@link #clear()}), so a server can keep one per connection and encode every response without allocating. The
 * framing fields are the encoder's: {@code Content-Length}, {@code Transfer-Encoding}, {@code Connection} and
 * {@code Date} cannot be added; say {@link #contentLength(long)} and {@link #closeConnection()} instead. After
 * encoding, {@link #framing()} and {@link #persistent()} say what the encoder decided.
 *
 * <p>Names and values are checked when added (a name must be a token; a value must not contain CR, LF, NUL or
 * other control characters except HTAB, nor characters above 0xFF), so no input can split the response.
 *
 * <p>Threading: not thread-safe; one thread at a time. Ownership: keeps references to the strings it was given
 * (immutable); no buffer.
 */
public final class HttpResponseHead {
    private int status = HttpStatus.OK;
    private String reason;
    private Object[] names = new Object[8];
    private String[] values = new String[8];
    private int count;
    private long contentLength = -1;
    private boolean close;
    private BodyFraming framing;
    private boolean persistent;

    /** A 200 response with no fields and an unknown body length. */
    public HttpResponseHead() {
    }

    /**
     * Sets the status, with the standard reason phrase.
     *
     * @param code 100 to 599
     * @return this
     * @throws IllegalArgumentException if {@code code} is not a three-digit status
     */
    public HttpResponseHead status(int code) {
        return status(code, null);
    }

    /**
     * Sets the status with a reason phrase of your own.
     *
     * @param code   100 to 599
     * @param reason the phrase, or null for the standard one
     * @return this
     * @throws IllegalArgumentException if {@code code} is not a three-digit status or the phrase has a control
     *                                  character
     */
    public HttpResponseHead status(int code, String reason) {
        if (!HttpStatus.isValid(code)) {
            throw new IllegalArgumentException("not a status code: " + code);
        }
        if (reason != null) {
            checkValue(reason);
        }
        this.status = code;
        this.reason = reason;
        return this;
    }

    /**
     * Adds a field with a well-known name.
     *
     * @param name  the name
     * @param value the value (ISO-8859-1 characters, no CR/LF/controls)
     * @return this
     * @throws IllegalArgumentException if the name is a framing field or the value is invalid
     */
    public HttpResponseHead add(HttpHeader name, String value) {
        Objects.requireNonNull(name, "name");
        checkNotFraming(name);
        return append(name, value);
    }

    /**
     * Adds a field.
     *
     * @param name  a token
     * @param value the value (ISO-8859-1 characters, no CR/LF/controls)
     * @return this
     * @throws IllegalArgumentException if the name is not a token, is a framing field, or the value is invalid
     */
    public HttpResponseHead add(String name, String value) {
        Objects.requireNonNull(name, "name");
        HttpHeader known = HttpHeader.of(name);
        if (known != null) {
            return add(known, value);
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty field name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7F || !Ascii.is((byte) c, Ascii.TCHAR)) {
                throw new IllegalArgumentException("field name is not a token: " + name);
            }
        }
        return append(name, value);
    }

    /**
     * Sets the body length: the encoder writes {@code Content-Length}. Unknown ({@code -1}, the default) means a
     * chunked body for HTTP/1.1 clients and a close-delimited one for HTTP/1.0 clients.
     *
     * @param length bytes of body, or -1 for unknown
     * @return this
     * @throws IllegalArgumentException if {@code length < -1}
     */
    public HttpResponseHead contentLength(long length) {
        if (length < -1) {
            throw new IllegalArgumentException("content length must be >= -1: " + length);
        }
        this.contentLength = length;
        return this;
    }

    /**
     * Closes the connection after this response: the encoder writes {@code Connection: close}.
     *
     * @return this
     */
    public HttpResponseHead closeConnection() {
        this.close = true;
        return this;
    }

    /**
     * Back to a 200 response with no fields, unknown length, not closing.
     *
     * @return this
     */
    public HttpResponseHead clear() {
        status = HttpStatus.OK;
        reason = null;
        Arrays.fill(names, 0, count, null);
        Arrays.fill(values, 0, count, null);
        count = 0;
        contentLength = -1;
        close = false;
        framing = null;
        persistent = false;
        return this;
    }

    /**
     * The status code.
     *
     * @return 100 to 599
     */
    public int status() {
        return status;
    }

    /**
     * The body length set with {@link #contentLength(long)}.
     *
     * @return bytes, or -1 for unknown
     */
    public long contentLength() {
        return contentLength;
    }

    /**
     * The number of fields added.
     *
     * @return the count
     */
    public int size() {
        return count;
    }

    /**
     * How the encoder framed the body of the last encoding of this head.
     *
     * @return the framing, or null before encoding
     */
    public BodyFraming framing() {
        return framing;
    }

    /**
     * Whether the connection stays open after this response, as decided by the last encoding.
     *
     * @return true if the next request may follow on the same connection
     */
    public boolean persistent() {
        return persistent;
    }

    // ------------------------------------------------------------------------------------------------ encoder side

    String reasonOverride() {
        return reason;
    }

    boolean closeRequested() {
        return close;
    }

    Object nameAt(int i) {
        return names[i];
    }

    String valueAt(int i) {
        return values[i];
    }

    void encoded(BodyFraming framing, boolean persistent) {
        this.framing = framing;
        this.persistent = persistent;
    }

    private HttpResponseHead append(Object name, String value) {
        Objects.requireNonNull(value, "value");
        checkValue(value);
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            values = Arrays.copyOf(values, count * 2);
        }
        names[count] = name;
        values[count] = value;
        count++;
        return this;
    }

    private static void checkNotFraming(HttpHeader name) {
        switch (name) {
            case CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION, DATE ->
                    throw new IllegalArgumentException(name + " is written by the encoder");
            default -> {
            }
        }
    }

    private static void checkValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xFF || ((c < 0x20 && c != '\t') || c == 0x7F)) {
                throw new IllegalArgumentException("invalid character 0x" + Integer.toHexString(c)
                        + " in field value");
            }
        }
    }
}
