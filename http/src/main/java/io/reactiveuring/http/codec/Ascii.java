package io.reactiveuring.http.codec;

/**
 * Character classes of the HTTP grammar (RFC 9110 §5.6, RFC 3986 §2) as one flag table indexed by the unsigned
 * byte, and the ASCII lower-case mapping used for case-insensitive names and tokens.
 *
 * <p>Threading: immutable tables, any thread. Ownership: nothing to own.
 */
final class Ascii {
    /** tchar: the characters of a token (method, field name, coding, ...). */
    static final int TCHAR = 1;
    /** CTL: 0x00-0x1F and DEL (0x7F). */
    static final int CONTROL = 2;
    /** VCHAR: 0x21-0x7E. */
    static final int VISIBLE = 4;
    static final int HEX = 8;
    /** unreserved / sub-delims of RFC 3986: what a reg-name may contain besides pct-encoded octets. */
    static final int REG_NAME = 16;
    /** ALPHA / DIGIT / "+" / "-" / ".": what a URI scheme may contain after its first letter. */
    static final int SCHEME = 32;

    static final byte[] CLASSES = new byte[256];
    /** ASCII lower case of every byte (other bytes unchanged). */
    static final byte[] LOWER = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            int flags = 0;
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            boolean digit = c >= '0' && c <= '9';
            if (alpha || digit || "!#$%&'*+-.^_`|~".indexOf(c) >= 0) {
                flags |= TCHAR;
            }
            if (c < 0x20 || c == 0x7F) {
                flags |= CONTROL;
            }
            if (c >= 0x21 && c <= 0x7E) {
                flags |= VISIBLE;
            }
            if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                flags |= HEX;
            }
            if (alpha || digit || "-._~!$&'()*+,;=".indexOf(c) >= 0) {
                flags |= REG_NAME;
            }
            if (alpha || digit || c == '+' || c == '-' || c == '.') {
                flags |= SCHEME;
            }
            CLASSES[c] = (byte) flags;
            LOWER[c] = (byte) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
    }

    private Ascii() {
    }

    static boolean is(byte b, int flag) {
        return (CLASSES[b & 0xFF] & flag) != 0;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        if (lower >= 'a' && lower <= 'f') {
            return lower - 'a' + 10;
        }
        return -1;
    }

    /** True if {@code a[from, to)} equals the lower-case ASCII {@code lower} ignoring case. */
    static boolean equalsIgnoreCase(byte[] a, int from, int to, String lower) {
        int n = to - from;
        if (n != lower.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (LOWER[a[from + i] & 0xFF] != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True if {@code a[from, to)} equals {@code s} ignoring ASCII case (chars above 0xFF never match). */
    static boolean equalsIgnoreCase(byte[] a, int from, int to, CharSequence s) {
        int n = to - from;
        if (n != s.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c > 0xFF || LOWER[a[from + i] & 0xFF] != LOWER[c]) {
                return false;
            }
        }
        return true;
    }
}
