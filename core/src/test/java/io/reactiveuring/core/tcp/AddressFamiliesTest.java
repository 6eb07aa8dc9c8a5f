package io.reactiveuring.core.tcp;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Servers and clients over IPv6 and Unix domain sockets, and the spreads over several loops. */
class AddressFamiliesTest extends TcpTestBase {

    @Override
    int serverLoopCount() {
        return 2;
    }

    @Test
    void ipv6EchoServer() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        TcpServer s = bind(new InetSocketAddress(v6, 0), TcpOptions.defaults(), c -> ECHO);
        assertInstanceOf(Inet6Address.class, ((InetSocketAddress) s.address()).getAddress());
        echoTwice(s);
    }

    @Test
    void unixDomainEchoServerRemovesItsSocketFileWhenDisposed() throws Exception {
        Path dir = Files.createTempDirectory("uring-unix");
        Path path = dir.resolve("echo.sock");
        try {
            TcpServer s = bind(UnixDomainSocketAddress.of(path), TcpOptions.defaults(), c -> ECHO);
            assertEquals(UnixDomainSocketAddress.of(path), s.address());
            assertEquals(1, s.listenerCount());
            assertTrue(Files.exists(path));
            echoTwice(s);
            assertFalse(Files.exists(path), "the socket file is removed with the server");
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    @Test
    void reuseportSpreadHasAListenerPerLoop() throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults().withAcceptSpread(TcpOptions.AcceptSpread.REUSEPORT),
                c -> ECHO);
        assertEquals(2, s.listenerCount());
        for (int i = 0; i < 8; i++) {
            Collector cl = new Collector();
            TcpConnection c = connect(s.address(), cl);
            c.write(pattern(1000, i));
            assertArrayEquals(pattern(1000, i), cl.awaitBytes(1000));
            c.close();
            cl.closed.get();
        }
        s.dispose();
        s.onDispose().get();
    }

    private void echoTwice(TcpServer s) throws Exception {
        for (int i = 0; i < 2; i++) {
            Collector cl = new Collector();
            TcpConnection c = connect(s.address(), cl);
            byte[] data = pattern(100_000, i);
            send(c, data);
            assertArrayEquals(data, cl.awaitBytes(data.length));
            c.close();
            cl.closed.get();
        }
        s.dispose();
        s.onDispose().get();
    }
}
