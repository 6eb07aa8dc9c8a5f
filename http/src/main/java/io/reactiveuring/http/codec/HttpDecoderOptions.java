package io.reactiveuring.http.codec;

/**
 * The limits and choices of an {@link HttpRequestDecoder}, each with the status a request gets for exceeding it.
 * Every error closes the connection ({@link HttpDecodeException}). Start from {@link #defaults()} and change what
 * you need with the {@code with...} methods.
 *
 * <p>Threading: immutable, any thread. Ownership: nothing to own.
 *
 * @param maxRequestLineLength          longest request line, CRLF excluded; longer → 414 URI Too Long
 * @param maxHeaderSectionSize          most bytes of header field lines (each with its CRLF, the final empty line
 *                                      excluded); more → 431 Request Header Fields Too Large
 * @param maxHeaderCount                most header field lines, and most trailer field lines; more → 431
 * @param maxBodySize                   largest body: a larger {@code Content-Length}, or chunks adding up to more,
 *                                      → 413 Content Too Large
 * @param maxChunkLineLength            longest chunk-size line with its extensions (which are ignored), CRLF
 *                                      excluded; longer → 400
 * @param maxTrailerSectionSize         most bytes of trailer field lines; more → 431
 * @param maxEmptyLinesBeforeRequest    how many empty lines (CRLF) before a request line are skipped (RFC 9112
 *                                      §2.2); more → 400
 * @param maxHeldBytes                  most input the decoder keeps while {@link HttpRequestDecoder#pause()
 *                                      paused} (a server stops reading then; this bounds what was already in
 *                                      flight); more → 503 Service Unavailable
 * @param acceptIdenticalContentLengths whether repeated {@code Content-Length} values that are all equal (two
 *                                      lines, or a list such as {@code 5, 5}) are accepted as that one value, as
 *                                      RFC 9110 §8.6 allows; if false they are a 400. Differing values are always
 *                                      a 400
 * @param swarScanning                  scan for line ends and invalid bytes eight bytes at a time (true, the
 *                                      faster one as measured by {@code HttpDecodeBenchmark}) or one byte at a
 *                                      time; both decode identically
 */
public record HttpDecoderOptions(int maxRequestLineLength, int maxHeaderSectionSize, int maxHeaderCount,
                                 long maxBodySize, int maxChunkLineLength, int maxTrailerSectionSize,
                                 int maxEmptyLinesBeforeRequest, int maxHeldBytes,
                                 boolean acceptIdenticalContentLengths, boolean swarScanning) {

    private static final HttpDecoderOptions DEFAULTS = new HttpDecoderOptions(8 * 1024, 16 * 1024, 100,
            8L * 1024 * 1024, 1024, 8 * 1024, 8, 256 * 1024, true, true);

    /** The most any single limit may be: keeps every offset of the decoder's storage well inside an int. */
    static final int MAX_LIMIT = 64 * 1024 * 1024;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a length or count is below 1 (0 is allowed for
     *                                  {@code maxEmptyLinesBeforeRequest} and {@code maxBodySize}) or above 64 MiB
     */
    public HttpDecoderOptions {
        check("maxRequestLineLength", maxRequestLineLength, 16);
        check("maxHeaderSectionSize", maxHeaderSectionSize, 1);
        check("maxHeaderCount", maxHeaderCount, 1);
        check("maxChunkLineLength", maxChunkLineLength, 1);
        check("maxTrailerSectionSize", maxTrailerSectionSize, 1);
        check("maxEmptyLinesBeforeRequest", maxEmptyLinesBeforeRequest, 0);
        check("maxHeldBytes", maxHeldBytes, 1);
        if (maxBodySize < 0) {
            throw new IllegalArgumentException("maxBodySize must not be negative: " + maxBodySize);
        }
    }

    private static void check(String name, int value, int min) {
        if (value < min || value > MAX_LIMIT) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + MAX_LIMIT + "]: " + value);
        }
    }

    /**
     * The defaults: request line 8 KiB, header section 16 KiB and 100 fields, body 8 MiB, chunk line 1 KiB,
     * trailers 8 KiB, 8 leading empty lines, 256 KiB held while paused, identical Content-Lengths accepted, SWAR
     * scanning.
     *
     * @return the default options
     */
    public static HttpDecoderOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxRequestLineLength} changed
     */
    public HttpDecoderOptions withMaxRequestLineLength(int value) {
        return new HttpDecoderOptions(value, maxHeaderSectionSize, maxHeaderCount, maxBodySize, maxChunkLineLength,
                maxTrailerSectionSize, maxEmptyLinesBeforeRequest, maxHeldBytes, acceptIdenticalContentLengths,
                swarScanning);
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxHeaderSectionSize} changed
     */
    public HttpDecoderOptions withMaxHeaderSectionSize(int value) {
        return new HttpDecoderOptions(maxRequestLineLength, value, maxHeaderCount, maxBodySize, maxChunkLineLength,
                maxTrailerSectionSize, maxEmptyLinesBeforeRequest, maxHeldBytes, acceptIdenticalContentLengths,
                swarScanning);
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxHeaderCount} changed
     */
    public HttpDecoderOptions withMaxHeaderCount(int value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, value, maxBodySize,
                maxChunkLineLength, maxTrailerSectionSize, maxEmptyLinesBeforeRequest, maxHeldBytes,
                acceptIdenticalContentLengths, swarScanning);
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxBodySize} changed
     */
    public HttpDecoderOptions withMaxBodySize(long value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, maxHeaderCount, value,
                maxChunkLineLength, maxTrailerSectionSize, maxEmptyLinesBeforeRequest, maxHeldBytes,
                acceptIdenticalContentLengths, swarScanning);
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxChunkLineLength} changed
     */
    public HttpDecoderOptions withMaxChunkLineLength(int value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, maxHeaderCount, maxBodySize,
                value, maxTrailerSectionSize, maxEmptyLinesBeforeRequest, maxHeldBytes,
                acceptIdenticalContentLengths, swarScanning);
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxTrailerSectionSize} changed
     */
    public HttpDecoderOptions withMaxTrailerSectionSize(int value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, maxHeaderCount, maxBodySize,
                maxChunkLineLength, value, maxEmptyLinesBeforeRequest, maxHeldBytes, acceptIdenticalContentLengths,
                swarScanning);
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxEmptyLinesBeforeRequest} changed
     */
    public HttpDecoderOptions withMaxEmptyLinesBeforeRequest(int value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, maxHeaderCount, maxBodySize,
                maxChunkLineLength, maxTrailerSectionSize, value, maxHeldBytes, acceptIdenticalContentLengths,
                swarScanning);
    }

    /**
     * A copy with one limit changed.
     *
     * @param value the new limit
     * @return a copy with {@code maxHeldBytes} changed
     */
    public HttpDecoderOptions withMaxHeldBytes(int value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, maxHeaderCount, maxBodySize,
                maxChunkLineLength, maxTrailerSectionSize, maxEmptyLinesBeforeRequest, value,
                acceptIdenticalContentLengths, swarScanning);
    }

    /**
     * A copy with one choice changed.
     *
     * @param value the new choice
     * @return a copy with {@code acceptIdenticalContentLengths} changed
     */
    public HttpDecoderOptions withAcceptIdenticalContentLengths(boolean value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, maxHeaderCount, maxBodySize,
                maxChunkLineLength, maxTrailerSectionSize, maxEmptyLinesBeforeRequest, maxHeldBytes, value,
                swarScanning);
    }

    /**
     * A copy with one choice changed.
     *
     * @param value the new choice
     * @return a copy with {@code swarScanning} changed
     */
    public HttpDecoderOptions withSwarScanning(boolean value) {
        return new HttpDecoderOptions(maxRequestLineLength, maxHeaderSectionSize, maxHeaderCount, maxBodySize,
                maxChunkLineLength, maxTrailerSectionSize, maxEmptyLinesBeforeRequest, maxHeldBytes,
                acceptIdenticalContentLengths, value);
    }

    /**
     * The most storage (in bytes) a decoder with these options keeps at any time, partial lines and held input
     * together: what {@link HttpRequestDecoder#retainedBytes()} never exceeds.
     *
     * @return the bound
     */
    public long retainedBytesLimit() {
        return (long) lineStorageLimit() + maxHeldBytes;
    }

    /**
     * The most bytes of the line storage: the longest head (request line with CRLF, header lines, the final CRLF and
     * a partial line's allowance), trailer section or chunk line, plus one copy window of unparsed input.
     */
    int lineStorageLimit() {
        int head = maxRequestLineLength + 2 + maxHeaderSectionSize + 3;
        int trailers = maxTrailerSectionSize + 3;
        int chunkLine = maxChunkLineLength + 3;
        return Math.max(head, Math.max(trailers, chunkLine)) + HttpRequestDecoder.HEAD_WINDOW;
    }
}
