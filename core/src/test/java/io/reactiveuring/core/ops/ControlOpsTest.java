package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.IoUring.*;
import static io.reactiveuring.core.linux.Poll.POLLIN;
import static io.reactiveuring.core.linux.Sockets.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.*;

/** Polls, removal, cancellation (by user_data, by fd, all), linked timeouts, timeout removal, MSG_RING. */
class ControlOpsTest extends LoopTestBase {

    /** Submits {@code spec} from the loop thread, built there from a target's user_data, and awaits its result. */
    private Cqe runOnLoop(java.util.function.Supplier<OpSpec> spec) throws Exception {
        CompletableFuture<CqeRecorder> op = new CompletableFuture<>();
        loop.execute(() -> {
            CqeRecorder r = new CqeRecorder(spec.get());
            loop.submit(r);
            op.complete(r);
        });
        return op.get(10, TimeUnit.SECONDS).awaitFinal();
    }

    /** A NOP round trip: everything submitted before it has been issued to the kernel. */
    private void barrier() throws Exception {
        assertEquals(0, run(OpSpec.nop()).res());
    }

    @Test
    void pollMultishotFiresOnEveryReadinessAndPollRemoveEndsIt() throws Exception {
        int[] pipe = pipe();
        CqeRecorder poll = new CqeRecorder(ControlOps.pollMultishot(pipe[0], POLLIN));
        loop.submit(poll);
        barrier();
        MemorySegment one = arena.allocate(1);
        for (int i = 0; i < 3; i++) {
            assertEquals(1, LibC.write(pipe[1], one, 1));
            Cqe fired = poll.next();
            assertEquals(POLLIN, fired.res() & POLLIN, "ready for reading");
            assertTrue(fired.more(), "a multishot poll stays armed");
            assertEquals(1, LibC.read(pipe[0], one, 1)); // drain, so the next write is a new readiness edge
        }
        assertFalse(poll.last.isDone());

        assertEquals(0, runOnLoop(() -> ControlOps.pollRemove(poll.userData())).res());
        Cqe end = poll.next();
        assertEquals(-Errno.ECANCELED, end.res());
        assertFalse(end.more(), "the removed poll's final CQE lacks F_MORE");
        assertTrue(poll.cqes.isEmpty());
    }

    @Test
    void cancelByFdCancelsEveryPendingRecvAtOnceAndReturnsTheCount() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        List<CqeRecorder> recvs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CqeRecorder r = new CqeRecorder(SocketOps.recv(pair[1], arena.allocate(16), 0));
            recvs.add(r);
            loop.submit(r);
        }
        CqeRecorder other = new CqeRecorder(SocketOps.recv(pair[0], arena.allocate(16), 0));
        loop.submit(other);
        barrier();
        assertEquals(3, run(ControlOps.cancelFd(pair[1])).res(), "IORING_ASYNC_CANCEL_FD|ALL counts what it cancelled");
        for (CqeRecorder r : recvs) {
            assertEquals(-Errno.ECANCELED, r.awaitFinal().res());
        }
        assertFalse(other.last.isDone(), "a recv on another fd is untouched");
        assertEquals(1, run(ControlOps.cancelFd(pair[0])).res());
        assertEquals(-Errno.ECANCELED, other.awaitFinal().res());
        assertEquals(0, run(ControlOps.cancelFd(pair[0])).res(), "nothing left on the fd");
    }

    @Test
    void cancelByUserDataCancelsThatRequestAndAnUnknownOneIsEnoent() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        CqeRecorder recv = new CqeRecorder(SocketOps.recv(pair[1], arena.allocate(16), 0));
        loop.submit(recv);
        barrier();
        long[] userData = new long[1];
        assertEquals(0, runOnLoop(() -> {
            userData[0] = recv.userData();
            return ControlOps.cancel(userData[0]);
        }).res());
        assertEquals(-Errno.ECANCELED, recv.awaitFinal().res());
        assertEquals(-Errno.ENOENT, run(ControlOps.cancel(userData[0])).res(), "completed: nothing to cancel");
    }

    @Test
    void cancelAllCancelsEveryPendingRequestOfTheRing() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        CqeRecorder a = new CqeRecorder(SocketOps.recv(pair[0], arena.allocate(16), 0));
        CqeRecorder b = new CqeRecorder(SocketOps.recv(pair[1], arena.allocate(16), 0));
        CqeRecorder poll = new CqeRecorder(ControlOps.pollMultishot(pair[1], POLLIN));
        loop.submit(a);
        loop.submit(b);
        loop.submit(poll);
        barrier();
        long internal = loop.inFlightSnapshot().get(10, TimeUnit.SECONDS).stream()
                .filter(UringLoop.InFlightOp::internal).count(); // the engine's own wake-up read
        assertEquals(3 + internal, run(ControlOps.cancelAll()).res(), "counts every request of the ring");
        assertEquals(-Errno.ECANCELED, a.awaitFinal().res());
        assertEquals(-Errno.ECANCELED, b.awaitFinal().res());
        assertEquals(-Errno.ECANCELED, poll.awaitFinal().res());
        assertEquals(0, run(OpSpec.nop()).res(), "the loop re-armed its own wake-up read and goes on");
        assertEquals(11, submitFromOtherThreadAndAwait(), "and other threads can still wake it");
    }

    private int submitFromOtherThreadAndAwait() throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread t = new Thread(() -> loop.execute(() -> f.complete(11)));
        t.start();
        t.join();
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void linkTimeoutOnAPendingRecvCancelsItWithEcanceledAndFiresWithEtime() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        CqeRecorder recv = new CqeRecorder(SocketOps.recv(pair[1], arena.allocate(16), 0));
        CqeRecorder timeout = new CqeRecorder(OpSpec.linkTimeout(Duration.ofMillis(20)));
        loop.submitLinked(recv, timeout);
        assertEquals(-Errno.ECANCELED, recv.awaitFinal().res());
        assertEquals(-Errno.ETIME, timeout.awaitFinal().res());
    }

    @Test
    void linkTimeoutOnARecvThatCompletesInTimeIsCancelled() throws Exception {
        int[] pair = socketpair(SOCK_STREAM);
        assertEquals(5, LibC.write(pair[0], nativeBytes(pattern(5, 31)), 5));
        CqeRecorder recv = new CqeRecorder(SocketOps.recv(pair[1], arena.allocate(16), 0));
        CqeRecorder timeout = new CqeRecorder(OpSpec.linkTimeout(Duration.ofSeconds(30)));
        loop.submitLinked(recv, timeout);
        assertEquals(5, recv.awaitFinal().res());
        assertEquals(-Errno.ECANCELED, timeout.awaitFinal().res());
    }

    @Test
    void timeoutRemoveEndsAPendingTimeout() throws Exception {
        CqeRecorder timeout = new CqeRecorder(OpSpec.timeout(Duration.ofHours(1), 0));
        loop.submit(timeout);
        barrier();
        assertEquals(0, runOnLoop(() -> ControlOps.timeoutRemove(timeout.userData())).res());
        assertEquals(-Errno.ECANCELED, timeout.awaitFinal().res());
    }

    @Test
    void msgRingDeliversValuesToAMailboxOnTheOtherLoopInOrder() throws Exception {
        UringGroup group = new UringGroup(2, LoopOptions.defaults().withQueues(16, 64).withThreadName("msg"));
        try {
            UringLoop sender = group.loops().get(0);
            UringLoop target = group.loops().get(1);
            LinkedBlockingQueue<Integer> received = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
            RingMailbox mailbox = new RingMailbox(value -> {
                threads.add(Thread.currentThread());
                received.add(value);
            });
            RingMailbox.Address address = mailbox.open(target).get(10, TimeUnit.SECONDS);
            assertEquals(target.ringFd(), address.ringFd());
            assertSame(address, mailbox.address());

            int[] values = {42, -7, Integer.MAX_VALUE};
            for (int v : values) {
                CqeRecorder send = new CqeRecorder(ControlOps.message(address, v));
                sender.submit(send);
                assertEquals(0, send.awaitFinal().res(), "MSG_RING posted");
            }
            for (int v : values) {
                assertEquals(v, received.poll(10, TimeUnit.SECONDS));
                assertSame(target.thread(), threads.poll(), "delivered on the target's loop thread");
            }
            assertFalse(mailbox.closed().isDone(), "messages keep the mailbox armed");

            mailbox.close();
            assertEquals(-Errno.ECANCELED, mailbox.closed().get(10, TimeUnit.SECONDS));
            assertThrows(IllegalStateException.class, () -> mailbox.open(target), "opened once");
        } finally {
            group.close();
        }
        for (UringLoop l : group.loops()) {
            assertEquals(0, l.staleCompletions());
            assertEquals(0, l.inFlight());
        }
    }
}
