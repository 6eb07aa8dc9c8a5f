package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct open_how} (include/uapi/linux/openat2.h), the argument of {@code openat2(2)} and
 * {@code IORING_OP_OPENAT2}: open flags, creation mode and {@code RESOLVE_*} path-resolution flags. The kernel
 * takes its size as a version number ({@code sqe->len}); this is version 0, 24 bytes.
 *
 * <p>Stateless; safe from any thread.
 */
public final class OpenHowLayout {
    private OpenHowLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags"),
            JAVA_LONG.withName("mode"),
            JAVA_LONG.withName("resolve"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long FLAGS = LAYOUT.byteOffset(groupElement("flags"));
    public static final long MODE = LAYOUT.byteOffset(groupElement("mode"));
    public static final long RESOLVE = LAYOUT.byteOffset(groupElement("resolve"));
}
