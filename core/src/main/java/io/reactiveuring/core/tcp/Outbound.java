package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringErrors;
import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.binding.IovecLayout;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.MsghdrLayout;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.OwnedResource;
import io.reactiveuring.core.engine.SqeWriter;
import io.reactiveuring.core.engine.UringOperation;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.ops.FileOps;
import io.reactiveuring.core.ops.OpMemory;
import io.reactiveuring.core.ops.SocketOps;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_SEND;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_SEND_ZC;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A connection's send side: a queue of what to send (buffers, received ring buffers kept in place, files, marks and
 * a half-close), and at most one send in flight (the kernel does not keep concurrent sends on a stream in order
 * after a partial send). Everything queued during a turn of the loop goes out in one {@code SEND} (one buffer) or
 * {@code SENDMSG} (up to {@value IovecLayout#UIO_MAXIOV} buffers), prepared by a hook that runs right before the
 * turn's {@code io_uring_enter}; a partial send continues from where the kernel stopped. A single buffer of at
 * least {@link TcpOptions#zeroCopySendThreshold()} bytes goes with {@code SEND_ZC} and is released by its
 * notification CQE. A file goes through {@code splice}: file → the connection's pipe → socket, 64 KiB at a time,
 * no bytes through the JVM.
 *
 * <p>Threading: loop thread only. Ownership: a queued buffer is held (its own reference) until the kernel has sent
 * all of it; a queued ring buffer is held in the ring until then; memory the kernel may read is released only after
 * the final CQE of the op that pointed to it.
 */
final class Outbound {
    private static final byte BUFFER = 1;
    private static final byte RING = 2;
    private static final byte FILE = 3;
    private static final byte MARK = 4;
    private static final byte SHUTDOWN = 5;
    private static final int INITIAL_IOVECS = 8;
    private static final int PIPE_CHUNK = 64 * 1024;

    private final TcpConnection conn;
    private final LoopTcp loopTcp;
    private final int high;
    private final int low;
    private final int zeroCopyThreshold;

    // ---- the queue: parallel arrays in a ring, so queuing a buffer allocates nothing
    private Object[] refs = new Object[8];
    private long[] addrs = new long[8];
    private int[] lens = new int[8];
    private int[] bids = new int[8];
    private byte[] kinds = new byte[8];
    private int head;
    private int count;
    /** Bytes of queued buffers not yet sent (files not counted: they hold no memory). */
    long queuedBytes;
    private boolean writable = true;
    volatile boolean writableSnapshot = true;
    private int adoptedRingBuffers;

    // ---- sending
    final SendOp sendOp = new SendOp();
    final AuxOp auxOp = new AuxOp();
    private final OpSpec sendSpec;
    private final OpSpec sendZcSpec;
    private OpSpec sendmsgSpec;
    private UringBuffer msgMemory;
    private int iovCapacity;
    private boolean hookScheduled;
    private final Runnable flushHook = this::flush;
    /** Set after a partial or zero-copy send: bytes the kernel took, counted once its final CQE arrived. */
    private boolean sending;
    /** The loop ended under a send (it was quarantined): the kernel may still read the buffers it was sending. */
    private boolean kernelMayRead;
    private boolean auxInFlight;
    private boolean outputShut;
    private boolean shutdownQueued;
    boolean closeWhenFlushed;
    private boolean aborted;
    long bytesSent;

    // ---- files
    private Pipe pipe;
    private FileSend file;

    Outbound(TcpConnection conn, LoopTcp loopTcp, TcpOptions options) {
        this.conn = conn;
        this.loopTcp = loopTcp;
        this.high = options.writeHighWatermark();
        this.low = options.writeLowWatermark();
        this.zeroCopyThreshold = options.zeroCopySendThreshold();
        this.sendSpec = OpSpec.builder(IORING_OP_SEND).fd(conn.fd).opFlags(Sockets.MSG_NOSIGNAL).build();
        this.sendZcSpec = OpSpec.builder(IORING_OP_SEND_ZC).fd(conn.fd).opFlags(Sockets.MSG_NOSIGNAL).build();
    }

    boolean isWritable() {
        return writable;
    }

    boolean isIdle() {
        return count == 0 && !sending && !auxInFlight;
    }

    boolean hasPending() {
        return count > 0 || sending || auxInFlight;
    }

    int adoptedRingBuffers() {
        return adoptedRingBuffers;
    }

    boolean acceptsWrites() {
        return !shutdownQueued && !aborted;
    }

    // ------------------------------------------------------------------------------------------ queuing

    /** Queues the readable bytes of {@code data}; the caller keeps its reference. */
    boolean write(UringBuffer data, Inbound inbound) {
        int n = data.readableBytes();
        if (n == 0) {
            return writable;
        }
        if (data == inbound.deliveringBuffer && inbound.deliveringBid >= 0 && loopTcp.mayAdopt(adoptedRingBuffers)) {
            // The ring buffer being delivered, sent in place: held in the ring until the kernel has sent it.
            int bid = inbound.deliveringBid;
            loopTcp.hold(bid);
            adoptedRingBuffers++;
            add(RING, null, data.segment().address() + data.readerIndex(), n, bid);
        } else {
            UringBuffer held = data.retain(); // a copy for borrowed memory
            add(BUFFER, held, held.segment().address() + held.readerIndex(), n, -1);
        }
        queued(n);
        return writable;
    }

    /** Queues {@code data}, whose reference the queue takes over. */
    boolean writeOwned(UringBuffer data) {
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
            return writable;
        }
        add(BUFFER, data, data.segment().address() + data.readerIndex(), n, -1);
        queued(n);
        return writable;
    }

    private void queued(int n) {
        if (queuedBytes == 0 && !sending) {
            conn.writeStarted();
        }
        queuedBytes += n;
        if (writable && queuedBytes >= high) {
            writable = false;
            writableSnapshot = false;
        }
        scheduleFlush();
    }

    void whenSent(WriteCallback callback) {
        if (isIdle()) {
            notifySent(callback, null);
            return;
        }
        add(MARK, callback, 0, 0, -1);
    }

    void sendFile(Path path, int fd, long position, long length, boolean ownsFd) {
        add(FILE, new FileSend(path, fd, position, length, ownsFd), 0, 0, -1);
        if (queuedBytes == 0 && !sending) {
            conn.writeStarted();
        }
        scheduleFlush();
    }

    void shutdownOutput() {
        if (shutdownQueued) {
            return;
        }
        shutdownQueued = true;
        add(SHUTDOWN, null, 0, 0, -1);
        scheduleFlush();
    }

    private void add(byte kind, Object ref, long addr, int len, int bid) {
        if (count == refs.length) {
            grow();
        }
        int i = (head + count) & (refs.length - 1);
        kinds[i] = kind;
        refs[i] = ref;
        addrs[i] = addr;
        lens[i] = len;
        bids[i] = bid;
        count++;
    }

    private void grow() {
        int n = refs.length;
        Object[] r = new Object[n * 2];
        long[] a = new long[n * 2];
        int[] l = new int[n * 2];
        int[] b = new int[n * 2];
        byte[] k = new byte[n * 2];
        for (int j = 0; j < count; j++) {
            int i = (head + j) & (n - 1);
            r[j] = refs[i];
            a[j] = addrs[i];
            l[j] = lens[i];
            b[j] = bids[i];
            k[j] = kinds[i];
        }
        refs = r;
        addrs = a;
        lens = l;
        bids = b;
        kinds = k;
        head = 0;
    }

    private void pop() {
        refs[head] = null;
        head = (head + 1) & (refs.length - 1);
        count--;
    }

    void scheduleFlush() {
        if (!hookScheduled && !sending && !auxInFlight && !aborted) {
            hookScheduled = true;
            conn.beforeEnter(flushHook);
        }
    }

    // ------------------------------------------------------------------------------------------ sending

    /** Right before the turn's io_uring_enter: one send for everything queued so far, or the next file or mark. */
    private void flush() {
        hookScheduled = false;
        if (sending || auxInFlight || aborted) {
            return;
        }
        while (count > 0) {
            byte kind = kinds[head];
            if (kind == MARK) {
                WriteCallback cb = (WriteCallback) refs[head];
                pop();
                notifySent(cb, null);
                continue;
            }
            if (kind == SHUTDOWN) {
                pop();
                auxOp.spec(SocketOps.shutdown(conn.fd, Sockets.SHUT_WR));
                auxOp.step = AuxOp.SHUTDOWN;
                submitAux();
                return;
            }
            if (kind == FILE) {
                file = (FileSend) refs[head];
                nextFileStep();
                return;
            }
            submitSend();
            return;
        }
        if (closeWhenFlushed) {
            conn.flushedForClose();
        }
    }

    private void submitSend() {
        int n = 0;
        for (int j = 0; j < count && n < IovecLayout.UIO_MAXIOV; j++) {
            byte kind = kinds[(head + j) & (refs.length - 1)];
            if (kind != BUFFER && kind != RING) {
                break;
            }
            n++;
        }
        if (n == 1) {
            sendOp.address = addrs[head];
            sendOp.length = lens[head];
            sendOp.spec(zeroCopyThreshold > 0 && lens[head] >= zeroCopyThreshold ? sendZcSpec : sendSpec);
        } else {
            MemorySegment msg = messageMemory(n);
            MemorySegment iov = msg.asSlice(MsghdrLayout.SIZE);
            for (int j = 0; j < n; j++) {
                int i = (head + j) & (refs.length - 1);
                iov.set(JAVA_LONG, j * IovecLayout.SIZE + IovecLayout.IOV_BASE, addrs[i]);
                iov.set(JAVA_LONG, j * IovecLayout.SIZE + IovecLayout.IOV_LEN, lens[i]);
            }
            msg.set(JAVA_LONG, MsghdrLayout.MSG_IOVLEN, n);
            sendOp.spec(sendmsgSpec);
        }
        sending = true;
        sendOp.zeroCopyResult = Integer.MIN_VALUE;
        conn.submit(sendOp, sendOp.done);
    }

    /** The msghdr and its iovec array, grown (while no send is in flight) to hold {@code n} iovecs. */
    private MemorySegment messageMemory(int n) {
        if (msgMemory == null || iovCapacity < n) {
            int cap = Math.max(INITIAL_IOVECS, Integer.highestOneBit(n - 1) << 1);
            cap = Math.min(cap, IovecLayout.UIO_MAXIOV);
            if (msgMemory != null) {
                msgMemory.release();
            }
            msgMemory = conn.allocator().allocate((int) (MsghdrLayout.SIZE + cap * IovecLayout.SIZE));
            iovCapacity = cap;
            MemorySegment msg = msgMemory.segment();
            msg.asSlice(0, MsghdrLayout.SIZE).fill((byte) 0);
            msg.set(JAVA_LONG, MsghdrLayout.MSG_IOV, msg.address() + MsghdrLayout.SIZE);
            sendmsgSpec = SocketOps.sendmsg(conn.fd, msg.asSlice(0, MsghdrLayout.SIZE), 0);
        }
        return msgMemory.segment();
    }

    private void onSendCompletion(int res, int flags) {
        if (sendOp.spec() == sendZcSpec) {
            // SEND_ZC: the first CQE has the result (F_MORE: a notification follows); the memory is the kernel's
            // until the notification (the final CQE), so the bytes count as sent only then.
            if (UringOperation.hasMore(flags)) {
                sendOp.zeroCopyResult = res;
                return;
            }
            if (sendOp.zeroCopyResult != Integer.MIN_VALUE) {
                res = sendOp.zeroCopyResult;
            }
        }
        sending = false;
        if (UringOperation.quarantined(flags)) {
            kernelMayRead = true; // the loop ended under the send: what it sent from must outlive the abort
        }
        if (aborted) {
            return;
        }
        if (res < 0) {
            conn.sendFailed(res, sendOp.describe());
            return;
        }
        consume(res);
        conn.wrote();
        afterProgress();
    }

    /** The kernel took {@code sent} bytes from the head of the queue: release what was sent in full. */
    private void consume(long sent) {
        bytesSent += sent;
        queuedBytes -= sent;
        long left = sent;
        while (left > 0 && count > 0) {
            int len = lens[head];
            if (left >= len) {
                left -= len;
                releaseHead();
            } else {
                addrs[head] += left;
                lens[head] = len - (int) left;
                left = 0;
            }
        }
    }

    private void releaseHead() {
        byte kind = kinds[head];
        if (kind == BUFFER) {
            ((UringBuffer) refs[head]).release();
        } else if (kind == RING) {
            adoptedRingBuffers--;
            loopTcp.unhold(bids[head]);
        }
        pop();
    }

    private void afterProgress() {
        if (!writable && queuedBytes <= low) {
            writable = true;
            writableSnapshot = true;
            conn.becameWritable();
        }
        if (aborted) {
            return;
        }
        if (count > 0) {
            scheduleFlush();
        } else if (closeWhenFlushed) {
            conn.flushedForClose();
        }
    }

    private void notifySent(WriteCallback cb, Throwable failure) {
        try {
            cb.onSent(conn, failure);
        } catch (RuntimeException e) {
            conn.callbackFailed(e);
        }
    }

    // ------------------------------------------------------------------------------------------ files and shutdown

    private void nextFileStep() {
        FileSend f = file;
        if (f.fd < 0) {
            OpMemory memory = OpMemory.of(conn.allocator());
            try {
                auxOp.spec(FileOps.openat(FileFlags.AT_FDCWD, f.path.toString(), FileFlags.O_RDONLY, 0, memory));
            } catch (RuntimeException e) {
                memory.release();
                fileFailed(e);
                return;
            }
            auxOp.memory = memory;
            auxOp.step = AuxOp.OPEN;
            submitAux();
            return;
        }
        if (f.inPipe > 0) {
            auxOp.spec(FileOps.splice(pipe.readFd(), -1, conn.fd, -1, f.inPipe, FileFlags.SPLICE_F_MOVE));
            auxOp.step = AuxOp.TO_SOCKET;
            submitAux();
            return;
        }
        if (f.remaining == 0) {
            fileDone();
            return;
        }
        if (pipe == null) {
            try {
                pipe = Pipe.open();
            } catch (RuntimeException e) {
                fileFailed(e);
                return;
            }
        }
        int chunk = (int) Math.min(f.remaining, PIPE_CHUNK);
        auxOp.spec(FileOps.splice(f.fd, f.position, pipe.writeFd(), -1, chunk, FileFlags.SPLICE_F_MOVE));
        auxOp.step = AuxOp.TO_PIPE;
        submitAux();
    }

    private void submitAux() {
        auxInFlight = true;
        conn.submit(auxOp, auxOp.done);
    }

    private void onAuxCompletion(int res) {
        auxInFlight = false;
        int step = auxOp.step;
        auxOp.step = 0;
        if (aborted) {
            if (step == AuxOp.OPEN && res >= 0) {
                LibC.close(res); // opened for a send that will not happen
            }
            return;
        }
        switch (step) {
            case AuxOp.SHUTDOWN -> {
                if (res < 0 && res != -Errno.ENOTCONN) {
                    conn.sendFailed(res, "SHUTDOWN fd=" + conn.fd);
                    return;
                }
                outputShut = true;
                flush();
            }
            case AuxOp.OPEN -> {
                if (res < 0) {
                    fileFailed(UringErrors.ofFile(res, "OPENAT", String.valueOf(file.path)));
                    return;
                }
                file.fd = res;
                file.ownsFd = true;
                nextFileStep();
            }
            case AuxOp.TO_PIPE -> {
                if (res < 0) {
                    fileFailed(UringErrors.ofFile(res, "SPLICE fd=" + file.fd + " -> pipe",
                            String.valueOf(file.path)));
                    return;
                }
                if (res == 0) {
                    if (file.toEnd) {
                        file.remaining = 0;
                        fileDone();
                    } else {
                        fileFailed(UringErrors.ofFile(Errno.EIO, "SPLICE fd=" + file.fd + " (end of file with "
                                + file.remaining + " bytes still to send)", String.valueOf(file.path)));
                    }
                    return;
                }
                file.position += res;
                if (!file.toEnd) {
                    file.remaining -= res;
                }
                file.inPipe = res;
                nextFileStep();
            }
            case AuxOp.TO_SOCKET -> {
                if (res <= 0) {
                    // 0 from a splice into a socket with bytes in the pipe: the socket can take no more
                    conn.sendFailed(res < 0 ? res : -Errno.EPIPE, "SPLICE pipe -> socket fd=" + conn.fd);
                    return;
                }
                file.inPipe -= res;
                bytesSent += res;
                conn.wrote();
                nextFileStep();
            }
            default -> throw new IllegalStateException("unexpected completion of " + auxOp.describe());
        }
    }

    private void fileDone() {
        FileSend f = file;
        file = null;
        if (f.ownsFd && f.fd >= 0) {
            LibC.close(f.fd);
        }
        pop(); // the FILE entry
        afterProgress();
    }

    private void fileFailed(Throwable error) {
        conn.abort(error);
    }

    // ------------------------------------------------------------------------------------------ the end

    /** Drops everything queued; cancels what is in flight. Marks are told of {@code cause}. */
    void abort(Throwable cause) {
        if (aborted) {
            return;
        }
        aborted = true;
        if (sending) {
            conn.loop.cancel(sendOp);
        }
        if (auxInFlight) {
            conn.loop.cancel(auxOp);
        }
        Throwable failure = cause != null ? cause : new java.nio.channels.ClosedChannelException();
        while (count > 0) {
            byte kind = kinds[head];
            if (kind == MARK) {
                WriteCallback cb = (WriteCallback) refs[head];
                pop();
                notifySent(cb, failure);
            } else if ((kind == BUFFER || kind == RING) && (sending || kernelMayRead)) {
                // The kernel may still read these: released in releaseMemory, after the send's final CQE.
                pendingRelease(kind, refs[head], bids[head]);
                pop();
            } else if (kind == BUFFER || kind == RING) {
                releaseHead();
            } else {
                pop(); // a file (the one being sent, if any, is closed in releaseMemory) or the half-close
            }
        }
        queuedBytes = 0;
    }

    private Object[] parked;
    private int[] parkedBids;
    private int parkedCount;

    private void pendingRelease(byte kind, Object ref, int bid) {
        if (parked == null) {
            parked = new Object[4];
            parkedBids = new int[4];
        }
        if (parkedCount == parked.length) {
            parked = java.util.Arrays.copyOf(parked, parkedCount * 2);
            parkedBids = java.util.Arrays.copyOf(parkedBids, parkedCount * 2);
        }
        parked[parkedCount] = kind == BUFFER ? ref : null;
        parkedBids[parkedCount] = kind == RING ? bid : -1;
        parkedCount++;
    }

    /** After every op's final CQE (the connection finished): what the kernel may have read goes back. */
    void releaseMemory() {
        for (int i = 0; i < parkedCount; i++) {
            if (parked[i] != null) {
                ((UringBuffer) parked[i]).release();
            } else if (parkedBids[i] >= 0) {
                adoptedRingBuffers--;
                loopTcp.unhold(parkedBids[i]);
            }
            parked[i] = null;
        }
        parkedCount = 0;
        while (count > 0) {
            byte kind = kinds[head];
            if (kind == BUFFER || kind == RING) {
                releaseHead();
            } else {
                pop();
            }
        }
        if (file != null) {
            if (file.ownsFd && file.fd >= 0) {
                LibC.close(file.fd);
            }
            file = null;
        }
        if (pipe != null) {
            pipe.close();
            pipe = null;
        }
        if (msgMemory != null) {
            msgMemory.release();
            msgMemory = null;
        }
    }

    /** A file to send: opened on the ring if given by path; its position and what is left. */
    private static final class FileSend {
        final Path path;
        int fd;
        boolean ownsFd;
        long position;
        long remaining;
        final boolean toEnd;
        int inPipe;

        FileSend(Path path, int fd, long position, long length, boolean ownsFd) {
            this.path = path;
            this.fd = fd;
            this.ownsFd = ownsFd;
            this.position = position;
            this.toEnd = length == Long.MAX_VALUE;
            this.remaining = length;
        }
    }

    /** The send: {@code SEND} of one buffer, {@code SENDMSG} of several, {@code SEND_ZC} of a large one. */
    final class SendOp extends UringOperation {
        long address;
        int length;
        int zeroCopyResult = Integer.MIN_VALUE;
        final OwnedResource done = new OwnedResource() {
            @Override
            public void release() {
                conn.opDone();
            }

            @Override
            public void keep() {
                conn.opKept();
            }
        };

        @Override
        protected void prepare(SqeWriter sqe) {
            if (spec() != sendmsgSpec) {
                sqe.addr(address).len(length);
            }
        }

        @Override
        protected void onCompletion(int res, int flags) {
            onSendCompletion(res, flags);
        }

        @Override
        public String describe() {
            return IoUring.opName(spec() == null ? IORING_OP_SEND : spec().opcode()) + " fd=" + conn.fd;
        }
    }

    /** One op at a time besides the send, on the same queue: a half-close, a file's open, a splice step. */
    final class AuxOp extends UringOperation {
        static final int SHUTDOWN = 1;
        static final int OPEN = 2;
        static final int TO_PIPE = 3;
        static final int TO_SOCKET = 4;
        int step;
        OpMemory memory;
        final OwnedResource done = new OwnedResource() {
            @Override
            public void release() {
                OpMemory m = memory;
                if (m != null) {
                    memory = null;
                    m.release();
                }
                conn.opDone();
            }

            @Override
            public void keep() {
                memory = null; // the kernel may still read it (an open's path)
                conn.opKept();
            }
        };

        @Override
        protected void onCompletion(int res, int flags) {
            onAuxCompletion(res);
        }
    }
}
