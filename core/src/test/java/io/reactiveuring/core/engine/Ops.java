package io.reactiveuring.core.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** Small shared helpers for engine tests: submit-and-wait, and copying bytes in and out of native memory. */
public final class Ops {
    private Ops() {
    }

    /** Submits one operation described by {@code spec} and returns its final res (waits up to 10 s). */
    public static int run(UringLoop loop, OpSpec spec) throws Exception {
        RecordingOperation op = new RecordingOperation(spec);
        loop.submit(op);
        return op.awaitRes();
    }

    /** {@code bytes} copied into a new segment of {@code arena}. */
    public static MemorySegment nativeCopy(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s.asSlice(0, bytes.length);
    }

    /** A NUL-terminated UTF-8 copy of {@code s} in {@code arena}. */
    public static MemorySegment cString(Arena arena, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        MemorySegment seg = arena.allocate(b.length + 1L);
        MemorySegment.copy(b, 0, seg, JAVA_BYTE, 0, b.length);
        return seg;
    }

    /** The first {@code n} bytes of {@code segment}. */
    public static byte[] bytes(MemorySegment segment, int n) {
        return segment.asSlice(0, n).toArray(JAVA_BYTE);
    }
}
