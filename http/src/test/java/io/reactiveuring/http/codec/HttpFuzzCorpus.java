package io.reactiveuring.http.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of hostile HTTP request inputs: mutations of real requests (bit flips, truncations,
 * insertions of CR/LF/NUL/SP/HTAB and separators, deletions, duplications, random bytes, splices of two requests,
 * odd numbers in framing fields), pure garbage, oversized inputs (huge request lines, huge or very many fields,
 * long chunk extensions, many empty lines), and inputs a few bytes either side of each default limit of
 * {@link HttpDecoderOptions#defaults()}. The same {@code (seed, index)} always gives the same bytes, so a failing
 * input can be reproduced alone, and the corpus can be fired at a real server over sockets as well as at the
 * decoder.
 *
 * <p>Threading: stateless; {@link #input} is safe from any thread. Ownership: every returned array is new.
 */
public final class HttpFuzzCorpus {
    /**
     * One generated input.
     *
     * @param index its index in the corpus
     * @param kind  how it was made (the mutations applied), for reports
     * @param bytes the bytes to send
     */
    public record Input(int index, String kind, byte[] bytes) {
        @Override
        public String toString() {
            return "#" + index + " " + kind + " (" + bytes.length + " bytes)";
        }
    }

    private static final byte[] SPECIAL = {'\r', '\n', 0, ' ', '\t', ':', ',', ';', '"', '/', '?', '%', 0x7F,
            (byte) 0x80, (byte) 0xFF, '0', 'F'};

    private static final List<byte[]> SEEDS = buildSeeds();

    private HttpFuzzCorpus() {
    }

    /**
     * The real requests mutations start from: {@link SampleRequests} and a few more framing cases.
     *
     * @return the seeds (copies)
     */
    public static List<byte[]> seeds() {
        List<byte[]> copies = new ArrayList<>();
        for (byte[] s : SEEDS) {
            copies.add(s.clone());
        }
        return copies;
    }

    /**
     * Inputs {@code 0 .. count-1} of the corpus for {@code seed}.
     *
     * @param seed  the corpus seed
     * @param count how many
     * @return the inputs, in index order
     */
    public static List<Input> generate(long seed, int count) {
        List<Input> inputs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inputs.add(input(seed, i));
        }
        return inputs;
    }

    /**
     * Input {@code index} of the corpus for {@code seed}, independent of the others.
     *
     * @param seed  the corpus seed
     * @param index which input
     * @return the input
     */
    public static Input input(long seed, int index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int choice = r.nextInt(100);
        StringBuilder kind = new StringBuilder();
        byte[] bytes;
        if (choice < 8) {
            bytes = garbage(r, kind);
        } else if (choice < 16) {
            bytes = huge(r, kind);
        } else if (choice < 24) {
            bytes = limitEdge(r, kind);
        } else if (choice < 28) {
            bytes = seed(r);
            kind.append("seed");
        } else {
            bytes = seed(r);
            int mutations = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
            for (int m = 0; m < mutations; m++) {
                bytes = mutate(r, bytes, kind);
            }
        }
        return new Input(index, kind.toString(), bytes);
    }

    // ------------------------------------------------------------------------------------------------ generators

    private static byte[] seed(SplittableRandom r) {
        return SEEDS.get(r.nextInt(SEEDS.size())).clone();
    }

    private static byte[] garbage(SplittableRandom r, StringBuilder kind) {
        int n = r.nextInt(4097);
        byte[] b = new byte[n];
        boolean printable = r.nextBoolean();
        for (int i = 0; i < n; i++) {
            if (!printable) {
                b[i] = (byte) r.nextInt(256);
            } else {
                b[i] = r.nextInt(10) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (byte) (0x20 + r.nextInt(0x5F));
            }
        }
        kind.append(printable ? "garbage-printable" : "garbage-bytes");
        return b;
    }

    private static byte[] huge(SplittableRandom r, StringBuilder kind) {
        StringBuilder sb = new StringBuilder();
        switch (r.nextInt(7)) {
            case 0 -> {
                kind.append("huge-request-line");
                sb.append("GET /").append("a".repeat(7_000 + r.nextInt(4_000))).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
            }
            case 1 -> {
                kind.append("huge-field");
                sb.append("GET / HTTP/1.1\r\nHost: h\r\nX-Big: ").append("v".repeat(14_000 + r.nextInt(6_000)))
                        .append("\r\n\r\n");
            }
            case 2 -> {
                kind.append("many-fields");
                sb.append("GET / HTTP/1.1\r\nHost: h\r\n");
                for (int i = 0, n = 90 + r.nextInt(30); i < n; i++) {
                    sb.append("X-F").append(i).append(": ").append(i).append("\r\n");
                }
                sb.append("\r\n");
            }
            case 3 -> {
                kind.append("long-chunk-extension");
                sb.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;")
                        .append("e".repeat(900 + r.nextInt(300))).append("\r\nabc\r\n0\r\n\r\n");
            }
            case 4 -> {
                kind.append("many-empty-lines");
                sb.append("\r\n".repeat(r.nextInt(16))).append("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            }
            case 5 -> {
                kind.append("huge-trailers");
                sb.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n");
                for (int i = 0, n = 80 + r.nextInt(40); i < n; i++) {
                    sb.append("T").append(i).append(": ").append("t".repeat(r.nextInt(120))).append("\r\n");
                }
                sb.append("\r\n");
            }
            default -> {
                kind.append("many-pipelined");
                for (int i = 0, n = 50 + r.nextInt(150); i < n; i++) {
                    sb.append("GET /").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
                }
            }
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A request within a few bytes (or fields) of one of the default limits, on either side. */
    private static byte[] limitEdge(SplittableRandom r, StringBuilder kind) {
        HttpDecoderOptions o = HttpDecoderOptions.defaults();
        int d = r.nextInt(7) - 3;
        StringBuilder sb = new StringBuilder();
        switch (r.nextInt(6)) {
            case 0 -> {
                kind.append("edge-request-line").append(d);
                int pad = o.maxRequestLineLength() + d - "GET / HTTP/1.1".length();
                sb.append("GET /").append("r".repeat(pad)).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
            }
            case 1 -> {
                kind.append("edge-header-section").append(d);
                String host = "Host: h\r\n";
                int pad = o.maxHeaderSectionSize() + d - host.length() - "X-Pad: \r\n".length();
                sb.append("GET / HTTP/1.1\r\n").append(host).append("X-Pad: ").append("p".repeat(pad))
                        .append("\r\n\r\n");
            }
            case 2 -> {
                kind.append("edge-field-count").append(d);
                sb.append("GET / HTTP/1.1\r\nHost: h\r\n");
                for (int i = 1; i < o.maxHeaderCount() + d; i++) {
                    sb.append("F").append(i).append(": v\r\n");
                }
                sb.append("\r\n");
            }
            case 3 -> {
                kind.append("edge-trailer-section").append(d);
                int pad = o.maxTrailerSectionSize() + d - "X-T: \r\n".length();
                sb.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: ")
                        .append("t".repeat(pad)).append("\r\n\r\n");
            }
            case 4 -> {
                kind.append("edge-chunk-line").append(d);
                int pad = o.maxChunkLineLength() + d - "1;".length();
                sb.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;")
                        .append("e".repeat(pad)).append("\r\nx\r\n0\r\n\r\n");
            }
            default -> {
                kind.append("edge-empty-lines").append(d);
                sb.append("\r\n".repeat(o.maxEmptyLinesBeforeRequest() + d))
                        .append("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            }
        }
        if (r.nextInt(4) == 0) { // a second request behind it
            sb.append("GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] mutate(SplittableRandom r, byte[] b, StringBuilder kind) {
        if (!kind.isEmpty()) {
            kind.append('+');
        }
        int n = b.length;
        switch (r.nextInt(10)) {
            case 0 -> {
                kind.append("bitflip");
                byte[] c = b.clone();
                for (int i = 0, flips = 1 + r.nextInt(8); i < flips && n > 0; i++) {
                    c[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                }
                return c;
            }
            case 1 -> {
                kind.append("truncate");
                return java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n));
            }
            case 2 -> {
                kind.append("insert");
                byte[] c = b;
                for (int i = 0, k = 1 + r.nextInt(6); i < k; i++) {
                    c = insert(c, r.nextInt(c.length + 1), new byte[]{SPECIAL[r.nextInt(SPECIAL.length)]});
                }
                return c;
            }
            case 3 -> {
                kind.append("delete");
                if (n == 0) {
                    return b;
                }
                int from = r.nextInt(n);
                int to = Math.min(n, from + 1 + r.nextInt(Math.min(n - from, 16)));
                return concat(java.util.Arrays.copyOfRange(b, 0, from), java.util.Arrays.copyOfRange(b, to, n));
            }
            case 4 -> {
                kind.append("duplicate");
                if (n == 0) {
                    return b;
                }
                int from = r.nextInt(n);
                int to = Math.min(n, from + 1 + r.nextInt(n - from));
                return insert(b, to, java.util.Arrays.copyOfRange(b, from, to));
            }
            case 5 -> {
                kind.append("random-bytes");
                byte[] c = b.clone();
                for (int i = 0, k = 1 + r.nextInt(4); i < k && n > 0; i++) {
                    c[r.nextInt(n)] = (byte) r.nextInt(256);
                }
                return c;
            }
            case 6 -> {
                kind.append("splice");
                byte[] other = seed(r);
                return concat(java.util.Arrays.copyOf(b, r.nextInt(n + 1)),
                        java.util.Arrays.copyOfRange(other, r.nextInt(other.length + 1), other.length));
            }
            case 7 -> {
                kind.append("numbers");
                return replaceNumber(r, b);
            }
            case 8 -> {
                kind.append("whitespace");
                byte[] c = b;
                for (int i = 0, k = 1 + r.nextInt(3); i < k; i++) {
                    int at = indexOfAny(c, r, (byte) ':', (byte) ' ', (byte) '\n');
                    c = insert(c, at, new byte[]{r.nextBoolean() ? (byte) ' ' : (byte) '\t'});
                }
                return c;
            }
            default -> {
                kind.append("case");
                byte[] c = b.clone();
                for (int i = 0; i < n; i++) {
                    if (r.nextInt(8) == 0 && ((c[i] | 0x20) >= 'a' && (c[i] | 0x20) <= 'z')) {
                        c[i] ^= 0x20;
                    }
                }
                return c;
            }
        }
    }

    /** Replaces a run of digits or hex digits with a random number: tiny, huge, negative, hex, listed. */
    private static byte[] replaceNumber(SplittableRandom r, byte[] b) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < b.length; ) {
            if (Ascii.is(b[i], Ascii.HEX)) {
                int s = i;
                while (i < b.length && Ascii.is(b[i], Ascii.HEX)) {
                    i++;
                }
                runs.add(new int[]{s, i});
            } else {
                i++;
            }
        }
        if (runs.isEmpty()) {
            return b;
        }
        int[] run = runs.get(r.nextInt(runs.size()));
        String[] numbers = {"0", "1", "00000000000000000001", "18446744073709551616", "9223372036854775807",
                "-1", "ffffffffffffffff", "7fffffffffffffff", "10000000000000000", "5, 5", "5, 6", "", " 3 ",
                Long.toString(r.nextLong()), Integer.toHexString(r.nextInt())};
        byte[] replacement = numbers[r.nextInt(numbers.length)].getBytes(StandardCharsets.ISO_8859_1);
        return concat(concat(java.util.Arrays.copyOf(b, run[0]), replacement),
                java.util.Arrays.copyOfRange(b, run[1], b.length));
    }

    private static int indexOfAny(byte[] b, SplittableRandom r, byte... targets) {
        if (b.length == 0) {
            return 0;
        }
        int start = r.nextInt(b.length);
        for (int k = 0; k < b.length; k++) {
            int i = (start + k) % b.length;
            for (byte t : targets) {
                if (b[i] == t) {
                    return i;
                }
            }
        }
        return start;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] c = new byte[b.length + what.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(what, 0, c, at, what.length);
        System.arraycopy(b, at, c, at + what.length, b.length - at);
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static List<byte[]> buildSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (SampleRequests.Sample s : SampleRequests.all()) {
            seeds.add(s.bytes());
        }
        String[] more = {
                "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n",
                "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                "PATCH /p?q=%20 HTTP/1.1\r\nHost: [::1]:80\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
        };
        for (String m : more) {
            seeds.add(m.getBytes(StandardCharsets.ISO_8859_1));
        }
        return List.copyOf(seeds);
    }
}
