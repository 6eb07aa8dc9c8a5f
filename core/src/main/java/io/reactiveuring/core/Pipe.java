package io.reactiveuring.core;

import io.reactiveuring.core.binding.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A pipe ({@code pipe2(O_CLOEXEC)}) for tests, samples and splice: its two fds, closed together by
 * {@link #close()}. Both ends block in plain syscalls; through the ring they are pollable fds (reads wait for data).
 *
 * <p>Ownership: the caller owns both fds until {@link #close()} (idempotent). Threading: the fds may be used from
 * any thread; {@code close} must not race with ops still in flight on them.
 *
 * @param readFd  the read end
 * @param writeFd the write end
 */
public record Pipe(int readFd, int writeFd) implements AutoCloseable {

    /**
     * A new pipe.
     *
     * @return the pipe
     * @throws UringException if {@code pipe2} fails (e.g. {@code EMFILE})
     */
    public static Pipe open() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = LibC.pipe2(fds, LibC.O_CLOEXEC);
            if (r < 0) {
                throw UringException.of(r, "pipe2");
            }
            return new Pipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        }
    }

    /** Closes both ends; errors (an fd already closed) are ignored. */
    @Override
    public void close() {
        LibC.close(readFd);
        LibC.close(writeFd);
    }
}
