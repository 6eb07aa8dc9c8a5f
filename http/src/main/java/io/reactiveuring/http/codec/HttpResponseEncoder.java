package io.reactiveuring.http.codec;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes HTTP/1.1 responses into pooled off-heap buffers ({@link BufferAllocator#allocate} → {@link UringBuffer},
 * ready to be sent). The head is assembled in a scratch array of the encoder (status lines are precomputed for the
 * common codes, {@code Date} comes from an {@link HttpDateCache}) and copied into a buffer of exactly the right size
 * together with the body, so a response is one buffer and one send.
 *
 * <p>Framing ({@link BodyFraming}): a known length gets {@code Content-Length}; an unknown one
 * {@code Transfer-Encoding: chunked} for HTTP/1.1 clients (then send {@link #encodeChunk} buffers and
 * {@link #encodeLastChunk()}), or a close-delimited body for HTTP/1.0 clients. A HEAD request, 1xx, 204 and 304 get
 * no body (HEAD keeps the {@code Content-Length} the body would have). Persistence follows the request
 * ({@link HttpRequestHead#keepAlive()}) unless the response closes: {@code Connection: close} when the connection
 * ends after the response, {@code Connection: keep-alive} for an HTTP/1.0 client that keeps it (neither on a 1xx
 * interim response, whose final response decides). Every response says
 * {@code HTTP/1.1} (RFC 9110 §2.5). Error responses ({@link #encodeError}) are always self-delimiting:
 * {@code Content-Length} and {@code Connection: close}.
 *
 * <p>Threading: not thread-safe (it reuses its scratch array): one encoder per loop thread or per connection. The
 * date cache it uses is thread-safe. Ownership: every returned buffer is new (reference count 1) and belongs to the
 * caller, who sends and then releases it; the encoder keeps none, nor any reference to a body it was given.
 */
public final class HttpResponseEncoder {
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] COLON_SPACE = ascii(": ");
    private static final byte[] DATE = ascii("Date: ");
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] ERROR_CONTENT_TYPE = ascii("Content-Type: text/plain\r\n");
    private static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] LAST_CHUNK = ascii("0\r\n\r\n");
    private static final byte[] HEX_DIGITS = ascii("0123456789abcdef");

    private final BufferAllocator allocator;
    private final HttpDateCache dates;
    private final byte[] serverLine;
    private byte[] scratch = new byte[512];
    private int pos;

    /**
     * An encoder with the system date cache and no {@code Server} field.
     *
     * @param allocator where response buffers come from
     */
    public HttpResponseEncoder(BufferAllocator allocator) {
        this(allocator, HttpDateCache.system(), null);
    }

    /**
     * An encoder.
     *
     * @param allocator  where response buffers come from
     * @param dates      the source of {@code Date} values
     * @param serverName the {@code Server} field's value for every response, or null for none
     * @throws IllegalArgumentException if {@code serverName} has a control character
     */
    public HttpResponseEncoder(BufferAllocator allocator, HttpDateCache dates, String serverName) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.dates = Objects.requireNonNull(dates, "dates");
        if (serverName != null) {
            new HttpResponseHead().add(HttpHeader.SERVER, serverName); // validates the value
            this.serverLine = ascii("Server: " + serverName + "\r\n");
        } else {
            this.serverLine = null;
        }
    }

    /**
     * The bytes of {@code HTTP/1.1 100 Continue\r\n\r\n}.
     *
     * @return a new array
     */
    public static byte[] continueResponseBytes() {
        return CONTINUE.clone();
    }

    /**
     * The interim response to {@code Expect: 100-continue} ({@link HttpRequestHead#expectsContinue()}), to send
     * when the handler starts reading the body.
     *
     * @return a new buffer holding {@code HTTP/1.1 100 Continue\r\n\r\n}
     */
    public UringBuffer encodeContinue() {
        return allocator.copyOf(CONTINUE);
    }

    /**
     * A complete response: head and {@code body} in one buffer, with {@code Content-Length} = the body's size (no
     * body bytes for HEAD, 1xx, 204 and 304). Sets {@link HttpResponseHead#framing()} and
     * {@link HttpResponseHead#persistent()}.
     *
     * @param request  the request answered (version, persistence, method)
     * @param response status and fields; its content length must be unset (-1) or equal to the body's size
     * @param body     the body (heap or native), copied
     * @return a new buffer with the whole response
     * @throws IllegalArgumentException if the response's content length disagrees with the body
     */
    public UringBuffer encode(HttpRequestHead request, HttpResponseHead response, MemorySegment body) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(body, "body");
        long n = body.byteSize();
        if (response.contentLength() >= 0 && response.contentLength() != n) {
            throw new IllegalArgumentException("content length " + response.contentLength() + " set, but the body has "
                    + n + " bytes");
        }
        if (n > Integer.MAX_VALUE - 64 * 1024) {
            throw new IllegalArgumentException("body too large for one buffer: " + n);
        }
        writeHead(request, response, n);
        int bodyBytes = response.framing() == BodyFraming.NONE ? 0 : (int) n;
        UringBuffer out = allocator.allocate(pos + bodyBytes);
        try {
            out.writeBytes(scratch, 0, pos);
            if (bodyBytes > 0) {
                MemorySegment.copy(body, 0, out.segment(), pos, bodyBytes);
                out.advanceWriterIndex(bodyBytes);
            }
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * The head of a response whose body the caller sends separately, framed per {@link HttpResponseHead#framing()}
     * (set by this call): {@code Content-Length} raw bytes, chunks ({@link #encodeChunk}, then
     * {@link #encodeLastChunk()}), or raw bytes ended by closing the connection.
     *
     * @param request  the request answered
     * @param response status, fields and {@link HttpResponseHead#contentLength(long)} (-1 for unknown)
     * @return a new buffer with the head
     */
    public UringBuffer encode(HttpRequestHead request, HttpResponseHead response) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
        writeHead(request, response, response.contentLength());
        return allocator.allocate(pos).writeBytes(scratch, 0, pos);
    }

    /**
     * One chunk of a chunked body: size line, data, CRLF.
     *
     * @param data the chunk's bytes, at least one (an empty chunk would end the body: use
     *             {@link #encodeLastChunk()})
     * @return a new buffer
     * @throws IllegalArgumentException if {@code data} is empty
     */
    public UringBuffer encodeChunk(MemorySegment data) {
        long n = data.byteSize();
        if (n == 0) {
            throw new IllegalArgumentException("an empty chunk ends the body: use encodeLastChunk()");
        }
        if (n > Integer.MAX_VALUE - 32) {
            throw new IllegalArgumentException("chunk too large for one buffer: " + n);
        }
        UringBuffer out = allocator.allocate(chunkHeaderLength(n) + (int) n + 2);
        try {
            writeChunkHeader(out, n);
            MemorySegment.copy(data, 0, out.segment(), out.writerIndex(), n);
            out.advanceWriterIndex((int) n);
            writeChunkEnd(out);
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * The size line of a chunk whose data the caller sends itself (followed by {@link #writeChunkEnd}'s CRLF).
     *
     * @param length the chunk's length, at least 1
     * @return a new buffer holding {@code <hex length>\r\n}
     */
    public UringBuffer encodeChunkHeader(long length) {
        UringBuffer out = allocator.allocate(chunkHeaderLength(length));
        writeChunkHeader(out, length);
        return out;
    }

    /**
     * The end of a chunked body: the last chunk and an empty trailer section.
     *
     * @return a new buffer holding {@code 0\r\n\r\n}
     */
    public UringBuffer encodeLastChunk() {
        return allocator.copyOf(LAST_CHUNK);
    }

    /**
     * The bytes of a chunk's size line for {@code length}.
     *
     * @param length the chunk's length, at least 1
     * @return hex digits plus CRLF
     * @throws IllegalArgumentException if {@code length < 1}
     */
    public static int chunkHeaderLength(long length) {
        if (length < 1) {
            throw new IllegalArgumentException("chunk length must be positive: " + length);
        }
        int hexDigits = (64 - Long.numberOfLeadingZeros(length) + 3) / 4;
        return hexDigits + 2;
    }

    /**
     * Appends a chunk's size line at the writer index of {@code dst}.
     *
     * @param dst    a buffer with at least {@link #chunkHeaderLength(long)} writable bytes
     * @param length the chunk's length, at least 1
     * @throws IllegalArgumentException  if {@code length < 1}
     * @throws IndexOutOfBoundsException if {@code dst} has too little room
     */
    public static void writeChunkHeader(UringBuffer dst, long length) {
        int n = chunkHeaderLength(length);
        if (dst.writableBytes() < n) {
            throw new IndexOutOfBoundsException(n + " bytes needed, " + dst.writableBytes() + " writable");
        }
        MemorySegment seg = dst.segment();
        long at = dst.writerIndex();
        for (int shift = (n - 3) * 4, i = 0; shift >= 0; shift -= 4, i++) {
            seg.set(ValueLayout.JAVA_BYTE, at + i, HEX_DIGITS[(int) (length >>> shift) & 0xF]);
        }
        seg.set(ValueLayout.JAVA_BYTE, at + n - 2, (byte) '\r');
        seg.set(ValueLayout.JAVA_BYTE, at + n - 1, (byte) '\n');
        dst.advanceWriterIndex(n);
    }

    /**
     * Appends the CRLF that ends a chunk's data.
     *
     * @param dst a buffer with at least 2 writable bytes
     */
    public static void writeChunkEnd(UringBuffer dst) {
        dst.writeBytes(CRLF);
    }

    /**
     * Appends the last chunk and an empty trailer section, {@code 0\r\n\r\n}.
     *
     * @param dst a buffer with at least 5 writable bytes
     */
    public static void writeLastChunk(UringBuffer dst) {
        dst.writeBytes(LAST_CHUNK);
    }

    /**
     * The response to a request the decoder refused: its status, {@code Content-Type: text/plain},
     * {@code Content-Length}, {@code Connection: close}, and the reason as the body (none for a HEAD request).
     *
     * @param error the decoder's error
     * @return a new buffer with the whole response
     */
    public UringBuffer encodeError(HttpDecodeException error) {
        return encodeError(error.status(), error.reason(), error.forHeadRequest());
    }

    /**
     * A self-delimiting error response that closes the connection, for errors the server raises itself.
     *
     * @param status  400 to 599
     * @param message the body's text (characters outside printable ASCII become {@code ?})
     * @return a new buffer with the whole response
     * @throws IllegalArgumentException if {@code status} is not an error status
     */
    public UringBuffer encodeError(int status, String message) {
        return encodeError(status, message, false);
    }

    private UringBuffer encodeError(int status, String message, boolean headRequest) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("not an error status: " + status);
        }
        String phrase = HttpStatus.reasonPhrase(status);
        String text = (phrase.isEmpty() ? "Error " + status : phrase) + ": " + message + "\n";
        pos = 0;
        putStatusLine(status, null);
        putDate();
        if (serverLine != null) {
            put(serverLine);
        }
        put(ERROR_CONTENT_TYPE);
        put(CONTENT_LENGTH);
        putDecimal(text.length());
        put(CRLF);
        put(CLOSE);
        put(CRLF);
        if (!headRequest) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                scratch[pos++] = (byte) ((c >= 0x20 && c < 0x7F) || c == '\n' ? c : '?');
            }
        }
        return allocator.allocate(pos).writeBytes(scratch, 0, pos);
    }

    // ------------------------------------------------------------------------------------------------ head

    private void writeHead(HttpRequestHead request, HttpResponseHead response, long length) {
        int status = response.status();
        boolean bodyForbidden = status < 200 || status == HttpStatus.NO_CONTENT || status == HttpStatus.NOT_MODIFIED;
        boolean head = request.isHeadRequest();
        boolean http10 = request.version() == HttpVersion.HTTP_1_0;
        BodyFraming framing;
        boolean writeLength = false;
        if (bodyForbidden) {
            framing = BodyFraming.NONE;
        } else if (length >= 0) {
            framing = head ? BodyFraming.NONE : BodyFraming.CONTENT_LENGTH;
            writeLength = true;
        } else if (head) {
            framing = BodyFraming.NONE;
        } else {
            framing = http10 ? BodyFraming.CLOSE_DELIMITED : BodyFraming.CHUNKED;
        }
        boolean interim = status < 200; // 1xx: the final response that follows decides about the connection
        boolean persistent = interim ? request.keepAlive()
                : request.keepAlive() && !response.closeRequested() && framing != BodyFraming.CLOSE_DELIMITED;

        // Field order: framing, the response's own fields, Date, Server, Connection (the order of the plaintext
        // benchmark's reference bytes, so that every peer answers the same bytes).
        pos = 0;
        putStatusLine(status, response.reasonOverride());
        if (writeLength) {
            put(CONTENT_LENGTH);
            putDecimal(length);
            put(CRLF);
        } else if (framing == BodyFraming.CHUNKED) {
            put(CHUNKED);
        }
        for (int i = 0, n = response.size(); i < n; i++) {
            Object name = response.nameAt(i);
            if (name instanceof HttpHeader h) {
                put(h.bytes);
            } else {
                putLatin1((String) name);
            }
            put(COLON_SPACE);
            putLatin1(response.valueAt(i));
            put(CRLF);
        }
        putDate();
        if (serverLine != null) {
            put(serverLine);
        }
        if (interim) {
            // no Connection field on an interim response
        } else if (!persistent) {
            put(CLOSE);
        } else if (http10) {
            put(KEEP_ALIVE);
        }
        put(CRLF);
        response.encoded(framing, persistent);
    }

    private void putStatusLine(int status, String reason) {
        byte[] line = reason == null ? HttpStatus.statusLine(status) : null;
        if (line != null) {
            put(line);
            return;
        }
        putLatin1("HTTP/1.1 ");
        putDecimal(status);
        ensure(1);
        scratch[pos++] = ' ';
        putLatin1(reason != null ? reason : HttpStatus.reasonPhrase(status));
        put(CRLF);
    }

    private void putDate() {
        put(DATE);
        put(dates.nowBytes());
        put(CRLF);
    }

    private void ensure(int n) {
        if (pos + n > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(pos + n, scratch.length * 2));
        }
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, scratch, pos, bytes.length);
        pos += bytes.length;
    }

    /** Strings were checked to hold ISO-8859-1 characters only when they were added. */
    private void putLatin1(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            scratch[pos++] = (byte) s.charAt(i);
        }
    }

    private void putDecimal(long v) {
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = pos + digits - 1; i >= pos; i--) {
            scratch[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        pos += digits;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
