package io.reactiveuring.http.codec;

/**
 * The four forms of a request-target (RFC 9112 §3.2). The decoder accepts each only where it is valid:
 * {@link #AUTHORITY} only with {@code CONNECT} (which accepts nothing else), {@link #ASTERISK} only with
 * {@code OPTIONS}; {@link #ORIGIN} and {@link #ABSOLUTE} with every other method.
 *
 * <p>Threading: immutable, any thread. Ownership: nothing to own.
 */
public enum RequestTargetForm {
    /** {@code /path?query}: the usual form sent to an origin server. */
    ORIGIN,
    /** {@code http://host:port/path?query}: sent to proxies, and valid for origin servers too. */
    ABSOLUTE,
    /** {@code host:port}: the target of a {@code CONNECT} request. */
    AUTHORITY,
    /** {@code *}: a server-wide {@code OPTIONS} request. */
    ASTERISK
}
