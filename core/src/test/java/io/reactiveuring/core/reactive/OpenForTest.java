package io.reactiveuring.core.reactive;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Plain open(2) for tests that need a regular-file fd without going through the ring. */
final class OpenForTest {
    private static final MethodHandle OPEN = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;

    private OpenForTest() {
    }

    static int open(MemorySegment path) {
        return call(path, O_RDONLY | O_CLOEXEC);
    }

    static int openWrite(MemorySegment path) {
        return call(path, O_WRONLY | O_CLOEXEC);
    }

    private static int call(MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(path, flags, 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
