package io.reactiveuring.core.reactive;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.ops.SocketOps;

import java.lang.foreign.MemorySegment;

/**
 * A write or send that completes only when every readable byte of its buffer is out: a short count continues the op
 * from where the kernel stopped ({@link #continuation}), and the value is the total. One per subscription; it holds
 * its own reference to the buffer until its last CQE.
 *
 * <p>Threading: built on the requesting thread; everything else on the loop thread. Ownership: the buffer reference
 * taken here is released by {@link #release()}.
 */
final class TransferAll implements OpCall<Integer> {
    enum Kind {
        /** {@code WRITE} at a file offset (advanced with each continuation), never polled. */
        FILE,
        /** {@code WRITE} to a pipe or other pollable fd. */
        STREAM,
        /** {@code SEND} on a socket. */
        SOCKET
    }

    private final Kind kind;
    private final int fd;
    private final long offset;
    private final UringBuffer held;
    private final MemorySegment bytes;
    private long written;
    private OpSpec spec;

    TransferAll(Kind kind, int fd, long offset, UringBuffer data) {
        this.kind = kind;
        this.fd = fd;
        this.offset = offset;
        this.held = data.retain(); // this subscription's reference (a copy for a borrowed buffer)
        this.bytes = held.readableSegment();
        this.spec = specFor(bytes, offset);
    }

    private OpSpec specFor(MemorySegment rest, long at) {
        return kind == Kind.SOCKET ? SocketOps.send(fd, rest, 0) : OpSpec.write(fd, rest, at);
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public OpSpec nowaitSpec() {
        return kind == Kind.SOCKET ? spec.withOpFlags(spec.opFlags() | Sockets.MSG_DONTWAIT)
                : spec.withOpFlags(spec.opFlags() | Poll.RWF_NOWAIT);
    }

    @Override
    public int readiness() {
        return kind == Kind.FILE ? 0 : Poll.WRITABLE;
    }

    @Override
    public boolean regularFile() {
        return kind == Kind.FILE;
    }

    @Override
    public OpSpec continuation(int res) {
        written += res;
        long left = bytes.byteSize() - written;
        if (left <= 0 || res == 0) {
            return null; // all out (a 0 with bytes left would never progress: the total says how far it got)
        }
        spec = specFor(bytes.asSlice(written), offset < 0 ? -1 : offset + written);
        return spec;
    }

    @Override
    public Integer result(int res, int flags) {
        return (int) written;
    }

    @Override
    public void release() {
        held.release();
    }
}
