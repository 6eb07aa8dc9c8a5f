package io.reactiveuring.core.net;

import io.reactiveuring.core.binding.IovecLayout;
import io.reactiveuring.core.binding.MsghdrLayout;
import io.reactiveuring.core.engine.OpSpec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Builds a {@code struct msghdr} with its {@code iovec} array in native memory, for {@code SENDMSG} and
 * {@code RECVMSG}: one allocation holds the header and the iovecs; the data buffers and the optional name buffer
 * are the caller's segments, referenced by address.
 *
 * <p>Stateless; safe from any thread. Ownership: the kernel reads the header, the iovecs and the buffers (and, for
 * recvmsg, writes the buffers, the name and the header's {@code msg_namelen}/{@code msg_flags}) until the op's final
 * completion; everything must come from arenas that stay open until then.
 */
public final class MessageHeaders {
    private MessageHeaders() {
    }

    /**
     * A msghdr whose iovecs cover {@code buffers} in order (scatter for recvmsg, gather for sendmsg).
     *
     * @param name a sockaddr to send to, or the room a received message's source address is written into; null
     *             for connected sockets
     * @throws IllegalArgumentException if a buffer is not native, there are no buffers, or more than
     *                                  {@link IovecLayout#UIO_MAXIOV}
     */
    public static MemorySegment allocate(SegmentAllocator allocator, MemorySegment name, MemorySegment... buffers) {
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(buffers, "buffers");
        IovecLayout.checkCount(buffers.length);
        for (MemorySegment b : buffers) {
            OpSpec.checkNative(b);
        }
        if (name != null) {
            OpSpec.checkNative(name);
            OpSpec.checkLength(name.byteSize());
        }
        MemorySegment header = allocator.allocate(MsghdrLayout.SIZE + MsghdrLayout.IOVEC_SIZE * buffers.length, 8);
        header.fill((byte) 0);
        long iov = header.address() + MsghdrLayout.SIZE;
        for (int i = 0; i < buffers.length; i++) {
            long at = MsghdrLayout.SIZE + MsghdrLayout.IOVEC_SIZE * i;
            header.set(JAVA_LONG, at + MsghdrLayout.IOV_BASE, buffers[i].address());
            header.set(JAVA_LONG, at + MsghdrLayout.IOV_LEN, buffers[i].byteSize());
        }
        if (name != null) {
            header.set(JAVA_LONG, MsghdrLayout.MSG_NAME, name.address());
            header.set(JAVA_INT, MsghdrLayout.MSG_NAMELEN, (int) name.byteSize());
        }
        header.set(JAVA_LONG, MsghdrLayout.MSG_IOV, iov);
        header.set(JAVA_LONG, MsghdrLayout.MSG_IOVLEN, buffers.length);
        return header;
    }

    /** {@code msg_namelen}: after recvmsg, the length of the source address written into the name buffer. */
    public static int nameLength(MemorySegment msghdr) {
        return msghdr.get(JAVA_INT, MsghdrLayout.MSG_NAMELEN);
    }

    /** {@code msg_flags}: after recvmsg, e.g. {@code MSG_TRUNC} when a datagram did not fit. */
    public static int flags(MemorySegment msghdr) {
        return msghdr.get(JAVA_INT, MsghdrLayout.MSG_FLAGS);
    }
}
