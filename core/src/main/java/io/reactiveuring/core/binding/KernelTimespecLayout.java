package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct __kernel_timespec} (include/uapi/linux/time_types.h): 64-bit seconds and nanoseconds.
 *
 * <p>Stateless; safe from any thread.
 */
public final class KernelTimespecLayout {
    private KernelTimespecLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long TV_SEC = LAYOUT.byteOffset(groupElement("tv_sec"));
    public static final long TV_NSEC = LAYOUT.byteOffset(groupElement("tv_nsec"));
}
