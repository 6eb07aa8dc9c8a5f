package io.reactiveuring.http.codec;

/**
 * The authority syntax the decoder checks in {@code Host}, in absolute-form targets and in CONNECT's authority-form
 * target: {@code uri-host [ ":" port ]} of RFC 3986 §3.2.2-3.2.3, without userinfo (RFC 9110 §4.2.4 deprecates it).
 *
 * <p>Threading: stateless, any thread. Ownership: reads the caller's array, keeps nothing.
 */
final class Authority {
    private Authority() {
    }

    /**
     * {@code uri-host [ ":" port ]} (RFC 3986 §3.2.2-3.2.3, without userinfo): an IP-literal in brackets, or a
     * non-empty reg-name / IPv4 address; the port at most 65535.
     */
    static boolean isValidHostPort(byte[] a, int s, int e, boolean portRequired) {
        if (s >= e) {
            return false;
        }
        int i = s;
        if (a[i] == '[') {
            i++;
            while (i < e && a[i] != ']') {
                if (!Ascii.is(a[i], Ascii.REG_NAME) && a[i] != ':') {
                    return false;
                }
                i++;
            }
            if (i == e || i == s + 1) {
                return false;
            }
            i++;
        } else {
            while (i < e && a[i] != ':') {
                if (a[i] == '%') {
                    if (i + 3 > e || !Ascii.is(a[i + 1], Ascii.HEX) || !Ascii.is(a[i + 2], Ascii.HEX)) {
                        return false;
                    }
                    i += 3;
                    continue;
                }
                if (!Ascii.is(a[i], Ascii.REG_NAME)) {
                    return false;
                }
                i++;
            }
            if (i == s) {
                return false;
            }
        }
        if (i == e) {
            return !portRequired;
        }
        if (a[i] != ':') {
            return false;
        }
        i++;
        int digits = e - i;
        if (digits == 0) {
            return !portRequired;
        }
        if (digits > 5) {
            return false;
        }
        int port = 0;
        for (; i < e; i++) {
            if (!Ascii.isDigit(a[i])) {
                return false;
            }
            port = port * 10 + (a[i] - '0');
        }
        return port <= 65535;
    }
}
