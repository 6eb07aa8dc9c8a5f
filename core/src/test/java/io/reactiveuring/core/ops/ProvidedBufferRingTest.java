package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.NativeCallException;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringOperation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.IoUring.IORING_CQE_F_BUFFER;
import static io.reactiveuring.core.linux.Sockets.SOCK_STREAM;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/** Multishot recv through a provided-buffer ring: buffer ids, exhaustion, recycling, re-arming, lifetime. */
class ProvidedBufferRingTest extends LoopTestBase {
    private static final int GROUP = 7;

    /** Data received into selected buffers, copied out on the loop thread; buffers are kept (not recycled). */
    private final class Collector {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> bids = new ArrayList<>();

        void accept(ProvidedBufferRing ring, Cqe c) {
            if (c.res() > 0 && ProvidedBufferRing.hasBuffer(c.flags())) {
                int bid = ring.take(c.flags());
                bids.add(bid);
                bytes.writeBytes(ring.buffer(bid, c.res()).toArray(JAVA_BYTE));
            }
        }
    }

    private ProvidedBufferRing register(int entries, int bufferSize) throws Exception {
        return onLoop(() -> ProvidedBufferRing.register(loop, GROUP, entries, bufferSize));
    }

    private CqeRecorder armMultishotRecv(int fd, ProvidedBufferRing ring, Collector collector) throws Exception {
        CqeRecorder recv = new CqeRecorder(SocketOps.recvMultishot(fd, ring, 0), c -> collector.accept(ring, c));
        onLoop(() -> {
            recv.attach(ring.lease());
            loop.submit(recv);
            return null;
        });
        return recv;
    }

    /** A plain write(2) from the test thread, as a peer would send. */
    private void write(int fd, byte[] bytes) {
        assertEquals(bytes.length, LibC.write(fd, nativeBytes(bytes), bytes.length));
    }

    @Test
    void multishotRecvExhaustsTheRingWithEnobufsThenRecycleAndRearmDeliversTheRest() throws Exception {
        ProvidedBufferRing ring = register(4, 8);
        int[] pair = socketpair(SOCK_STREAM);
        byte[] first = pattern(40, 21);
        write(pair[0], first); // 40 bytes waiting, room for 32 in the ring

        Collector collector = new Collector();
        CqeRecorder recv = armMultishotRecv(pair[1], ring, collector);
        Cqe end = recv.awaitFinal();
        assertEquals(-Errno.ENOBUFS, end.res(), "the ring ran dry");
        assertFalse(end.more(), "-ENOBUFS ends the multishot: no F_MORE");
        List<Cqe> all = new ArrayList<>(recv.cqes);
        assertEquals(5, all.size(), "four full buffers, then the final -ENOBUFS: " + all);
        for (Cqe c : all.subList(0, 4)) {
            assertEquals(8, c.res());
            assertTrue(c.more(), "data CQEs of an armed multishot carry F_MORE");
            assertEquals(IORING_CQE_F_BUFFER, c.flags() & IORING_CQE_F_BUFFER);
        }
        assertEquals(List.of(0, 1, 2, 3), onLoop(() -> List.copyOf(collector.bids)), "buffers in ring order");
        assertArrayEquals(Arrays.copyOf(first, 32), onLoop(collector.bytes::toByteArray));
        assertEquals(0, onLoop(ring::available));
        assertEquals(0, onLoop(ring::leases), "the lease ended with the final CQE");

        // Give the buffers back and re-arm: the 8 bytes the kernel could not take are still in the socket.
        onLoop(() -> {
            for (int bid : collector.bids) {
                ring.recycle(bid);
            }
            collector.bids.clear();
            return null;
        });
        assertEquals(4, onLoop(ring::available));
        CqeRecorder again = armMultishotRecv(pair[1], ring, collector);
        Cqe rest = again.next();
        assertEquals(8, rest.res());
        assertTrue(rest.more());
        assertEquals(0, run(OpSpec.nop()).res());
        assertFalse(again.last.isDone(), "still armed on an empty socket");

        byte[] second = pattern(16, 22);
        write(pair[0], second);
        assertEquals(8, again.next().res());
        assertEquals(8, again.next().res());
        onLoop(() -> {
            loop.cancel(again);
            return null;
        });
        Cqe cancelled = again.awaitFinal();
        assertEquals(-Errno.ECANCELED, cancelled.res());
        assertFalse(cancelled.more());

        byte[] expected = new byte[first.length + second.length];
        System.arraycopy(first, 0, expected, 0, first.length);
        System.arraycopy(second, 0, expected, first.length, second.length);
        assertArrayEquals(expected, onLoop(collector.bytes::toByteArray), "every byte, in order, none lost");
        assertEquals(List.of(0, 1, 2), onLoop(() -> List.copyOf(collector.bids)));
        closeAndAwaitFreed(ring);
    }

    /** Recycles each buffer right after copying it out and re-arms after every -ENOBUFS, as a reader would. */
    private final class RecyclingReader extends UringOperation {
        final ProvidedBufferRing ring;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<Integer> cancelled = new CompletableFuture<>();
        final int expected;
        final CompletableFuture<byte[]> all = new CompletableFuture<>();
        int rearms;

        RecyclingReader(int fd, ProvidedBufferRing ring, int expected) {
            super(SocketOps.recvMultishot(fd, ring, 0));
            this.ring = ring;
            this.expected = expected;
        }

        @Override
        protected void onCompletion(int res, int flags) {
            if (res > 0 && ProvidedBufferRing.hasBuffer(flags)) {
                int bid = ring.take(flags);
                bytes.writeBytes(ring.buffer(bid, res).toArray(JAVA_BYTE));
                ring.recycle(bid);
                if (bytes.size() == expected) {
                    all.complete(bytes.toByteArray());
                }
            }
            if (!hasMore(flags)) {
                if (res == -Errno.ENOBUFS) {
                    rearms++;
                    attach(ring.lease());
                    loop.submit(this); // the buffers came back above
                } else {
                    cancelled.complete(res);
                }
            }
        }
    }

    @Test
    void streamMuchLargerThanTheRingArrivesByteExactThroughRecyclingAndRearming() throws Exception {
        ProvidedBufferRing ring = register(4, 64);
        int[] pair = socketpair(SOCK_STREAM);
        byte[] data = pattern(50_000, 23);
        RecyclingReader reader = new RecyclingReader(pair[1], ring, data.length);
        onLoop(() -> {
            reader.attach(ring.lease());
            loop.submit(reader);
            return null;
        });
        for (int off = 0; off < data.length; off += 5_000) {
            write(pair[0], Arrays.copyOfRange(data, off, off + 5_000));
        }
        assertArrayEquals(data, reader.all.get(10, TimeUnit.SECONDS));
        onLoop(() -> {
            loop.cancel(reader);
            return null;
        });
        assertEquals(-Errno.ECANCELED, reader.cancelled.get(10, TimeUnit.SECONDS));
        assertEquals(4, onLoop(ring::available), "every buffer is back in the ring");
        closeAndAwaitFreed(ring);
    }

    @Test
    void oneShotRecvWithBufferSelectNamesItsBufferAndFailsWithEnobufsWhenTheRingIsEmpty() throws Exception {
        ProvidedBufferRing ring = register(1, 32);
        int[] pair = socketpair(SOCK_STREAM);
        byte[] data = pattern(20, 24);
        write(pair[0], data);
        Collector collector = new Collector();
        CqeRecorder first = new CqeRecorder(SocketOps.recvSelect(pair[1], ring, 0), c -> collector.accept(ring, c));
        onLoop(() -> {
            first.attach(ring.lease());
            loop.submit(first);
            return null;
        });
        Cqe got = first.awaitFinal();
        assertEquals(20, got.res());
        assertFalse(got.more(), "one-shot");
        assertEquals(0, ProvidedBufferRing.bufferId(got.flags()));
        assertArrayEquals(data, onLoop(collector.bytes::toByteArray));

        write(pair[0], data);
        CqeRecorder second = new CqeRecorder(SocketOps.recvSelect(pair[1], ring, 0));
        onLoop(() -> {
            second.attach(ring.lease());
            loop.submit(second);
            return null;
        });
        assertEquals(-Errno.ENOBUFS, second.awaitFinal().res(), "the only buffer is still held");
        assertEquals(0, second.awaitFinal().flags() & IORING_CQE_F_BUFFER);
        closeAndAwaitFreed(ring);
    }

    @Test
    void closeWhileAnOpHoldsALeaseFreesOnlyAfterItsFinalCompletion() throws Exception {
        ProvidedBufferRing ring = register(2, 16);
        int[] pair = socketpair(SOCK_STREAM);
        CqeRecorder recv = armMultishotRecv(pair[1], ring, new Collector());
        assertEquals(0, run(OpSpec.nop()).res());
        ring.close(); // from the test thread: runs on the loop
        assertEquals(0, run(OpSpec.nop()).res());
        assertTrue(ring.isClosed());
        assertFalse(onLoop(ring::isFreed), "an armed recv may still pick a buffer");
        assertThrows(IllegalStateException.class, () -> SocketOps.recvMultishot(pair[1], ring, 0));

        onLoop(() -> {
            loop.cancel(recv);
            return null;
        });
        assertEquals(-Errno.ECANCELED, recv.awaitFinal().res());
        assertTrue(onLoop(ring::isFreed), "freed with the last lease");
        // unregistered: the group id can be registered again
        closeAndAwaitFreed(register(2, 16));
    }

    @Test
    void registrationAndMisuseFailWithClearErrors() throws Exception {
        assertThrows(IllegalStateException.class, () -> ProvidedBufferRing.register(loop, GROUP, 4, 8),
                "not on the loop thread");
        assertThrows(IllegalArgumentException.class, () -> onLoopUnwrapped(() -> ProvidedBufferRing.register(loop,
                GROUP, 3, 8)), "not a power of two");
        assertThrows(IllegalArgumentException.class, () -> onLoopUnwrapped(() -> ProvidedBufferRing.register(loop,
                GROUP, 65536, 8)), "too many entries");
        assertThrows(IllegalArgumentException.class, () -> onLoopUnwrapped(() -> ProvidedBufferRing.register(loop,
                GROUP, 4, 0)), "empty buffers");

        ProvidedBufferRing ring = register(4, 8);
        NativeCallException taken = assertThrows(NativeCallException.class,
                () -> onLoopUnwrapped(() -> ProvidedBufferRing.register(loop, GROUP, 4, 8)));
        assertEquals(Errno.EEXIST, taken.errno(), "the group id is taken");
        assertThrows(IllegalStateException.class, () -> ring.recycle(0), "not on the loop thread");
        assertThrows(IllegalStateException.class, () -> onLoopUnwrapped(() -> {
            ring.recycle(0);
            return null;
        }), "buffer 0 is in the ring");
        assertThrows(IllegalArgumentException.class, () -> onLoopUnwrapped(() -> ring.take(0)), "no F_BUFFER");
        assertThrows(IllegalArgumentException.class, () -> onLoopUnwrapped(() -> ring.buffer(4)), "bid out of range");
        assertEquals(3, ProvidedBufferRing.bufferId((3 << 16) | IORING_CQE_F_BUFFER));
        closeAndAwaitFreed(ring);
    }

    private <T> T onLoopUnwrapped(java.util.concurrent.Callable<T> task) throws Throwable {
        try {
            return onLoop(task);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause();
        }
    }

    private void closeAndAwaitFreed(ProvidedBufferRing ring) throws Exception {
        ring.close();
        assertTrue(onLoop(ring::isFreed));
    }
}
