package io.reactiveuring.core;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A connected pair of AF_UNIX sockets ({@code socketpair(SOCK_CLOEXEC)}), for tests and samples: what one end
 * sends the other receives. Closed together by {@link #close()}.
 *
 * <p>Ownership: the caller owns both fds until {@link #close()}. Threading: the fds may be used from any thread;
 * {@code close} must not race with ops still in flight on them.
 *
 * @param first  one end
 * @param second the other end
 */
public record SocketPair(int first, int second) implements AutoCloseable {

    /** The kind of socket pair. */
    public enum Kind {
        /** A byte stream ({@code SOCK_STREAM}). */
        STREAM(Sockets.SOCK_STREAM),
        /** Datagrams ({@code SOCK_DGRAM}): message boundaries kept, unreliable in general (not on AF_UNIX). */
        DATAGRAM(Sockets.SOCK_DGRAM),
        /** Ordered messages with boundaries and an end of stream ({@code SOCK_SEQPACKET}). */
        SEQPACKET(Sockets.SOCK_SEQPACKET);

        final int type;

        Kind(int type) {
            this.type = type;
        }
    }

    /**
     * A new connected stream pair.
     *
     * @return the pair
     * @throws UringException if {@code socketpair} fails
     */
    public static SocketPair open() {
        return open(Kind.STREAM);
    }

    /**
     * A new connected pair of {@code kind}.
     *
     * @param kind stream, datagram or seqpacket
     * @return the pair
     * @throws UringException if {@code socketpair} fails
     */
    public static SocketPair open(Kind kind) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = LibSocket.socketpair(Sockets.AF_UNIX, kind.type, 0, fds);
            if (r < 0) {
                throw UringException.of(r, "socketpair");
            }
            return new SocketPair(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        }
    }

    /** Closes both ends; errors (an fd already closed) are ignored. */
    @Override
    public void close() {
        LibC.close(first);
        LibC.close(second);
    }
}
