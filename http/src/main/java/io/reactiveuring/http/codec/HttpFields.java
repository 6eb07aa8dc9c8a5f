package io.reactiveuring.http.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The field lines of a decoded field section (the header section of a request, or the trailers of a chunked body),
 * in the order received. Fields are views: each one is four offsets into one byte array of its own (a copy of the
 * received section, never the receive buffer), and a name or value becomes a {@code String} only when asked for.
 * Well-known names are recognised while decoding ({@link #header(int)}) and {@link #name(int)} returns their
 * interned canonical spelling. Values are trimmed of surrounding whitespace; they are bytes (ISO-8859-1 when made
 * into strings, RFC 9110 §5.5).
 *
 * <p>Threading: immutable once decoded; safe to read from any thread after it was handed over with a
 * happens-before edge (e.g. a queue). Ownership: the object owns its arrays and shares them with no-one; it may be
 * kept as long as needed (it does not pin any buffer).
 */
public sealed class HttpFields permits HttpRequestHead {
    /** No fields: the trailers of a message without any. */
    public static final HttpFields EMPTY = new HttpFields(new byte[0], new int[0], 0);

    /** Ints per field in {@link #fields}: name start, name end, value start, value end, well-known ordinal or -1. */
    static final int SLOTS = 5;

    final byte[] bytes;
    final int[] fields;
    final int count;

    HttpFields(byte[] bytes, int[] fields, int count) {
        this.bytes = bytes;
        this.fields = fields;
        this.count = count;
    }

    /**
     * The number of field lines.
     *
     * @return the count, repeated names counted each time
     */
    public int size() {
        return count;
    }

    /**
     * The well-known name of field {@code index}.
     *
     * @param index 0 to {@code size() - 1}
     * @return the name's constant, or null if the name is not a well-known one
     */
    public HttpHeader header(int index) {
        int ordinal = fields[slot(index) + 4];
        return ordinal < 0 ? null : HttpHeader.byOrdinal(ordinal);
    }

    /**
     * The name of field {@code index}: the canonical spelling for a well-known name (no allocation), otherwise as
     * received (a new string).
     *
     * @param index 0 to {@code size() - 1}
     * @return the field name
     */
    public String name(int index) {
        HttpHeader known = header(index);
        if (known != null) {
            return known.canonicalName();
        }
        int s = slot(index);
        return latin1(fields[s], fields[s + 1]);
    }

    /**
     * The value of field {@code index} as a new string.
     *
     * @param index 0 to {@code size() - 1}
     * @return the value, without leading or trailing whitespace
     */
    public String value(int index) {
        int s = slot(index);
        return latin1(fields[s + 2], fields[s + 3]);
    }

    /**
     * Where the name of field {@code index} starts in {@link #byteAt(int)} coordinates.
     *
     * @param index 0 to {@code size() - 1}
     * @return the offset of its first byte
     */
    public int nameOffset(int index) {
        return fields[slot(index)];
    }

    /**
     * The length of the name of field {@code index}.
     *
     * @param index 0 to {@code size() - 1}
     * @return its length in bytes
     */
    public int nameLength(int index) {
        int s = slot(index);
        return fields[s + 1] - fields[s];
    }

    /**
     * Where the value of field {@code index} starts in {@link #byteAt(int)} coordinates.
     *
     * @param index 0 to {@code size() - 1}
     * @return the offset of its first byte
     */
    public int valueOffset(int index) {
        return fields[slot(index) + 2];
    }

    /**
     * The length of the value of field {@code index}.
     *
     * @param index 0 to {@code size() - 1}
     * @return its length in bytes (0 for an empty value)
     */
    public int valueLength(int index) {
        int s = slot(index);
        return fields[s + 3] - fields[s + 2];
    }

    /**
     * One byte of the section, for allocation-free access through the offsets above.
     *
     * @param offset an offset from {@link #nameOffset} or {@link #valueOffset} plus less than the length
     * @return the byte
     * @throws IndexOutOfBoundsException if {@code offset} lies outside the section
     */
    public byte byteAt(int offset) {
        return bytes[offset];
    }

    /**
     * The index of the first field named {@code name} at or after {@code from}.
     *
     * @param name a well-known name
     * @param from the first index to look at
     * @return the index, or -1
     */
    public int indexOf(HttpHeader name, int from) {
        int ordinal = name.ordinal();
        for (int i = Math.max(from, 0); i < count; i++) {
            if (fields[i * SLOTS + 4] == ordinal) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The index of the first field whose name equals {@code name} ignoring ASCII case, at or after {@code from}.
     *
     * @param name a field name
     * @param from the first index to look at
     * @return the index, or -1
     */
    public int indexOf(CharSequence name, int from) {
        Objects.requireNonNull(name, "name");
        HttpHeader known = HttpHeader.of(name);
        if (known != null) {
            return indexOf(known, from);
        }
        for (int i = Math.max(from, 0); i < count; i++) {
            int s = i * SLOTS;
            if (fields[s + 4] < 0 && Ascii.equalsIgnoreCase(bytes, fields[s], fields[s + 1], name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether a field named {@code name} is present.
     *
     * @param name a well-known name
     * @return true if at least one field line has that name
     */
    public boolean contains(HttpHeader name) {
        return indexOf(name, 0) >= 0;
    }

    /**
     * The value of the first field named {@code name}.
     *
     * @param name a well-known name
     * @return its value as a new string, or null if there is none
     */
    public String get(HttpHeader name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : value(i);
    }

    /**
     * The value of the first field whose name equals {@code name} ignoring ASCII case.
     *
     * @param name a field name
     * @return its value as a new string, or null if there is none
     */
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : value(i);
    }

    /**
     * The values of every field named {@code name}, in order.
     *
     * @param name a field name
     * @return a new list, empty if there is none
     */
    public List<String> getAll(CharSequence name) {
        List<String> values = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            values.add(value(i));
        }
        return values;
    }

    /**
     * Whether the value of field {@code index} equals {@code value} ignoring ASCII case, without allocating.
     *
     * @param index 0 to {@code size() - 1}
     * @param value the value to compare with
     * @return true if equal ignoring case
     */
    public boolean valueEqualsIgnoreCase(int index, CharSequence value) {
        int s = slot(index);
        return Ascii.equalsIgnoreCase(bytes, fields[s + 2], fields[s + 3], value);
    }

    final String latin1(int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private int slot(int index) {
        Objects.checkIndex(index, count);
        return index * SLOTS;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(name(i)).append(": ").append(value(i));
        }
        return sb.append(']').toString();
    }
}
