package io.reactiveuring.core.engine;

import io.reactiveuring.core.binding.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** A pipe made with {@code pipe2(O_CLOEXEC)} for tests; writes from any thread through plain {@code write(2)}. */
public final class TestPipe implements AutoCloseable {
    public final int readFd;
    public final int writeFd;
    private boolean closed;

    public TestPipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = LibC.pipe2(fds, LibC.O_CLOEXEC);
            if (r < 0) {
                throw new IllegalStateException("pipe2 failed: " + r);
            }
            readFd = fds.getAtIndex(JAVA_INT, 0);
            writeFd = fds.getAtIndex(JAVA_INT, 1);
        }
    }

    /** Writes {@code bytes} with {@code write(2)} on the calling thread; returns the count written. */
    public long write(byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            long n = LibC.write(writeFd, data, bytes.length);
            if (n != bytes.length) {
                throw new IllegalStateException("short or failed pipe write: " + n);
            }
            return n;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.close(readFd);
            LibC.close(writeFd);
        }
    }
}
