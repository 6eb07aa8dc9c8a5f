package io.reactiveuring.core.net;

import io.reactiveuring.core.binding.MsghdrLayout;
import io.reactiveuring.core.binding.SockaddrLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/** Byte-exact sockaddr encoding (network byte order) and decode round trips; no kernel involved. */
class SocketAddressesTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void ipv4EncodesFamilyHostOrderAndPortAndAddressInNetworkOrder() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("192.168.1.2"), 0x1F90); // 8080
        MemorySegment s = SocketAddresses.allocate(a, arena);
        assertEquals(16, s.byteSize());
        assertArrayEquals(new byte[] {2, 0, 0x1F, (byte) 0x90, (byte) 192, (byte) 168, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0},
                s.toArray(JAVA_BYTE));
        assertEquals(a, SocketAddresses.decode(s, 16));
    }

    @Test
    void ipv6EncodesAddressPortAndScopeIdAndRoundTrips() throws Exception {
        byte[] ip = InetAddress.getByName("fe80::1:2").getAddress();
        Inet6Address scoped = Inet6Address.getByAddress(null, ip, 3);
        InetSocketAddress a = new InetSocketAddress(scoped, 443);
        MemorySegment s = SocketAddresses.allocate(a, arena);
        assertEquals(28, s.byteSize());
        byte[] raw = s.toArray(JAVA_BYTE);
        assertEquals(10, raw[0]);                 // AF_INET6, host order (little-endian here)
        assertEquals(0, raw[1]);
        assertEquals(1, raw[2]);                  // 443 = 0x01BB, big-endian
        assertEquals((byte) 0xBB, raw[3]);
        assertArrayEquals(new byte[4], java.util.Arrays.copyOfRange(raw, 4, 8), "flow info");
        assertArrayEquals(ip, java.util.Arrays.copyOfRange(raw, 8, 24));
        assertEquals(3, s.get(JAVA_INT, SockaddrLayout.SIN6_SCOPE_ID));

        InetSocketAddress back = (InetSocketAddress) SocketAddresses.decode(s, 28);
        assertEquals(443, back.getPort());
        assertArrayEquals(ip, back.getAddress().getAddress());
        assertEquals(3, ((Inet6Address) back.getAddress()).getScopeId());
    }

    @Test
    void ipv6LoopbackRoundTrips() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("::1"), 65535);
        assertEquals(a, SocketAddresses.decode(SocketAddresses.allocate(a, arena), 28));
    }

    @Test
    void unixPathEncodesNulTerminatedPathAndRoundTrips() {
        UnixDomainSocketAddress a = UnixDomainSocketAddress.of("/tmp/x.sock");
        MemorySegment s = SocketAddresses.allocate(a, arena);
        assertEquals(2 + 11 + 1, s.byteSize());
        byte[] raw = s.toArray(JAVA_BYTE);
        assertEquals(1, raw[0]);
        assertEquals(0, raw[1]);
        assertEquals("/tmp/x.sock", new String(raw, 2, 11, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0, raw[13]);
        assertEquals(a, SocketAddresses.decode(s, (int) s.byteSize()));
    }

    @Test
    void unnamedUnixAddressIsJustTheFamily() {
        UnixDomainSocketAddress unnamed = UnixDomainSocketAddress.of("");
        MemorySegment s = SocketAddresses.allocate(unnamed, arena);
        assertEquals(2, s.byteSize());
        assertEquals(unnamed, SocketAddresses.decode(s, 2));
    }

    @Test
    void peerBufferHoldsStorageAndLengthAndDecodesWhatWasWritten() throws Exception {
        MemorySegment peer = SocketAddresses.allocatePeerBuffer(arena);
        assertEquals(128, peer.get(JAVA_INT, SocketAddresses.PEER_LENGTH_OFFSET), "room for sockaddr_storage");
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1);
        int len = SocketAddresses.encode(a, peer);
        peer.set(JAVA_INT, SocketAddresses.PEER_LENGTH_OFFSET, len);
        assertEquals(a, SocketAddresses.decodePeerBuffer(peer));
    }

    @Test
    void badInputIsRejectedWithClearErrors() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> SocketAddresses.encodedSize(InetSocketAddress.createUnresolved("example.org", 80)));
        assertThrows(NullPointerException.class, () -> SocketAddresses.encodedSize(null));
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.encodedSize(new SocketAddress() {
        }));
        assertThrows(IllegalArgumentException.class,
                () -> SocketAddresses.encodedSize(UnixDomainSocketAddress.of("/" + "a".repeat(107))), "path too long");
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 1);
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.encode(v6, arena.allocate(16)),
                "segment too small");

        MemorySegment s = arena.allocate(128);
        s.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 17); // AF_PACKET
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.decode(s, 20));
        s.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 2);
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.decode(s, 8), "short sockaddr_in");
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.decode(s, 1000), "beyond the segment");
        s.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 1);
        s.set(JAVA_BYTE, 2, (byte) 0);
        s.set(JAVA_BYTE, 3, (byte) 'x');
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.decode(s, 4), "abstract name");
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.checkPeerBuffer(arena.allocate(64)));
    }

    @Test
    void messageHeaderPointsAtNameAndIovecs() {
        MemorySegment name = arena.allocate(16);
        MemorySegment a = arena.allocate(5);
        MemorySegment b = arena.allocate(9);
        MemorySegment h = MessageHeaders.allocate(arena, name, a, b);
        assertEquals(name.address(), h.get(JAVA_LONG, MsghdrLayout.MSG_NAME));
        assertEquals(16, h.get(JAVA_INT, MsghdrLayout.MSG_NAMELEN));
        assertEquals(2, h.get(JAVA_LONG, MsghdrLayout.MSG_IOVLEN));
        long iov = h.get(JAVA_LONG, MsghdrLayout.MSG_IOV) - h.address();
        assertEquals(a.address(), h.get(JAVA_LONG, iov + MsghdrLayout.IOV_BASE));
        assertEquals(5, h.get(JAVA_LONG, iov + MsghdrLayout.IOV_LEN));
        assertEquals(b.address(), h.get(JAVA_LONG, iov + MsghdrLayout.IOVEC_SIZE + MsghdrLayout.IOV_BASE));
        assertEquals(9, h.get(JAVA_LONG, iov + MsghdrLayout.IOVEC_SIZE + MsghdrLayout.IOV_LEN));
        assertEquals(0, h.get(JAVA_LONG, MsghdrLayout.MSG_CONTROL));
        assertThrows(IllegalArgumentException.class, () -> MessageHeaders.allocate(arena, null));
        assertThrows(IllegalArgumentException.class,
                () -> MessageHeaders.allocate(arena, null, MemorySegment.ofArray(new byte[4])), "heap buffer");
    }

    @Test
    void layoutsHaveTheKernelSizes() {
        assertEquals(16, SockaddrLayout.SOCKADDR_IN_SIZE);
        assertEquals(28, SockaddrLayout.SOCKADDR_IN6_SIZE);
        assertEquals(110, SockaddrLayout.SOCKADDR_UN_SIZE);
        assertEquals(128, SockaddrLayout.SOCKADDR_STORAGE_SIZE);
        assertEquals(56, MsghdrLayout.SIZE);
        assertEquals(16, MsghdrLayout.IOVEC_SIZE);
        assertEquals(40, io.reactiveuring.core.binding.IoUringBufRegLayout.SIZE);
        assertEquals(16, io.reactiveuring.core.binding.IoUringBufLayout.SIZE);
        assertEquals(14, io.reactiveuring.core.binding.IoUringBufLayout.RING_TAIL);
    }
}
