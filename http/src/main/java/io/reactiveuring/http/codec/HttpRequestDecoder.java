package io.reactiveuring.http.codec;

import io.reactiveuring.core.buffer.UringBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An incremental HTTP/1.1 request decoder (RFC 9112, with the message rules of RFC 9110): feed it the bytes of one
 * connection as they arrive, in pieces of any size, and it reports each request to its {@link HttpDecoderListener}.
 * A request split across receives at any byte decodes exactly as in one piece; several pipelined requests in one
 * receive are all decoded, in order.
 *
 * <h2>How it works</h2>
 * Line-oriented parts (the head, chunk-size lines, trailers) are copied into the decoder's own line storage, a
 * window of at most {@value #HEAD_WINDOW} bytes at a time, and parsed there: a SWAR scan finds each line's LF, then
 * the line is validated once. A complete head is copied into its {@link HttpRequestHead} (one array of the head's
 * bytes, one of field offsets); names are matched against {@link HttpHeader}'s table while they are validated, and
 * nothing else is allocated per field. Body bytes are not copied: the part of a window that belongs to a body is
 * handed back to the input, and the body is delivered as slices of the fed memory.
 *
 * <h2>Pausing</h2>
 * {@link #pause()} stops decoding at the end of the current request (e.g. while its response is not written yet):
 * the rest of the input, and whatever is fed meanwhile, is copied into storage of the decoder (at most
 * {@link HttpDecoderOptions#maxHeldBytes()}) and decoded by {@link #resume()}.
 *
 * <h2>Errors</h2>
 * Bad input or an exceeded limit ends in {@link HttpDecoderListener#onError} with an {@link HttpDecodeException};
 * the decoder is then failed, drops its storage and ignores further input. Each check runs on a complete line (or
 * on a partial line that is already too long), so the error, too, does not depend on how the input was split.
 *
 * <p>Threading: not thread-safe. One decoder per connection, used by one thread at a time (the connection's loop
 * thread, from its receive callback); the listener is called synchronously from {@link #feed} and {@link #resume()}.
 *
 * <p>Ownership: {@code feed} reads the given memory only during the call and keeps no reference to it: the caller
 * may release its receive buffer as soon as {@code feed} returns. What must outlive the call (partial lines, held
 * input) is copied; {@link #retainedBytes()} stays within {@link HttpDecoderOptions#retainedBytesLimit()}.
 */
public final class HttpRequestDecoder {
    /** Bytes copied into line storage per step while a head is being read. */
    static final int HEAD_WINDOW = 2048;
    /** Per step for chunk lines and trailers, so that small chunks do not copy much of their data. */
    private static final int SMALL_WINDOW = 64;
    private static final int INITIAL_LINE_STORAGE = 4096;
    private static final int KEEP_HELD_UP_TO = 16 * 1024;
    private static final byte[] NO_BYTES = new byte[0];

    private static final int REQUEST_LINE = 0;
    private static final int HEADERS = 1;
    private static final int FIXED_BODY = 2;
    private static final int CHUNK_SIZE = 3;
    private static final int CHUNK_DATA = 4;
    private static final int CHUNK_END = 5;
    private static final int TRAILERS = 6;
    private static final int FAILED = 7;

    private static final String BARE_LF = "line ends with a bare LF";
    private static final String CHUNK_NOT_TERMINATED = "chunk data not followed by CRLF";

    private final HttpDecoderOptions options;
    private final HttpDecoderListener listener;
    private final boolean swar;
    private final int lineStorageLimit;

    // ------------------------------------------------------------------------------------------------ line storage
    /** Copied input of the line-oriented phases; [sectionStart, linesEnd) is live. */
    private byte[] lines = new byte[INITIAL_LINE_STORAGE];
    private int linesEnd;
    /** Start of what must be kept: the current head (from its request line), trailer section or chunk line. */
    private int sectionStart;
    /** Start of the line being parsed. */
    private int lineStart;
    /** Where the search for the current line's LF resumes (bytes before it were searched already). */
    private int scanFrom;

    private int phase = REQUEST_LINE;

    // ------------------------------------------------------------------------------------------------ current message
    private int emptyLines;
    private int[] fieldScratch = new int[16 * HttpFields.SLOTS];
    private int fieldCount;
    /** Bytes of the complete field lines of the current section, CRLFs included. */
    private int sectionBytes;
    private HttpMethod method;
    private int minorVersion;
    private RequestTargetForm targetForm;
    /** Offsets relative to sectionStart (they survive compaction of the line storage). */
    private int targetStart;
    private int targetEnd;
    private int authorityStart;
    private int authorityEnd;
    private int hostIndex;
    /** -1: no Content-Length field. */
    private long contentLength;
    private boolean transferEncoding;
    private int codingCount;
    private int chunkedCount;
    private boolean chunkedLast;
    private String unsupportedCoding;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean expectContinue;
    private boolean expectUnknown;
    /** Bytes left of the fixed body or of the current chunk. */
    private long remaining;
    /** Chunk bytes announced so far, against maxBodySize. */
    private long bodyBytes;

    // ------------------------------------------------------------------------------------------------ pause
    /** Input kept while paused: [heldStart, heldEnd). */
    private byte[] held;
    private int heldStart;
    private int heldEnd;
    private boolean pauseRequested;
    private boolean paused;
    private boolean processing;
    private boolean listenerFailed;

    // ------------------------------------------------------------------------------------------------ current input
    private MemorySegment src;
    private long srcStart;
    private long srcPos;
    private long srcEnd;

    /**
     * A decoder for one connection.
     *
     * @param options  limits and choices
     * @param listener receives the decoded requests
     */
    public HttpRequestDecoder(HttpDecoderOptions options, HttpDecoderListener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.swar = options.swarScanning();
        this.lineStorageLimit = options.lineStorageLimit();
        resetMessage();
    }

    // ------------------------------------------------------------------------------------------------ API

    /**
     * Decodes {@code bytes}, the next input of the connection, calling the listener for what completes. All of it
     * is consumed: decoded, or copied into the decoder's storage (a partial line, or input while paused). Input after
     * an error is ignored.
     *
     * @param bytes the received bytes (native or heap memory), read only during this call
     * @throws IllegalStateException if called from a listener callback
     */
    public void feed(MemorySegment bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (processing) {
            throw new IllegalStateException("feed called from a listener callback");
        }
        if (phase == FAILED) {
            return;
        }
        if (paused) {
            try {
                hold(bytes, 0, bytes.byteSize());
            } catch (HttpDecodeException e) {
                fail(e);
            }
            return;
        }
        run(bytes, 0, bytes.byteSize(), false);
    }

    /**
     * {@link #feed(MemorySegment)} of the readable bytes of {@code buffer}; its reader index then moves to its
     * writer index (everything was consumed). The decoder keeps no reference to the buffer.
     *
     * @param buffer a receive buffer
     * @throws IllegalStateException if called from a listener callback, or if the buffer was released
     */
    public void feed(UringBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        feed(buffer.readableSegment());
        buffer.readerIndex(buffer.writerIndex());
    }

    /**
     * Stops decoding after the current request: once its {@link HttpDecoderListener#onRequestEnd} was delivered,
     * or at once if no request is in progress. Input from then on is held (copied) until {@link #resume()}.
     */
    public void pause() {
        if (phase == FAILED || paused) {
            return;
        }
        if (!processing && phase == REQUEST_LINE && linesEnd == lineStart) {
            paused = true;
        } else {
            pauseRequested = true;
        }
    }

    /**
     * Resumes after {@link #pause()}: decodes the held input at once (calling the listener), unless called from a
     * listener callback, where it only cancels the pause. A pause that has not taken effect yet is cancelled.
     */
    public void resume() {
        pauseRequested = false;
        if (!paused) {
            return;
        }
        paused = false;
        if (held != null && heldEnd > heldStart) {
            run(MemorySegment.ofArray(held), heldStart, heldEnd, true);
        }
    }

    /**
     * Whether decoding is stopped by {@link #pause()}.
     *
     * @return true while paused
     */
    public boolean isPaused() {
        return paused;
    }

    /**
     * Whether the decoder reported an error (or a listener threw) and ignores further input.
     *
     * @return true once failed
     */
    public boolean isFailed() {
        return phase == FAILED;
    }

    /**
     * Whether a request has begun but not ended: some of it was received (or is held). A server that sees the
     * connection end while this is true got a truncated request.
     *
     * @return true in the middle of a request
     */
    public boolean inRequest() {
        if (phase == FAILED) {
            return false;
        }
        return phase != REQUEST_LINE || linesEnd > lineStart || heldEnd > heldStart;
    }

    /**
     * Input the decoder keeps: a partial line or head, and input held while paused.
     *
     * @return the number of unconsumed input bytes stored
     */
    public long bufferedBytes() {
        return (long) (linesEnd - sectionStart) + (heldEnd - heldStart);
    }

    /**
     * The storage the decoder holds for input (the capacity of its line storage and of its held input), never
     * more than {@link HttpDecoderOptions#retainedBytesLimit()}.
     *
     * @return bytes of storage
     */
    public long retainedBytes() {
        return (long) lines.length + (held == null ? 0 : held.length);
    }

    /**
     * Drops the decoder's storage if it holds no input (between requests, not paused with held input), so that an
     * idle connection keeps only the decoder object itself; the storage is allocated again by the next feed. A
     * server may call it when a keep-alive connection goes idle.
     *
     * @return true if the storage was dropped
     */
    public boolean trim() {
        if (processing || phase != REQUEST_LINE || linesEnd > lineStart || heldEnd > heldStart) {
            return false;
        }
        lines = NO_BYTES;
        linesEnd = 0;
        lineStart = 0;
        scanFrom = 0;
        sectionStart = 0;
        held = null;
        heldStart = 0;
        heldEnd = 0;
        fieldScratch = new int[0];
        return true;
    }

    /**
     * The options this decoder uses.
     *
     * @return the options
     */
    public HttpDecoderOptions options() {
        return options;
    }

    // ------------------------------------------------------------------------------------------------ driving

    private void run(MemorySegment segment, long from, long to, boolean fromHeld) {
        processing = true;
        src = segment;
        srcStart = from;
        srcPos = from;
        srcEnd = to;
        try {
            decode();
            if (phase != FAILED) {
                if (srcPos < srcEnd) { // stopped by a pause: keep the rest
                    if (fromHeld) {
                        heldStart = (int) srcPos;
                    } else {
                        hold(segment, srcPos, srcEnd);
                    }
                } else if (fromHeld) {
                    heldStart = 0;
                    heldEnd = 0;
                    if (held.length > KEEP_HELD_UP_TO) {
                        held = null;
                    }
                }
                shrinkLineStorage();
            }
        } catch (HttpDecodeException e) {
            if (listenerFailed) {
                throw e;
            }
            fail(e);
        } finally {
            src = null;
            processing = false;
        }
    }

    private void decode() {
        for (;;) {
            if (phase == FIXED_BODY || phase == CHUNK_DATA) {
                if (srcPos == srcEnd) {
                    return;
                }
                deliverBody();
            } else if (!parseLines()) {
                if (srcPos == srcEnd) {
                    return;
                }
                copyWindow();
                continue;
            }
            if (paused || phase == FIXED_BODY || phase == CHUNK_DATA) {
                // what is left in the line storage is input the next part reads from the source itself
                giveBack();
                if (paused) {
                    return;
                }
            }
        }
    }

    /**
     * Returns the unparsed bytes of the line storage to the input. They were all copied from the current input in
     * this run: line storage holds earlier input only as the start of an incomplete line, and a phase can only end
     * after that line was completed by current input.
     */
    private void giveBack() {
        int excess = linesEnd - lineStart;
        srcPos -= excess;
        assert srcPos >= srcStart : "gave back input of an earlier feed";
        linesEnd = 0;
        lineStart = 0;
        scanFrom = 0;
        sectionStart = 0;
    }

    private void copyWindow() {
        int window = phase == REQUEST_LINE || phase == HEADERS ? HEAD_WINDOW : SMALL_WINDOW;
        int n = (int) Math.min(srcEnd - srcPos, window);
        ensureLineCapacity(n);
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, srcPos, lines, linesEnd, n);
        linesEnd += n;
        srcPos += n;
    }

    /** Room for {@code n} more bytes: drops what is before sectionStart, grows within the bound. */
    private void ensureLineCapacity(int n) {
        if (linesEnd + n <= lines.length) {
            return;
        }
        int live = linesEnd - sectionStart;
        int needed = live + n;
        if (needed > lineStorageLimit) {
            throw new IllegalStateException("line storage bound exceeded: " + needed + " > " + lineStorageLimit);
        }
        byte[] target = needed <= lines.length ? lines
                : new byte[Math.min(Math.max(Math.max(needed, INITIAL_LINE_STORAGE), lines.length * 2),
                lineStorageLimit)];
        moveLines(target, live);
    }

    private void moveLines(byte[] target, int live) {
        int shift = sectionStart;
        System.arraycopy(lines, shift, target, 0, live);
        lines = target;
        linesEnd = live;
        sectionStart = 0;
        lineStart -= shift;
        scanFrom -= shift;
    }

    /** After a large head, goes back to small line storage so an idle connection does not keep it. */
    private void shrinkLineStorage() {
        int live = linesEnd - sectionStart;
        if (lines.length > INITIAL_LINE_STORAGE && live <= INITIAL_LINE_STORAGE / 2) {
            moveLines(new byte[INITIAL_LINE_STORAGE], live);
        }
    }

    private void hold(MemorySegment from, long start, long end) {
        int n = (int) Math.min(end - start, Integer.MAX_VALUE);
        int have = heldEnd - heldStart;
        if (end - start > options.maxHeldBytes() - have) {
            throw new HttpDecodeException(HttpStatus.SERVICE_UNAVAILABLE, "more than " + options.maxHeldBytes()
                    + " bytes of pipelined input while the previous request is handled", true);
        }
        if (held == null || heldEnd + n > held.length) {
            int needed = have + n;
            byte[] target = held != null && needed <= held.length ? held
                    : new byte[Math.min(Math.max(needed, held == null ? 1024 : held.length * 2),
                    options.maxHeldBytes())];
            if (have > 0) {
                System.arraycopy(held, heldStart, target, 0, have);
            }
            held = target;
            heldStart = 0;
            heldEnd = have;
        }
        MemorySegment.copy(from, ValueLayout.JAVA_BYTE, start, held, heldEnd, n);
        heldEnd += n;
    }

    private void fail(HttpDecodeException e) {
        dropState();
        listener.onError(e);
    }

    private void dropState() {
        phase = FAILED;
        paused = false;
        pauseRequested = false;
        lines = NO_BYTES;
        linesEnd = 0;
        lineStart = 0;
        scanFrom = 0;
        sectionStart = 0;
        held = null;
        heldStart = 0;
        heldEnd = 0;
    }

    // ------------------------------------------------------------------------------------------------ listener

    private void emitRequest(HttpRequestHead head) {
        try {
            listener.onRequest(head);
        } catch (RuntimeException | Error t) {
            listenerThrew();
            throw t;
        }
    }

    private void emitBody(MemorySegment bytes) {
        try {
            listener.onBody(bytes);
        } catch (RuntimeException | Error t) {
            listenerThrew();
            throw t;
        }
    }

    private void emitEnd(HttpFields trailers) {
        try {
            listener.onRequestEnd(trailers);
        } catch (RuntimeException | Error t) {
            listenerThrew();
            throw t;
        }
    }

    private void listenerThrew() {
        listenerFailed = true;
        dropState();
    }

    // ------------------------------------------------------------------------------------------------ body

    private void deliverBody() {
        long n = Math.min(srcEnd - srcPos, remaining);
        MemorySegment slice = src.asSlice(srcPos, n);
        srcPos += n;
        remaining -= n;
        emitBody(slice);
        if (remaining == 0 && phase != FAILED) {
            if (phase == FIXED_BODY) {
                completeMessage(HttpFields.EMPTY);
            } else {
                phase = CHUNK_END;
            }
        }
    }

    private void completeMessage(HttpFields trailers) {
        phase = REQUEST_LINE;
        sectionStart = lineStart;
        resetMessage();
        emitEnd(trailers);
        if (pauseRequested) {
            pauseRequested = false;
            paused = true;
        }
    }

    private void resetMessage() {
        emptyLines = 0;
        fieldCount = 0;
        sectionBytes = 0;
        method = null;
        minorVersion = 1;
        targetForm = null;
        targetStart = 0;
        targetEnd = 0;
        authorityStart = -1;
        authorityEnd = -1;
        hostIndex = -1;
        contentLength = -1;
        transferEncoding = false;
        codingCount = 0;
        chunkedCount = 0;
        chunkedLast = false;
        unsupportedCoding = null;
        connectionClose = false;
        connectionKeepAlive = false;
        expectContinue = false;
        expectUnknown = false;
        remaining = 0;
        bodyBytes = 0;
    }

    // ------------------------------------------------------------------------------------------------ lines

    /**
     * Parses the complete lines in line storage.
     *
     * @return true when a phase ended (a head, a chunk line or a message), false when more input is needed
     */
    private boolean parseLines() {
        for (;;) {
            if ((phase == HEADERS || phase == TRAILERS) && scanFrom == lineStart) {
                int lf = fastFieldLine(lineStart);
                if (lf >= 0) {
                    lineStart = lf + 1;
                    scanFrom = lf + 1;
                    continue;
                }
            }
            int lf = ByteScan.indexOfLf(lines, scanFrom, linesEnd, swar);
            if (lf < 0) {
                scanFrom = linesEnd;
                checkPartialLine(linesEnd - lineStart);
                return false;
            }
            int start = lineStart;
            lineStart = lf + 1;
            scanFrom = lf + 1;
            if (onLine(start, lf)) {
                return true;
            }
        }
    }

    /**
     * The common case of a field line in one pass: a valid name, a colon, and a value whose first control character
     * other than HTAB is the CR of a CRLF. Nothing in such a line is an LF before that one, so it is exactly the line
     * the general path ({@link #onLine}) would find, and it passes the same checks in the same order; anything else
     * (an invalid byte, an incomplete line, a limit reached, the empty line) is left to the general path, which
     * then reports it.
     *
     * @return the index of the line's LF if the field was added, or -1
     */
    private int fastFieldLine(int s) {
        byte[] a = lines;
        int limit = linesEnd;
        int i = s;
        while (i < limit && Ascii.is(a[i], Ascii.TCHAR)) {
            i++;
        }
        if (i == s || i == limit || a[i] != ':') {
            return -1;
        }
        int nameEnd = i;
        int vs = i + 1;
        while (vs < limit && Ascii.isWhitespace(a[vs])) {
            vs++;
        }
        int j = vs;
        for (;;) {
            j = ByteScan.indexOfControl(a, j, limit, swar);
            if (j >= limit - 1) {
                return -1;
            }
            if (a[j] != '\t') {
                break;
            }
            j++;
        }
        if (a[j] != '\r' || a[j + 1] != '\n') {
            return -1;
        }
        int lf = j + 1;
        int lineBytes = lf + 1 - s;
        int max = phase == HEADERS ? options.maxHeaderSectionSize() : options.maxTrailerSectionSize();
        if (sectionBytes + lineBytes > max || fieldCount == options.maxHeaderCount()) {
            return -1;
        }
        addField(s, nameEnd, vs, j);
        sectionBytes += lineBytes;
        return lf;
    }

    /**
     * Fails early on a line that is not complete yet but already breaks its limit, with the same error the complete
     * line would get (a line of {@code p} bytes without its LF has at least {@code p - 1} bytes of content).
     */
    private void checkPartialLine(int p) {
        switch (phase) {
            case REQUEST_LINE -> {
                if (p > options.maxRequestLineLength() + 1) {
                    throw requestLineTooLong();
                }
            }
            case HEADERS -> {
                if (sectionBytes + p > options.maxHeaderSectionSize() + 1) {
                    throw headerSectionTooLarge();
                }
            }
            case TRAILERS -> {
                if (sectionBytes + p > options.maxTrailerSectionSize() + 1) {
                    throw trailerSectionTooLarge();
                }
            }
            case CHUNK_SIZE -> {
                if (p > options.maxChunkLineLength() + 1) {
                    throw chunkLineTooLong();
                }
            }
            case CHUNK_END -> {
                if (p >= 2 || (p == 1 && lines[lineStart] != '\r')) {
                    throw bad(CHUNK_NOT_TERMINATED);
                }
            }
            default -> throw new IllegalStateException("no lines in phase " + phase);
        }
    }

    /** One complete line {@code [start, lf]}; returns true if a phase ended. */
    private boolean onLine(int start, int lf) {
        int end = lf > start && lines[lf - 1] == '\r' ? lf - 1 : lf; // content end: the CR, or a bare LF
        switch (phase) {
            case REQUEST_LINE -> {
                if (end - start > options.maxRequestLineLength()) {
                    throw requestLineTooLong();
                }
                if (end == lf) {
                    throw bad(BARE_LF);
                }
                if (end == start) { // RFC 9112 §2.2: empty lines before the request line are ignored
                    if (++emptyLines > options.maxEmptyLinesBeforeRequest()) {
                        throw bad("more than " + options.maxEmptyLinesBeforeRequest()
                                + " empty lines before the request line");
                    }
                    sectionStart = lineStart;
                    return false;
                }
                parseRequestLine(start, end);
                phase = HEADERS;
                return false;
            }
            case HEADERS, TRAILERS -> {
                if (end == start && end != lf) { // CRLF: end of the section
                    return phase == HEADERS ? endOfHead(start) : endOfTrailers(start);
                }
                int lineBytes = lf + 1 - start;
                if (phase == HEADERS && sectionBytes + lineBytes > options.maxHeaderSectionSize()) {
                    throw headerSectionTooLarge();
                }
                if (phase == TRAILERS && sectionBytes + lineBytes > options.maxTrailerSectionSize()) {
                    throw trailerSectionTooLarge();
                }
                if (fieldCount == options.maxHeaderCount()) {
                    throw new HttpDecodeException(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "more than "
                            + options.maxHeaderCount() + (phase == HEADERS ? " header" : " trailer") + " fields",
                            true, method == HttpMethod.HEAD);
                }
                if (end == lf) {
                    throw bad(BARE_LF);
                }
                parseFieldLine(start, end);
                sectionBytes += lineBytes;
                return false;
            }
            case CHUNK_SIZE -> {
                if (end - start > options.maxChunkLineLength()) {
                    throw chunkLineTooLong();
                }
                if (end == lf) {
                    throw bad(BARE_LF);
                }
                long size = parseChunkSize(start, end);
                sectionStart = lineStart;
                if (size == 0) { // last-chunk: trailers follow
                    phase = TRAILERS;
                    fieldCount = 0;
                    sectionBytes = 0;
                    return false;
                }
                if (size > options.maxBodySize() - bodyBytes) {
                    throw new HttpDecodeException(HttpStatus.CONTENT_TOO_LARGE, "chunked body larger than "
                            + options.maxBodySize() + " bytes", true, method == HttpMethod.HEAD);
                }
                bodyBytes += size;
                remaining = size;
                phase = CHUNK_DATA;
                return true;
            }
            case CHUNK_END -> {
                if (lf != start + 1 || lines[start] != '\r') {
                    throw bad(CHUNK_NOT_TERMINATED);
                }
                sectionStart = lineStart;
                phase = CHUNK_SIZE;
                return false;
            }
            default -> throw new IllegalStateException("no lines in phase " + phase);
        }
    }

    // ------------------------------------------------------------------------------------------------ request line

    private void parseRequestLine(int s, int e) {
        byte[] a = lines;
        int i = s;
        while (i < e && Ascii.is(a[i], Ascii.TCHAR)) {
            i++;
        }
        if (i == e && i > s) {
            throw bad("request line without request target");
        }
        if (i == s || a[i] != ' ') {
            throw bad("invalid method token");
        }
        method = HttpMethod.lookup(a, s, i);
        int ts = i + 1;
        int te = ByteScan.indexOfNonVisible(a, ts, e, swar);
        if (te == ts) {
            throw bad(ts < e && a[ts] != ' ' ? "invalid character in request target" : "missing request target");
        }
        if (te == e) {
            throw bad("request line without HTTP version");
        }
        if (a[te] != ' ') {
            throw bad("invalid character in request target");
        }
        int vs = te + 1;
        if (e - vs != 8) {
            throw bad("malformed HTTP version");
        }
        long v = ByteScan.readLong(a, vs);
        if (v == ByteScan.HTTP_1_1) {
            minorVersion = 1;
        } else if (v == ByteScan.HTTP_1_0) {
            minorVersion = 0;
        } else {
            if (a[vs] != 'H' || a[vs + 1] != 'T' || a[vs + 2] != 'T' || a[vs + 3] != 'P' || a[vs + 4] != '/'
                    || !Ascii.isDigit(a[vs + 5]) || a[vs + 6] != '.' || !Ascii.isDigit(a[vs + 7])) {
                throw bad("malformed HTTP version");
            }
            int major = a[vs + 5] - '0';
            minorVersion = a[vs + 7] - '0';
            if (major != 1) {
                throw new HttpDecodeException(HttpStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/" + major + "."
                        + minorVersion + " is not supported", true, method == HttpMethod.HEAD);
            }
        }
        classifyTarget(ts, te);
    }

    private void classifyTarget(int ts, int te) {
        byte[] a = lines;
        byte first = a[ts];
        int as = -1;
        int ae = -1;
        if (method == HttpMethod.CONNECT) {
            if (!Authority.isValidHostPort(a, ts, te, true)) {
                throw bad("CONNECT needs an authority-form target (host:port)");
            }
            targetForm = RequestTargetForm.AUTHORITY;
            as = ts;
            ae = te;
        } else if (first == '/') {
            targetForm = RequestTargetForm.ORIGIN;
        } else if (first == '*') {
            if (te - ts != 1) {
                throw bad("invalid request target");
            }
            if (method != HttpMethod.OPTIONS) {
                throw bad("asterisk-form target is only allowed with OPTIONS");
            }
            targetForm = RequestTargetForm.ASTERISK;
        } else {
            // absolute-form: scheme "://" authority path-abempty [ "?" query ]
            int i = ts + 1;
            while (i < te && Ascii.is(a[i], Ascii.SCHEME)) {
                i++;
            }
            boolean alpha = ((first | 0x20) >= 'a' && (first | 0x20) <= 'z');
            if (!alpha || i + 3 > te || a[i] != ':' || a[i + 1] != '/' || a[i + 2] != '/') {
                if (Authority.isValidHostPort(a, ts, te, true)) {
                    throw bad("authority-form target is only allowed with CONNECT");
                }
                throw bad("invalid request target");
            }
            as = i + 3;
            ae = as;
            while (ae < te && a[ae] != '/' && a[ae] != '?') {
                ae++;
            }
            if (!Authority.isValidHostPort(a, as, ae, false)) {
                throw bad("invalid authority in absolute-form target");
            }
            targetForm = RequestTargetForm.ABSOLUTE;
        }
        targetStart = ts - sectionStart;
        targetEnd = te - sectionStart;
        authorityStart = as < 0 ? -1 : as - sectionStart;
        authorityEnd = ae < 0 ? -1 : ae - sectionStart;
    }

    // ------------------------------------------------------------------------------------------------ fields

    private void parseFieldLine(int s, int e) {
        byte[] a = lines;
        if (Ascii.isWhitespace(a[s])) {
            throw bad("field line starts with whitespace (obs-fold)");
        }
        int i = s;
        while (i < e && Ascii.is(a[i], Ascii.TCHAR)) {
            i++;
        }
        if (i == e) {
            throw bad("field line without colon");
        }
        if (a[i] != ':') {
            throw bad(Ascii.isWhitespace(a[i]) ? "whitespace between field name and colon"
                    : "invalid character in field name");
        }
        if (i == s) {
            throw bad("empty field name");
        }
        int nameEnd = i;
        int vs = i + 1;
        while (vs < e && Ascii.isWhitespace(a[vs])) {
            vs++;
        }
        for (int j = vs; (j = ByteScan.indexOfControl(a, j, e, swar)) < e; j++) {
            if (a[j] != '\t') {
                throw bad("invalid character in field value");
            }
        }
        addField(s, nameEnd, vs, e);
    }

    /** Stores a validated field {@code name [s, nameEnd)}, value from {@code vs} to the CR at {@code e}. */
    private void addField(int s, int nameEnd, int vs, int e) {
        byte[] a = lines;
        int ve = e;
        while (ve > vs && Ascii.isWhitespace(a[ve - 1])) {
            ve--;
        }
        HttpHeader known = HttpHeader.lookup(a, s, nameEnd);
        int slot = fieldCount * HttpFields.SLOTS;
        if (slot + HttpFields.SLOTS > fieldScratch.length) {
            fieldScratch = Arrays.copyOf(fieldScratch, Math.max(fieldScratch.length * 2, 16 * HttpFields.SLOTS));
        }
        int base = sectionStart;
        fieldScratch[slot] = s - base;
        fieldScratch[slot + 1] = nameEnd - base;
        fieldScratch[slot + 2] = vs - base;
        fieldScratch[slot + 3] = ve - base;
        fieldScratch[slot + 4] = known == null ? -1 : known.ordinal();
        if (phase == HEADERS && known != null) {
            onKnownHeader(known, vs, ve);
        }
        fieldCount++;
    }

    private void onKnownHeader(HttpHeader header, int vs, int ve) {
        switch (header) {
            case CONTENT_LENGTH -> parseContentLength(vs, ve);
            case TRANSFER_ENCODING -> parseTransferEncoding(vs, ve);
            case HOST -> {
                if (hostIndex >= 0) {
                    throw bad("more than one Host field");
                }
                // an empty Host is valid: the target URI has no authority (RFC 9110 §7.2)
                if (vs != ve && !Authority.isValidHostPort(lines, vs, ve, false)) {
                    throw bad("invalid Host");
                }
                hostIndex = fieldCount;
            }
            case CONNECTION -> parseConnection(vs, ve);
            case EXPECT -> parseExpect(vs, ve);
            default -> {
            }
        }
    }

    /** {@code 1*DIGIT}, or a list of them from repeated fields (RFC 9110 §8.6). */
    private void parseContentLength(int vs, int ve) {
        byte[] a = lines;
        if (vs == ve) {
            throw bad("empty Content-Length");
        }
        int i = vs;
        for (;;) {
            int start = i;
            long value = 0;
            while (i < ve && Ascii.isDigit(a[i])) {
                int d = a[i] - '0';
                if (value > (Long.MAX_VALUE - d) / 10) {
                    throw bad("Content-Length too large");
                }
                value = value * 10 + d;
                i++;
            }
            if (i == start) {
                throw bad("invalid Content-Length");
            }
            if (contentLength >= 0) {
                if (value != contentLength) {
                    throw bad("conflicting Content-Length values");
                }
                if (!options.acceptIdenticalContentLengths()) {
                    throw bad("repeated Content-Length");
                }
            }
            contentLength = value;
            while (i < ve && Ascii.isWhitespace(a[i])) {
                i++;
            }
            if (i == ve) {
                return;
            }
            if (a[i] != ',') {
                throw bad("invalid Content-Length");
            }
            i++;
            while (i < ve && Ascii.isWhitespace(a[i])) {
                i++;
            }
        }
    }

    /** {@code #transfer-coding}: codings in order, across all Transfer-Encoding lines; judged in endOfHead. */
    private void parseTransferEncoding(int vs, int ve) {
        byte[] a = lines;
        transferEncoding = true;
        int i = vs;
        while (i < ve) {
            if (a[i] == ',' || Ascii.isWhitespace(a[i])) { // empty list elements are allowed (RFC 9110 §5.6.1)
                i++;
                continue;
            }
            int ts = i;
            while (i < ve && Ascii.is(a[i], Ascii.TCHAR)) {
                i++;
            }
            if (i == ts) {
                throw bad("invalid Transfer-Encoding");
            }
            int te = i;
            while (i < ve && Ascii.isWhitespace(a[i])) {
                i++;
            }
            boolean parameters = i < ve && a[i] == ';';
            if (parameters) {
                while (i < ve && a[i] != ',') {
                    i++;
                }
            } else if (i < ve && a[i] != ',') {
                throw bad("invalid Transfer-Encoding");
            }
            codingCount++;
            if (!parameters && Ascii.equalsIgnoreCase(a, ts, te, "chunked")) {
                chunkedCount++;
                chunkedLast = true;
            } else {
                chunkedLast = false;
                if (unsupportedCoding == null) {
                    unsupportedCoding = new String(a, ts, Math.min(te - ts, 40), StandardCharsets.ISO_8859_1);
                }
            }
        }
    }

    private void parseConnection(int vs, int ve) {
        byte[] a = lines;
        for (int p = vs; p < ve; ) {
            int comma = p;
            while (comma < ve && a[comma] != ',') {
                comma++;
            }
            int ts = p;
            int te = comma;
            while (ts < te && Ascii.isWhitespace(a[ts])) {
                ts++;
            }
            while (te > ts && Ascii.isWhitespace(a[te - 1])) {
                te--;
            }
            if (Ascii.equalsIgnoreCase(a, ts, te, "close")) {
                connectionClose = true;
            } else if (Ascii.equalsIgnoreCase(a, ts, te, "keep-alive")) {
                connectionKeepAlive = true;
            }
            p = comma + 1;
        }
    }

    private void parseExpect(int vs, int ve) {
        byte[] a = lines;
        for (int p = vs; p < ve; ) {
            int comma = p;
            while (comma < ve && a[comma] != ',') {
                comma++;
            }
            int ts = p;
            int te = comma;
            while (ts < te && Ascii.isWhitespace(a[ts])) {
                ts++;
            }
            while (te > ts && Ascii.isWhitespace(a[te - 1])) {
                te--;
            }
            if (Ascii.equalsIgnoreCase(a, ts, te, "100-continue")) {
                expectContinue = true;
            } else if (te > ts) {
                expectUnknown = true;
            }
            p = comma + 1;
        }
    }

    /** The empty line at {@code terminator} ended the head: judge the framing and deliver the head. */
    private boolean endOfHead(int terminator) {
        boolean http11 = minorVersion != 0;
        if (http11 && hostIndex < 0) {
            throw bad("missing Host field");
        }
        if (transferEncoding) {
            if (!http11) {
                throw bad("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (contentLength >= 0) {
                throw bad("both Content-Length and Transfer-Encoding");
            }
            if (codingCount == 0) {
                throw bad("empty Transfer-Encoding");
            }
            if (!chunkedLast) {
                throw bad("chunked is not the final transfer coding");
            }
            if (chunkedCount > 1) {
                throw bad("chunked applied more than once");
            }
            if (unsupportedCoding != null) {
                throw new HttpDecodeException(HttpStatus.NOT_IMPLEMENTED, "transfer coding " + unsupportedCoding
                        + " is not implemented", true, method == HttpMethod.HEAD);
            }
        }
        if (contentLength > options.maxBodySize()) {
            throw new HttpDecodeException(HttpStatus.CONTENT_TOO_LARGE, "Content-Length " + contentLength
                    + " exceeds the limit of " + options.maxBodySize() + " bytes", true, method == HttpMethod.HEAD);
        }
        if (http11 && expectUnknown) {
            throw new HttpDecodeException(HttpStatus.EXPECTATION_FAILED, "unsupported expectation", true,
                    method == HttpMethod.HEAD);
        }
        boolean keepAlive = http11 ? !connectionClose : connectionKeepAlive && !connectionClose;
        long length = transferEncoding ? -1 : Math.max(contentLength, 0);
        HttpRequestHead head = new HttpRequestHead(Arrays.copyOfRange(lines, sectionStart, terminator),
                Arrays.copyOf(fieldScratch, fieldCount * HttpFields.SLOTS), fieldCount, method,
                http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, minorVersion, targetForm, targetStart,
                targetEnd, authorityStart, authorityEnd, hostIndex, length, transferEncoding, keepAlive,
                http11 && expectContinue);
        sectionStart = lineStart;
        if (transferEncoding) {
            phase = CHUNK_SIZE;
            fieldCount = 0;
            sectionBytes = 0;
        } else if (length > 0) {
            phase = FIXED_BODY;
            remaining = length;
        }
        emitRequest(head);
        if (length == 0 && phase != FAILED) {
            completeMessage(HttpFields.EMPTY);
        }
        return true;
    }

    private boolean endOfTrailers(int terminator) {
        HttpFields trailers = fieldCount == 0 ? HttpFields.EMPTY
                : new HttpFields(Arrays.copyOfRange(lines, sectionStart, terminator),
                Arrays.copyOf(fieldScratch, fieldCount * HttpFields.SLOTS), fieldCount);
        completeMessage(trailers);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ chunks

    /** {@code chunk-size [ chunk-ext ]}: at most 16 hex digits and no overflow; extensions are ignored. */
    private long parseChunkSize(int s, int e) {
        byte[] a = lines;
        int i = s;
        long size = 0;
        for (; i < e; i++) {
            int d = Ascii.hexValue(a[i]);
            if (d < 0) {
                break;
            }
            if (i - s == 16) {
                throw bad("chunk size has more than 16 hex digits");
            }
            if (size > (Long.MAX_VALUE >>> 4)) {
                throw bad("chunk size overflows");
            }
            size = (size << 4) | d;
        }
        if (i == s) {
            throw bad("missing chunk size");
        }
        while (i < e && Ascii.isWhitespace(a[i])) {
            i++;
        }
        if (i < e) {
            if (a[i] != ';') {
                throw bad("invalid chunk size");
            }
            for (int j = i + 1; (j = ByteScan.indexOfControl(a, j, e, swar)) < e; j++) {
                if (a[j] != '\t') {
                    throw bad("invalid character in chunk extension");
                }
            }
        }
        return size;
    }

    // ------------------------------------------------------------------------------------------------ errors

    private HttpDecodeException bad(String reason) {
        return new HttpDecodeException(HttpStatus.BAD_REQUEST, reason, true, method == HttpMethod.HEAD);
    }

    private HttpDecodeException requestLineTooLong() {
        return new HttpDecodeException(HttpStatus.URI_TOO_LONG, "request line longer than "
                + options.maxRequestLineLength() + " bytes", true);
    }

    private HttpDecodeException headerSectionTooLarge() {
        return new HttpDecodeException(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header section larger than "
                + options.maxHeaderSectionSize() + " bytes", true, method == HttpMethod.HEAD);
    }

    private HttpDecodeException trailerSectionTooLarge() {
        return new HttpDecodeException(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "trailer section larger than "
                + options.maxTrailerSectionSize() + " bytes", true, method == HttpMethod.HEAD);
    }

    private HttpDecodeException chunkLineTooLong() {
        return bad("chunk-size line longer than " + options.maxChunkLineLength() + " bytes");
    }
}
