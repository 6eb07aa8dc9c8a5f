package io.reactiveuring.http.codec;

import java.nio.charset.StandardCharsets;

/**
 * Well-known header field names, interned: the decoder recognises them from the received bytes without allocating
 * (a static open-addressing table keyed by the case-folded first eight bytes and the length, like Jetty's
 * {@code HttpParser} cache), and {@link HttpFields#name(int)} answers with the canonical spelling below instead of
 * a new {@code String}. Field names are case-insensitive (RFC 9110 §5.1), so {@code content-length} is
 * {@link #CONTENT_LENGTH} too.
 *
 * <p>Threading: immutable, any thread. Ownership: the constants own their bytes; nothing is handed out.
 */
public enum HttpHeader {
    /** {@code Accept}. */
    ACCEPT("Accept"),
    /** {@code Accept-Charset}. */
    ACCEPT_CHARSET("Accept-Charset"),
    /** {@code Accept-Encoding}. */
    ACCEPT_ENCODING("Accept-Encoding"),
    /** {@code Accept-Language}. */
    ACCEPT_LANGUAGE("Accept-Language"),
    /** {@code Accept-Ranges}. */
    ACCEPT_RANGES("Accept-Ranges"),
    /** {@code Access-Control-Allow-Credentials}. */
    ACCESS_CONTROL_ALLOW_CREDENTIALS("Access-Control-Allow-Credentials"),
    /** {@code Access-Control-Allow-Headers}. */
    ACCESS_CONTROL_ALLOW_HEADERS("Access-Control-Allow-Headers"),
    /** {@code Access-Control-Allow-Methods}. */
    ACCESS_CONTROL_ALLOW_METHODS("Access-Control-Allow-Methods"),
    /** {@code Access-Control-Allow-Origin}. */
    ACCESS_CONTROL_ALLOW_ORIGIN("Access-Control-Allow-Origin"),
    /** {@code Access-Control-Expose-Headers}. */
    ACCESS_CONTROL_EXPOSE_HEADERS("Access-Control-Expose-Headers"),
    /** {@code Access-Control-Max-Age}. */
    ACCESS_CONTROL_MAX_AGE("Access-Control-Max-Age"),
    /** {@code Access-Control-Request-Headers}. */
    ACCESS_CONTROL_REQUEST_HEADERS("Access-Control-Request-Headers"),
    /** {@code Access-Control-Request-Method}. */
    ACCESS_CONTROL_REQUEST_METHOD("Access-Control-Request-Method"),
    /** {@code Age}. */
    AGE("Age"),
    /** {@code Allow}. */
    ALLOW("Allow"),
    /** {@code Authorization}. */
    AUTHORIZATION("Authorization"),
    /** {@code Cache-Control}. */
    CACHE_CONTROL("Cache-Control"),
    /** {@code Connection}. */
    CONNECTION("Connection"),
    /** {@code Content-Disposition}. */
    CONTENT_DISPOSITION("Content-Disposition"),
    /** {@code Content-Encoding}. */
    CONTENT_ENCODING("Content-Encoding"),
    /** {@code Content-Language}. */
    CONTENT_LANGUAGE("Content-Language"),
    /** {@code Content-Length}. */
    CONTENT_LENGTH("Content-Length"),
    /** {@code Content-Location}. */
    CONTENT_LOCATION("Content-Location"),
    /** {@code Content-Range}. */
    CONTENT_RANGE("Content-Range"),
    /** {@code Content-Type}. */
    CONTENT_TYPE("Content-Type"),
    /** {@code Cookie}. */
    COOKIE("Cookie"),
    /** {@code Date}. */
    DATE("Date"),
    /** {@code DNT}. */
    DNT("DNT"),
    /** {@code ETag}. */
    ETAG("ETag"),
    /** {@code Expect}. */
    EXPECT("Expect"),
    /** {@code Expires}. */
    EXPIRES("Expires"),
    /** {@code Forwarded}. */
    FORWARDED("Forwarded"),
    /** {@code From}. */
    FROM("From"),
    /** {@code Host}. */
    HOST("Host"),
    /** {@code If-Match}. */
    IF_MATCH("If-Match"),
    /** {@code If-Modified-Since}. */
    IF_MODIFIED_SINCE("If-Modified-Since"),
    /** {@code If-None-Match}. */
    IF_NONE_MATCH("If-None-Match"),
    /** {@code If-Range}. */
    IF_RANGE("If-Range"),
    /** {@code If-Unmodified-Since}. */
    IF_UNMODIFIED_SINCE("If-Unmodified-Since"),
    /** {@code Keep-Alive}. */
    KEEP_ALIVE("Keep-Alive"),
    /** {@code Last-Modified}. */
    LAST_MODIFIED("Last-Modified"),
    /** {@code Link}. */
    LINK("Link"),
    /** {@code Location}. */
    LOCATION("Location"),
    /** {@code Max-Forwards}. */
    MAX_FORWARDS("Max-Forwards"),
    /** {@code Origin}. */
    ORIGIN("Origin"),
    /** {@code Pragma}. */
    PRAGMA("Pragma"),
    /** {@code Priority}. */
    PRIORITY("Priority"),
    /** {@code Proxy-Authenticate}. */
    PROXY_AUTHENTICATE("Proxy-Authenticate"),
    /** {@code Proxy-Authorization}. */
    PROXY_AUTHORIZATION("Proxy-Authorization"),
    /** {@code Proxy-Connection}. */
    PROXY_CONNECTION("Proxy-Connection"),
    /** {@code Range}. */
    RANGE("Range"),
    /** {@code Referer}. */
    REFERER("Referer"),
    /** {@code Retry-After}. */
    RETRY_AFTER("Retry-After"),
    /** {@code Sec-CH-UA}. */
    SEC_CH_UA("Sec-CH-UA"),
    /** {@code Sec-CH-UA-Mobile}. */
    SEC_CH_UA_MOBILE("Sec-CH-UA-Mobile"),
    /** {@code Sec-CH-UA-Platform}. */
    SEC_CH_UA_PLATFORM("Sec-CH-UA-Platform"),
    /** {@code Sec-Fetch-Dest}. */
    SEC_FETCH_DEST("Sec-Fetch-Dest"),
    /** {@code Sec-Fetch-Mode}. */
    SEC_FETCH_MODE("Sec-Fetch-Mode"),
    /** {@code Sec-Fetch-Site}. */
    SEC_FETCH_SITE("Sec-Fetch-Site"),
    /** {@code Sec-Fetch-User}. */
    SEC_FETCH_USER("Sec-Fetch-User"),
    /** {@code Sec-WebSocket-Accept}. */
    SEC_WEBSOCKET_ACCEPT("Sec-WebSocket-Accept"),
    /** {@code Sec-WebSocket-Extensions}. */
    SEC_WEBSOCKET_EXTENSIONS("Sec-WebSocket-Extensions"),
    /** {@code Sec-WebSocket-Key}. */
    SEC_WEBSOCKET_KEY("Sec-WebSocket-Key"),
    /** {@code Sec-WebSocket-Protocol}. */
    SEC_WEBSOCKET_PROTOCOL("Sec-WebSocket-Protocol"),
    /** {@code Sec-WebSocket-Version}. */
    SEC_WEBSOCKET_VERSION("Sec-WebSocket-Version"),
    /** {@code Server}. */
    SERVER("Server"),
    /** {@code Set-Cookie}. */
    SET_COOKIE("Set-Cookie"),
    /** {@code TE}. */
    TE("TE"),
    /** {@code Trailer}. */
    TRAILER("Trailer"),
    /** {@code Transfer-Encoding}. */
    TRANSFER_ENCODING("Transfer-Encoding"),
    /** {@code Upgrade}. */
    UPGRADE("Upgrade"),
    /** {@code Upgrade-Insecure-Requests}. */
    UPGRADE_INSECURE_REQUESTS("Upgrade-Insecure-Requests"),
    /** {@code User-Agent}. */
    USER_AGENT("User-Agent"),
    /** {@code Vary}. */
    VARY("Vary"),
    /** {@code Via}. */
    VIA("Via"),
    /** {@code WWW-Authenticate}. */
    WWW_AUTHENTICATE("WWW-Authenticate"),
    /** {@code X-Forwarded-For}. */
    X_FORWARDED_FOR("X-Forwarded-For"),
    /** {@code X-Forwarded-Host}. */
    X_FORWARDED_HOST("X-Forwarded-Host"),
    /** {@code X-Forwarded-Proto}. */
    X_FORWARDED_PROTO("X-Forwarded-Proto"),
    /** {@code X-Real-IP}. */
    X_REAL_IP("X-Real-IP"),
    /** {@code X-Requested-With}. */
    X_REQUESTED_WITH("X-Requested-With");

    private static final HttpHeader[] VALUES = values();
    private static final long CASE_BITS = 0x2020202020202020L;
    /** The longest well-known name, Access-Control-Allow-Credentials. */
    private static final int MAX_LENGTH = 32;
    private static final int WORDS = MAX_LENGTH / 8;
    private static final int TABLE_BITS = 8;
    private static final int MASK = (1 << TABLE_BITS) - 1;
    /**
     * The interning table, open addressing over primitive arrays (no object is touched until a match): per slot
     * the name's length (0 = empty), its ordinal, and its lower-case bytes as {@value #WORDS} little-endian words.
     */
    private static final byte[] SLOT_LENGTH = new byte[1 << TABLE_BITS];
    private static final byte[] SLOT_ORDINAL = new byte[1 << TABLE_BITS];
    private static final long[] SLOT_WORDS = new long[WORDS << TABLE_BITS];

    static {
        if (VALUES.length > Byte.MAX_VALUE) {
            throw new ExceptionInInitializerError("ordinals must fit SLOT_ORDINAL");
        }
        for (HttpHeader h : VALUES) {
            if (h.lower.length > MAX_LENGTH) {
                throw new ExceptionInInitializerError("name longer than " + MAX_LENGTH + ": " + h);
            }
            int slot = slot(h.words[0], h.lower.length);
            while (SLOT_LENGTH[slot] != 0) {
                slot = (slot + 1) & MASK;
            }
            SLOT_LENGTH[slot] = (byte) h.lower.length;
            SLOT_ORDINAL[slot] = (byte) h.ordinal();
            System.arraycopy(h.words, 0, SLOT_WORDS, slot * WORDS, h.words.length);
        }
    }

    private final String canonical;
    /** The canonical spelling as bytes, for the encoder. */
    final byte[] bytes;
    /** Lower case, for the case-insensitive comparison with received bytes. */
    private final byte[] lower;
    /** {@link #lower} as little-endian words (the last one zero-padded), compared eight bytes at a time. */
    private final long[] words;

    HttpHeader(String canonical) {
        this.canonical = canonical;
        this.bytes = canonical.getBytes(StandardCharsets.US_ASCII);
        this.lower = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            lower[i] = Ascii.LOWER[bytes[i] & 0xFF];
        }
        this.words = new long[(lower.length + 7) / 8];
        for (int i = 0; i < lower.length; i++) {
            words[i / 8] |= (long) (lower[i] & 0xFF) << (8 * (i % 8));
        }
    }

    /**
     * The canonical spelling, e.g. {@code Content-Type}.
     *
     * @return the name as usually written
     */
    public String canonicalName() {
        return canonical;
    }

    @Override
    public String toString() {
        return canonical;
    }

    /**
     * The well-known name equal to {@code name} ignoring ASCII case.
     *
     * @param name a field name
     * @return the constant, or null if {@code name} is not one of the well-known names
     */
    public static HttpHeader of(CharSequence name) {
        int n = name.length();
        if (n < 1 || n > MAX_LENGTH) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c > 0x7F || !Ascii.is((byte) c, Ascii.TCHAR)) {
                return null;
            }
        }
        long first = word(name, 0, n);
        for (int slot = slot(first, n); SLOT_LENGTH[slot] != 0; slot = (slot + 1) & MASK) {
            if (SLOT_LENGTH[slot] == n && SLOT_WORDS[slot * WORDS] == first) {
                boolean rest = true;
                for (int w = 1; rest && w * 8 < n; w++) {
                    rest = word(name, 8 * w, n) == SLOT_WORDS[slot * WORDS + w];
                }
                if (rest) {
                    return VALUES[SLOT_ORDINAL[slot]];
                }
            }
        }
        return null;
    }

    /** Like {@link #word(byte[], int, int)} for the characters {@code [from, min(from + 8, n))} of a token. */
    private static long word(CharSequence name, int from, int n) {
        long w = 0;
        for (int i = 0; i < Math.min(n - from, 8); i++) {
            w |= (long) ((name.charAt(from + i) | 0x20) & 0xFF) << (i << 3);
        }
        return w;
    }

    /**
     * The well-known name in {@code a[from, to)}, a validated token, or null. The first eight bytes (case-folded)
     * and the length choose the slot, so a name costs one or two word reads and compares, whatever its length.
     *
     * @param a    bytes holding the name
     * @param from its first byte
     * @param to   the end of the name
     * @return the constant, or null for another name
     */
    static HttpHeader lookup(byte[] a, int from, int to) {
        int n = to - from;
        if (n < 1 || n > MAX_LENGTH) {
            return null;
        }
        long first = word(a, from, n);
        for (int slot = slot(first, n); SLOT_LENGTH[slot] != 0; slot = (slot + 1) & MASK) {
            if (SLOT_LENGTH[slot] == n && SLOT_WORDS[slot * WORDS] == first && restMatches(a, from, n, slot)) {
                return VALUES[SLOT_ORDINAL[slot]];
            }
        }
        return null;
    }

    /**
     * Bytes {@code [from, from + min(n, 8))} case-folded with {@code | 0x20} into a little-endian word, zero above
     * {@code n}. {@code | 0x20} maps upper-case letters to lower case and leaves digits and {@code -} alone; that
     * makes the comparison exact here, since the known names hold only letters, digits and {@code -}, and the only
     * other bytes {@code | 0x20} sends onto those (0x0D, 0x10-0x19) are not token characters, so never in a
     * validated name.
     */
    private static long word(byte[] a, int from, int n) {
        if (from <= a.length - 8) { // one read, the bytes past the name masked off
            long w = ByteScan.readLong(a, from) | CASE_BITS;
            return n >= 8 ? w : w & ((1L << (n << 3)) - 1);
        }
        long w = 0;
        for (int i = 0; i < Math.min(n, 8); i++) {
            w |= (long) ((a[from + i] | 0x20) & 0xFF) << (i << 3);
        }
        return w;
    }

    private static boolean restMatches(byte[] a, int from, int n, int slot) {
        for (int w = 1, base = slot * WORDS; w * 8 < n; w++) {
            if (word(a, from + 8 * w, n - 8 * w) != SLOT_WORDS[base + w]) {
                return false;
            }
        }
        return true;
    }

    private static int slot(long firstWord, int length) {
        return (int) ((firstWord + length) * 0x9E3779B97F4A7C15L >>> (64 - TABLE_BITS));
    }

    static HttpHeader byOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
