package io.reactiveuring.http.codec;

import java.nio.charset.StandardCharsets;

/**
 * Well-known header field names, interned: the decoder recognises them from the received bytes without allocating
 * (a static open-addressing table keyed by a case-insensitive hash, like Jetty's {@code HttpParser} cache), and
 * {@link HttpFields#name(int)} answers with the canonical spelling below instead of a new {@code String}. Field
 * names are case-insensitive (RFC 9110 §5.1), so {@code content-length} is {@link #CONTENT_LENGTH} too.
 *
 * <p>Threading: immutable, any thread. Ownership: the constants own their bytes; nothing is handed out.
 */
public enum HttpHeader {
    ACCEPT("Accept"),
    ACCEPT_CHARSET("Accept-Charset"),
    ACCEPT_ENCODING("Accept-Encoding"),
    ACCEPT_LANGUAGE("Accept-Language"),
    ACCEPT_RANGES("Accept-Ranges"),
    ACCESS_CONTROL_ALLOW_CREDENTIALS("Access-Control-Allow-Credentials"),
    ACCESS_CONTROL_ALLOW_HEADERS("Access-Control-Allow-Headers"),
    ACCESS_CONTROL_ALLOW_METHODS("Access-Control-Allow-Methods"),
    ACCESS_CONTROL_ALLOW_ORIGIN("Access-Control-Allow-Origin"),
    ACCESS_CONTROL_EXPOSE_HEADERS("Access-Control-Expose-Headers"),
    ACCESS_CONTROL_MAX_AGE("Access-Control-Max-Age"),
    ACCESS_CONTROL_REQUEST_HEADERS("Access-Control-Request-Headers"),
    ACCESS_CONTROL_REQUEST_METHOD("Access-Control-Request-Method"),
    AGE("Age"),
    ALLOW("Allow"),
    AUTHORIZATION("Authorization"),
    CACHE_CONTROL("Cache-Control"),
    CONNECTION("Connection"),
    CONTENT_DISPOSITION("Content-Disposition"),
    CONTENT_ENCODING("Content-Encoding"),
    CONTENT_LANGUAGE("Content-Language"),
    CONTENT_LENGTH("Content-Length"),
    CONTENT_LOCATION("Content-Location"),
    CONTENT_RANGE("Content-Range"),
    CONTENT_TYPE("Content-Type"),
    COOKIE("Cookie"),
    DATE("Date"),
    DNT("DNT"),
    ETAG("ETag"),
    EXPECT("Expect"),
    EXPIRES("Expires"),
    FORWARDED("Forwarded"),
    FROM("From"),
    HOST("Host"),
    IF_MATCH("If-Match"),
    IF_MODIFIED_SINCE("If-Modified-Since"),
    IF_NONE_MATCH("If-None-Match"),
    IF_RANGE("If-Range"),
    IF_UNMODIFIED_SINCE("If-Unmodified-Since"),
    KEEP_ALIVE("Keep-Alive"),
    LAST_MODIFIED("Last-Modified"),
    LINK("Link"),
    LOCATION("Location"),
    MAX_FORWARDS("Max-Forwards"),
    ORIGIN("Origin"),
    PRAGMA("Pragma"),
    PRIORITY("Priority"),
    PROXY_AUTHENTICATE("Proxy-Authenticate"),
    PROXY_AUTHORIZATION("Proxy-Authorization"),
    PROXY_CONNECTION("Proxy-Connection"),
    RANGE("Range"),
    REFERER("Referer"),
    RETRY_AFTER("Retry-After"),
    SEC_CH_UA("Sec-CH-UA"),
    SEC_CH_UA_MOBILE("Sec-CH-UA-Mobile"),
    SEC_CH_UA_PLATFORM("Sec-CH-UA-Platform"),
    SEC_FETCH_DEST("Sec-Fetch-Dest"),
    SEC_FETCH_MODE("Sec-Fetch-Mode"),
    SEC_FETCH_SITE("Sec-Fetch-Site"),
    SEC_FETCH_USER("Sec-Fetch-User"),
    SEC_WEBSOCKET_ACCEPT("Sec-WebSocket-Accept"),
    SEC_WEBSOCKET_EXTENSIONS("Sec-WebSocket-Extensions"),
    SEC_WEBSOCKET_KEY("Sec-WebSocket-Key"),
    SEC_WEBSOCKET_PROTOCOL("Sec-WebSocket-Protocol"),
    SEC_WEBSOCKET_VERSION("Sec-WebSocket-Version"),
    SERVER("Server"),
    SET_COOKIE("Set-Cookie"),
    TE("TE"),
    TRAILER("Trailer"),
    TRANSFER_ENCODING("Transfer-Encoding"),
    UPGRADE("Upgrade"),
    UPGRADE_INSECURE_REQUESTS("Upgrade-Insecure-Requests"),
    USER_AGENT("User-Agent"),
    VARY("Vary"),
    VIA("Via"),
    WWW_AUTHENTICATE("WWW-Authenticate"),
    X_FORWARDED_FOR("X-Forwarded-For"),
    X_FORWARDED_HOST("X-Forwarded-Host"),
    X_FORWARDED_PROTO("X-Forwarded-Proto"),
    X_REAL_IP("X-Real-IP"),
    X_REQUESTED_WITH("X-Requested-With");

    private static final HttpHeader[] VALUES = values();
    private static final int TABLE_BITS = 8;
    private static final HttpHeader[] TABLE = new HttpHeader[1 << TABLE_BITS];

    static {
        for (HttpHeader h : VALUES) {
            int slot = slot(h.hash);
            while (TABLE[slot] != null) {
                slot = (slot + 1) & (TABLE.length - 1);
            }
            TABLE[slot] = h;
        }
    }

    private final String canonical;
    /** The canonical spelling as bytes, for the encoder. */
    final byte[] bytes;
    /** Lower case, for the case-insensitive comparison with received bytes. */
    private final byte[] lower;
    private final int hash;

    HttpHeader(String canonical) {
        this.canonical = canonical;
        this.bytes = canonical.getBytes(StandardCharsets.US_ASCII);
        this.lower = new byte[bytes.length];
        int h = 0;
        for (int i = 0; i < bytes.length; i++) {
            lower[i] = Ascii.LOWER[bytes[i] & 0xFF];
            h = hashStep(h, lower[i]);
        }
        this.hash = h;
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
        int h = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7F) {
                return null;
            }
            h = hashStep(h, Ascii.LOWER[c]);
        }
        for (int slot = slot(h); TABLE[slot] != null; slot = (slot + 1) & (TABLE.length - 1)) {
            HttpHeader candidate = TABLE[slot];
            if (candidate.hash == h && candidate.canonical.equalsIgnoreCase(name.toString())) {
                return candidate;
            }
        }
        return null;
    }

    /** One step of the case-insensitive name hash; the decoder computes it while it validates the name. */
    static int hashStep(int hash, byte lowerCaseByte) {
        return 31 * hash + lowerCaseByte;
    }

    /** The well-known name in {@code a[from, to)} whose {@link #hashStep} hash is {@code hash}, or null. */
    static HttpHeader lookup(byte[] a, int from, int to, int hash) {
        int n = to - from;
        for (int slot = slot(hash); TABLE[slot] != null; slot = (slot + 1) & (TABLE.length - 1)) {
            HttpHeader candidate = TABLE[slot];
            if (candidate.hash == hash && candidate.lower.length == n && candidate.matches(a, from)) {
                return candidate;
            }
        }
        return null;
    }

    static HttpHeader byOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    private boolean matches(byte[] a, int from) {
        for (int i = 0; i < lower.length; i++) {
            if (Ascii.LOWER[a[from + i] & 0xFF] != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static int slot(int hash) {
        return (hash * 0x9E3779B9) >>> (32 - TABLE_BITS);
    }
}
