package io.reactiveuring.core.reactive;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.UringLoop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A multishot recv (the real {@link MultishotCalls#recv} call) that yields exactly {@code elements} buffers, then
 * completes: a test fixture for the TCK.
 *
 * <p>The source is an {@code AF_UNIX SOCK_SEQPACKET} socketpair, whose message boundaries make one message one
 * CQE and so one element. Each {@link #item} (loop thread, CQE order) writes the next 8-byte message; after the
 * last one the writer shuts down, and the reader's EOF ({@code 0}) completes the stream. {@code Long.MAX_VALUE}
 * elements: never ends. The buffers come from a ring of this subscription's own; the TCK's subscribers never
 * release what they receive, so the fixture releases the buffers it lent in {@link #release()} (after the op's
 * final CQE), then closes the ring and the sockets. Created on the loop thread, at the subscription's first arm.
 */
final class CountedSeqpacketRecv implements MultishotCall<UringBuffer> {
    /** More than any TCK rule holds at once (at most 20 elements), so the ring never runs dry for lack of releases. */
    static final int RING_ENTRIES = 64;
    private static final AtomicInteger GROUP_IDS = new AtomicInteger(1000);

    private final long elements;
    private final int readFd;
    private final int writeFd;
    private final ProvidedBufferRing ring;
    private final MultishotCall<UringBuffer> recv;
    private final List<UringBuffer> lent = new ArrayList<>();
    private long written;
    private boolean writerShut;

    CountedSeqpacketRecv(UringLoop loop, BufferAllocator allocator, List<ProvidedBufferRing> rings, long elements) {
        this.elements = elements;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            int r = LibSocket.socketpair(Sockets.AF_UNIX, Sockets.SOCK_SEQPACKET, 0, sv);
            if (r < 0) {
                throw new IllegalStateException("socketpair: " + r);
            }
            readFd = sv.get(JAVA_INT, 0);
            writeFd = sv.get(JAVA_INT, 4);
        }
        ring = ProvidedBufferRing.register(loop, GROUP_IDS.getAndIncrement() & 0xFFFF, RING_ENTRIES, 8);
        rings.add(ring);
        recv = MultishotCalls.recv(readFd, ring, allocator, null).get();
        produceNext();
    }

    /** The next message, or the writer's shutdown once every element was written. */
    private void produceNext() {
        if (elements == Long.MAX_VALUE || written < elements) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment message = a.allocate(JAVA_LONG);
                message.set(JAVA_LONG, 0, written++);
                if (LibC.write(writeFd, message, 8) != 8) {
                    throw new IllegalStateException("seqpacket write failed");
                }
            }
        } else if (!writerShut) {
            writerShut = true;
            LibSocket.shutdown(writeFd, Sockets.SHUT_WR);
        }
    }

    @Override
    public OpSpec spec() {
        return recv.spec();
    }

    @Override
    public OwnedResource armResource() {
        return recv.armResource();
    }

    @Override
    public boolean endOfStream(int res, int flags) {
        return recv.endOfStream(res, flags);
    }

    @Override
    public UringBuffer item(int res, int flags) {
        UringBuffer b = recv.item(res, flags);
        lent.add(b);
        produceNext();
        return b;
    }

    @Override
    public boolean awaitBufferReturn(Runnable onReturned) {
        return recv.awaitBufferReturn(onReturned);
    }

    @Override
    public void discard(UringBuffer item) {
        lent.remove(item);
        recv.discard(item);
    }

    @Override
    public void release() {
        lent.forEach(UringBuffer::release);
        lent.clear();
        recv.release();
        ring.close(); // freed once the current arm's lease is released, right after this final CQE
        LibC.close(readFd);
        LibC.close(writeFd);
    }
}
