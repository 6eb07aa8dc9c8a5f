package io.reactiveuring.http.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The byte scans of the decoder, each in two versions: SWAR (eight bytes per step, read as one little-endian
 * {@code long} through a byte-array view VarHandle) and a plain byte loop over a class table. Both give the same
 * answer for every input ({@code ByteScanTest}); {@link HttpDecoderOptions#swarScanning()} chooses one, and the
 * benchmark measures both.
 *
 * <p>The SWAR tests are the classic "has a byte less than n" bit tricks: {@code (x - n * 0x01..) & ~x & 0x80..}
 * sets the high bit of every byte of {@code x} below {@code n} (for {@code n <= 0x80}), but a borrow out of a
 * matching byte can also mark the bytes <em>above</em> it. The lowest marked byte is therefore always a true match,
 * and reading little-endian, the lowest byte is the first one in memory: {@code numberOfTrailingZeros / 8} is the
 * index of the first match. OR-ing several such masks keeps that property (each one's lowest mark is exact). A tail
 * shorter than eight bytes is read as one word too when the array extends past it, with the marks beyond the range
 * cleared.
 *
 * <p>Threading: stateless, any thread. Ownership: reads the caller's array, keeps nothing.
 */
final class ByteScan {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LFS = ONES * '\n';
    private static final long DELS = ONES * 0x7F;
    private static final long BELOW_SPACE = ONES * 0x20;
    private static final long BELOW_BANG = ONES * 0x21;

    /** "HTTP/1.1" as a little-endian long: the common version compared in one step. */
    static final long HTTP_1_1 = 0x312E312F50545448L;
    /** "HTTP/1.0" as a little-endian long. */
    static final long HTTP_1_0 = 0x302E312F50545448L;

    private ByteScan() {
    }

    static long readLong(byte[] a, int index) {
        return (long) LONG_LE.get(a, index);
    }

    /** The index of the first LF in {@code [from, to)}, or -1. */
    static int indexOfLf(byte[] a, int from, int to, boolean swar) {
        return swar ? swarIndexOfLf(a, from, to) : loopIndexOfLf(a, from, to);
    }

    /**
     * The index of the first control character (0x00-0x1F, or DEL 0x7F) in {@code [from, to)}, or {@code to}.
     * Bytes 0x80-0xFF (obs-text) are not control characters.
     */
    static int indexOfControl(byte[] a, int from, int to, boolean swar) {
        return swar ? swarIndexOfControl(a, from, to) : loopIndexOfControl(a, from, to);
    }

    /** The index of the first byte in {@code [from, to)} that is not visible ASCII (0x21-0x7E), or {@code to}. */
    static int indexOfNonVisible(byte[] a, int from, int to, boolean swar) {
        return swar ? swarIndexOfNonVisible(a, from, to) : loopIndexOfNonVisible(a, from, to);
    }

    // ---------------------------------------------------------------------------------------------- SWAR

    static int swarIndexOfLf(byte[] a, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long found = lf(readLong(a, i));
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        if (i < to) {
            if (i <= a.length - Long.BYTES) {
                long found = lf(readLong(a, i)) & below(to - i);
                return found != 0 ? i + (Long.numberOfTrailingZeros(found) >>> 3) : -1;
            }
            return loopIndexOfLf(a, i, to);
        }
        return -1;
    }

    static int swarIndexOfControl(byte[] a, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long found = control(readLong(a, i));
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        if (i < to && i <= a.length - Long.BYTES) {
            long found = control(readLong(a, i)) & below(to - i);
            return found != 0 ? i + (Long.numberOfTrailingZeros(found) >>> 3) : to;
        }
        return loopIndexOfControl(a, i, to);
    }

    static int swarIndexOfNonVisible(byte[] a, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long found = nonVisible(readLong(a, i));
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        if (i < to && i <= a.length - Long.BYTES) {
            long found = nonVisible(readLong(a, i)) & below(to - i);
            return found != 0 ? i + (Long.numberOfTrailingZeros(found) >>> 3) : to;
        }
        return loopIndexOfNonVisible(a, i, to);
    }

    private static long lf(long x) {
        long y = x ^ LFS; // an LF byte becomes zero
        return (y - ONES) & ~y & HIGHS;
    }

    private static long control(long x) {
        long del = x ^ DELS;
        return ((x - BELOW_SPACE) & ~x & HIGHS) | ((del - ONES) & ~del & HIGHS);
    }

    private static long nonVisible(long x) {
        long del = x ^ DELS;
        return ((x - BELOW_BANG) & ~x & HIGHS) | (x & HIGHS) | ((del - ONES) & ~del & HIGHS);
    }

    /**
     * The marks of the lowest {@code n} bytes (1 to 7): the tail of a range read as one word that runs past its
     * end (still inside the array). Borrows only run upwards, so the bytes past the end cannot mark a byte below.
     */
    private static long below(int n) {
        return (1L << (n << 3)) - 1;
    }

    // ---------------------------------------------------------------------------------------------- byte loops

    static int loopIndexOfLf(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static int loopIndexOfControl(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if ((Ascii.CLASSES[a[i] & 0xFF] & Ascii.CONTROL) != 0) {
                return i;
            }
        }
        return to;
    }

    static int loopIndexOfNonVisible(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if ((Ascii.CLASSES[a[i] & 0xFF] & Ascii.VISIBLE) == 0) {
                return i;
            }
        }
        return to;
    }
}
