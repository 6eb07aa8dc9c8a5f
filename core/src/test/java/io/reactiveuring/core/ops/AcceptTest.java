package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.net.SocketAddresses;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.reactiveuring.core.linux.Sockets.*;
import static org.junit.jupiter.api.Assertions.*;

/** Multishot accept, and the library closing fds that arrive after their receiver cancelled. */
class AcceptTest extends LoopTestBase {

    @Test
    void multishotAcceptTakesHundredConnectionsEachWithMoreUntilTheFinalCancel() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        MemorySegment server = SocketAddresses.allocate(SocketAddresses.localAddress(listener), arena);
        FdRecorder accept = new FdRecorder(SocketOps.acceptMultishot(listener, 0));
        loop.submit(accept);

        int n = 100;
        List<CqeRecorder> connects = new ArrayList<>();
        Set<SocketAddress> clientAddresses = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int client = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
            CqeRecorder connect = new CqeRecorder(SocketOps.connect(client, server));
            connects.add(connect);
            loop.submit(connect);
        }
        for (CqeRecorder c : connects) {
            assertEquals(0, c.awaitFinal().res(), "connect");
            clientAddresses.add(SocketAddresses.localAddress(c.spec().fd()));
        }

        Set<Integer> accepted = new HashSet<>();
        Set<SocketAddress> peers = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Cqe c = accept.next();
            assertTrue(c.res() >= 0, () -> "accept failed: " + c);
            assertTrue(c.more(), "every accept CQE of an armed multishot carries F_MORE");
            assertTrue(accepted.add(track(c.res())), "accepted fds are distinct");
            assertEquals(FD_CLOEXEC, LibSocket.fcntl(c.res(), F_GETFD, 0) & FD_CLOEXEC);
            peers.add(SocketAddresses.peerAddress(c.res()));
        }
        assertEquals(clientAddresses, peers, "one accepted socket per client");

        accept.cancel(loop);
        Cqe last = accept.next();
        assertEquals(-Errno.ECANCELED, last.res());
        assertFalse(last.more(), "the final CQE lacks F_MORE");
        assertSame(last, accept.awaitFinal());
        assertTrue(accept.cqes.isEmpty(), "nothing after the final CQE");
        assertEquals(0, onLoop(accept::lateResultsClosed));
        // all accepted fds and clients are closed by the base class; it checks the fd count afterwards
    }

    @Test
    void lateAcceptAfterCancelClosesTheFd() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        int client = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
        // The handshake completes in the kernel without an accept: the connection waits in the backlog.
        assertEquals(0, run(SocketOps.connect(client,
                SocketAddresses.allocate(SocketAddresses.localAddress(listener), arena))).res());
        long fdsWithConnection = io.reactiveuring.core.UringTestSupport.openFds();

        // The accept goes to the kernel (and completes inline with the waiting connection) before its cancel, in the
        // same turn of the loop: its CQE (an fd) is reaped after cancel() was requested.
        FdRecorder accept = new FdRecorder(SocketOps.accept(listener));
        onLoop(() -> {
            loop.submit(accept);
            loop.submitPending();
            accept.cancel(loop);
            return null;
        });
        Cqe last = accept.awaitFinal();
        assertEquals(-Errno.ECANCELED, last.res(), "the receiver sees a cancellation, not the fd");
        assertEquals(1, onLoop(accept::lateResultsClosed), "the library closed the late fd");
        assertEquals(fdsWithConnection, io.reactiveuring.core.UringTestSupport.openFds(), "no accepted fd left open");
        // The peer sees the close: EOF on the client.
        assertEquals(0, run(SocketOps.recv(client, arena.allocate(8), 0)).res());
    }

    @Test
    void lateMultishotAcceptsAfterCancelAreAllClosedAndOnlyTheFinalCancelIsSeen() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        MemorySegment server = SocketAddresses.allocate(SocketAddresses.localAddress(listener), arena);
        int[] clients = new int[3];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
            assertEquals(0, run(SocketOps.connect(clients[i], server)).res()); // waits in the backlog
        }
        long fdsWithConnections = io.reactiveuring.core.UringTestSupport.openFds();

        FdRecorder accept = new FdRecorder(SocketOps.acceptMultishot(listener, 0));
        onLoop(() -> {
            loop.submit(accept);
            loop.submitPending(); // the three accepts happen in the kernel before the cancel arrives
            accept.cancel(loop);
            return null;
        });
        Cqe only = accept.next();
        assertEquals(-Errno.ECANCELED, only.res());
        assertFalse(only.more());
        assertTrue(accept.cqes.isEmpty(), "the receiver saw no fd");
        assertEquals(3, onLoop(accept::lateResultsClosed));
        assertEquals(fdsWithConnections, io.reactiveuring.core.UringTestSupport.openFds());
        for (int client : clients) {
            assertEquals(0, run(SocketOps.recv(client, arena.allocate(8), 0)).res(), "EOF: the server side closed");
        }
    }

    @Test
    void cancellingAPendingAcceptEndsItWithEcanceledAndNoFd() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        FdRecorder accept = new FdRecorder(SocketOps.accept(listener));
        loop.submit(accept);
        assertEquals(0, run(OpSpec.nop()).res()); // the accept is armed by now
        assertFalse(accept.last.isDone());
        accept.cancel(loop);
        assertEquals(-Errno.ECANCELED, accept.awaitFinal().res());
        assertEquals(0, onLoop(accept::lateResultsClosed));
    }

    @Test
    void closingTheListeningFdDoesNotCompleteAPendingAccept() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        FdRecorder accept = new FdRecorder(SocketOps.accept(listener));
        loop.submit(accept);
        assertEquals(0, run(OpSpec.nop()).res());
        closeNow(listener);
        assertEquals(0, run(OpSpec.nop()).res());
        assertFalse(accept.last.isDone(), "io_uring holds its own reference: the accept stays pending");
        accept.cancel(loop);
        assertEquals(-Errno.ECANCELED, accept.awaitFinal().res(), "only an explicit cancel ends it");
    }

    @Test
    void acceptedFdBeforeCancelBelongsToTheReceiver() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        FdRecorder accept = new FdRecorder(SocketOps.accept(listener));
        loop.submit(accept);
        int client = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
        assertEquals(0, run(SocketOps.connect(client,
                SocketAddresses.allocate(SocketAddresses.localAddress(listener), arena))).res());
        int server = track(accept.awaitFinal().res());
        accept.cancel(loop); // after the final completion: nothing to cancel, nothing to close
        assertEquals(0, onLoop(accept::lateResultsClosed));
        assertTransfers(client, server, pattern(32, 14));
    }
}
