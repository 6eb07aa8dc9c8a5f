package io.reactiveuring.http.codec;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The SWAR scans find exactly what the byte loops find, at every offset and length, for every byte value. */
class ByteScanTest {

    @Test
    void swarAndLoopAgreeOnRandomArrays() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] interesting = {'\n', '\r', '\t', ' ', 0, 0x1F, 0x20, 0x21, 0x7E, 0x7F, (byte) 0x80, (byte) 0xFF, 'a',
                (byte) 0x0B, (byte) 0x8A, (byte) 0xA0};
        for (int round = 0; round < 3_000; round++) {
            byte[] a = new byte[1 + random.nextInt(40)];
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextInt(4) == 0 ? interesting[random.nextInt(interesting.length)]
                        : (byte) (0x21 + random.nextInt(0x5E));
            }
            for (int from = 0; from <= a.length; from++) {
                for (int to = from; to <= a.length; to++) {
                    assertEquals(ByteScan.loopIndexOfLf(a, from, to), ByteScan.swarIndexOfLf(a, from, to));
                    assertEquals(ByteScan.loopIndexOfControl(a, from, to), ByteScan.swarIndexOfControl(a, from, to));
                    assertEquals(ByteScan.loopIndexOfNonVisible(a, from, to),
                            ByteScan.swarIndexOfNonVisible(a, from, to));
                }
            }
        }
    }

    @Test
    void everyByteValueAtEveryLanePosition() {
        for (int value = 0; value < 256; value++) {
            for (int lane = 0; lane < 8; lane++) {
                for (int filler : new int[]{'a', 0xFF, 0x80}) {
                    byte[] a = new byte[16];
                    java.util.Arrays.fill(a, (byte) filler);
                    a[lane] = (byte) value;
                    a[lane + 8] = (byte) value;
                    assertEquals(ByteScan.loopIndexOfLf(a, 0, 16), ByteScan.swarIndexOfLf(a, 0, 16));
                    assertEquals(ByteScan.loopIndexOfControl(a, 0, 16), ByteScan.swarIndexOfControl(a, 0, 16));
                    assertEquals(ByteScan.loopIndexOfNonVisible(a, 0, 16), ByteScan.swarIndexOfNonVisible(a, 0, 16));
                }
            }
        }
    }

    @Test
    void versionConstantsAreTheAsciiBytes() {
        assertEquals(ByteScan.HTTP_1_1, ByteScan.readLong("HTTP/1.1".getBytes(), 0));
        assertEquals(ByteScan.HTTP_1_0, ByteScan.readLong("HTTP/1.0".getBytes(), 0));
    }
}
