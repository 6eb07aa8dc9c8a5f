package io.reactiveuring.http.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A request method (RFC 9110 §9). The standard methods are constants that the decoder recognises without
 * allocating; any other token is a valid extension method and gets an instance of its own. Methods are
 * case-sensitive: {@code get} is an extension method, not {@link #GET}.
 *
 * <p>Threading: immutable, any thread. Ownership: nothing to own.
 */
public final class HttpMethod {
    /** {@code GET}. */
    public static final HttpMethod GET = new HttpMethod("GET");
    /** {@code HEAD}. */
    public static final HttpMethod HEAD = new HttpMethod("HEAD");
    /** {@code POST}. */
    public static final HttpMethod POST = new HttpMethod("POST");
    /** {@code PUT}. */
    public static final HttpMethod PUT = new HttpMethod("PUT");
    /** {@code DELETE}. */
    public static final HttpMethod DELETE = new HttpMethod("DELETE");
    /** {@code CONNECT}. */
    public static final HttpMethod CONNECT = new HttpMethod("CONNECT");
    /** {@code OPTIONS}. */
    public static final HttpMethod OPTIONS = new HttpMethod("OPTIONS");
    /** {@code TRACE}. */
    public static final HttpMethod TRACE = new HttpMethod("TRACE");
    /** {@code PATCH}. */
    public static final HttpMethod PATCH = new HttpMethod("PATCH");

    private final String name;
    private final byte[] bytes;

    private HttpMethod(String name) {
        this.name = name;
        this.bytes = name.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The method named {@code name}: one of the constants, or a new extension method.
     *
     * @param name a token (RFC 9110 §5.6.2)
     * @return the method
     * @throws IllegalArgumentException if {@code name} is empty or not a token
     */
    public static HttpMethod of(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty method");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7F || !Ascii.is((byte) c, Ascii.TCHAR)) {
                throw new IllegalArgumentException("method is not a token: " + name);
            }
        }
        byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
        return lookup(b, 0, b.length);
    }

    /** The method in {@code a[from, to)}, already checked to be a token. */
    static HttpMethod lookup(byte[] a, int from, int to) {
        HttpMethod known = switch (to - from) {
            case 3 -> matches(GET, a, from) ? GET : matches(PUT, a, from) ? PUT : null;
            case 4 -> matches(POST, a, from) ? POST : matches(HEAD, a, from) ? HEAD : null;
            case 5 -> matches(PATCH, a, from) ? PATCH : matches(TRACE, a, from) ? TRACE : null;
            case 6 -> matches(DELETE, a, from) ? DELETE : null;
            case 7 -> matches(OPTIONS, a, from) ? OPTIONS : matches(CONNECT, a, from) ? CONNECT : null;
            default -> null;
        };
        return known != null ? known : new HttpMethod(new String(a, from, to - from, StandardCharsets.ISO_8859_1));
    }

    private static boolean matches(HttpMethod m, byte[] a, int from) {
        return Arrays.equals(a, from, from + m.bytes.length, m.bytes, 0, m.bytes.length);
    }

    /**
     * The method token.
     *
     * @return the name as received, e.g. {@code GET}
     */
    public String name() {
        return name;
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpMethod m && m.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
