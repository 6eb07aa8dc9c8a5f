package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.binding.MsghdrLayout;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.net.SocketAddresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.reactiveuring.core.linux.IoUring.*;
import static io.reactiveuring.core.linux.Poll.POLLIN;
import static org.junit.jupiter.api.Assertions.*;

/** Bad arguments fail at the factory with standard exceptions (no ring needed: nothing reaches the kernel). */
class OpArgumentValidationTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(16);
    private final MemorySegment heap = MemorySegment.ofArray(new byte[16]);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void negativeFdsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SocketOps.send(-1, buf, 0));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.recv(-1, buf, 0));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.accept(-1));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.acceptMultishot(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.shutdown(-1, Sockets.SHUT_WR));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.socket(-1, Sockets.SOCK_STREAM, 0));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.pollMultishot(-1, POLLIN));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.cancelFd(-1));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.msgRingData(-1, 1, 0, 0));
    }

    @Test
    void heapAndNullMemoryIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SocketOps.send(3, heap, 0));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.recv(3, heap, 0));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.connect(3, heap));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.sendmsg(3, heap, 0));
        assertThrows(NullPointerException.class, () -> SocketOps.send(3, null, 0));
        assertThrows(NullPointerException.class, () -> SocketOps.recvmsg(3, null, 0));
        assertThrows(NullPointerException.class, () -> SocketOps.recvMultishot(3, null, 0));
        assertThrows(NullPointerException.class, () -> ControlOps.message(null, 1));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.accept(3, arena.allocate(16), 0),
                "peer buffer too small");
    }

    @Test
    void closedArenaMemoryIsRejected() {
        MemorySegment dead;
        try (Arena gone = Arena.ofConfined()) {
            dead = gone.allocate(8);
        }
        MemorySegment deadBuffer = dead;
        assertThrows(IllegalStateException.class, () -> SocketOps.send(3, deadBuffer, 0));
    }

    @Test
    void malformedStructsAndFlagsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SocketOps.connect(3, arena.allocate(1)), "sockaddr < 2");
        assertThrows(IllegalArgumentException.class, () -> SocketOps.connect(3, arena.allocate(129)), "> storage");
        MemorySegment shortHeader = arena.allocate(MsghdrLayout.SIZE - 1);
        assertThrows(IllegalArgumentException.class, () -> SocketOps.sendmsg(3, shortHeader, 0));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.shutdown(3, 3));
        assertThrows(IllegalArgumentException.class, () -> SocketOps.accept(3, null, 0x1));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.pollMultishot(3, 0), "no events");
        assertThrows(IllegalArgumentException.class, () -> ControlOps.cancel(0), "user_data 0 names nothing");
        assertThrows(IllegalArgumentException.class, () -> ControlOps.pollRemove(0));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.timeoutRemove(0));
    }

    @Test
    void specsCarryTheKernelFields() {
        OpSpec socket = SocketOps.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0);
        assertEquals(IORING_OP_SOCKET, socket.opcode());
        assertEquals(Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, socket.off(), "CLOEXEC always");

        OpSpec accept = SocketOps.acceptMultishot(5, Sockets.SOCK_NONBLOCK);
        assertEquals(IORING_ACCEPT_MULTISHOT, accept.ioprio());
        assertEquals(Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, accept.opFlags());

        MemorySegment peer = SocketAddresses.allocatePeerBuffer(arena);
        OpSpec acceptWithPeer = SocketOps.accept(5, peer, 0);
        assertEquals(peer.address(), acceptWithPeer.addr());
        assertEquals(peer.address() + SocketAddresses.PEER_LENGTH_OFFSET, acceptWithPeer.off());

        OpSpec send = SocketOps.send(5, buf, Sockets.MSG_DONTWAIT);
        assertEquals(Sockets.MSG_DONTWAIT | Sockets.MSG_NOSIGNAL, send.opFlags(), "MSG_NOSIGNAL always");
        assertEquals(16, send.len());

        OpSpec message = ControlOps.message(new RingMailbox.Address(9, 0x1234), 77);
        assertEquals(IORING_OP_MSG_RING, message.opcode());
        assertEquals(9, message.fd());
        assertEquals(IORING_MSG_DATA, message.addr());
        assertEquals(0x1234, message.off());
        assertEquals(77, message.len());
        assertEquals(IORING_MSG_RING_FLAGS_PASS, message.opFlags());

        OpSpec cancelFd = ControlOps.cancelFd(5);
        assertEquals(IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL, cancelFd.opFlags());
    }
}
