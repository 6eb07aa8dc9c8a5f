package io.reactiveuring.core.tcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Byte-exact round trips through an echo server from 1 byte to 16 MiB, over both receive paths. */
class EchoRoundTripTest extends TcpTestBase {

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 4095, 4096, 4097, 65536, 1 << 20, 16 << 20})
    void multishotEchoIsByteExact(int size) throws Exception {
        roundTrip(ECHO, size);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16384, 16385, 1 << 20, 16 << 20})
    void oneReceiveAtATimeEchoIsByteExact(int size) throws Exception {
        roundTrip(ECHO_ONE_AT_A_TIME, size);
    }

    @Test
    void zeroCopySendsAreByteExact() throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults().withZeroCopySendThreshold(1024), c -> ECHO);
        Collector collector = new Collector();
        TcpConnection c = client.connect(s.address(), TcpOptions.defaults().withZeroCopySendThreshold(1024),
                collector).get();
        byte[] data = pattern(4 << 20, 3);
        send(c, data);
        assertArrayEquals(data, collector.awaitBytes(data.length));
        c.close();
        assertNull(collector.closed.get());
        s.dispose();
        s.onDispose().get();
    }

    private void roundTrip(ConnectionHandler echo, int size) throws Exception {
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> echo);
        Collector collector = new Collector();
        TcpConnection c = connect(s.address(), collector);
        byte[] data = pattern(size, size);
        send(c, data);
        assertArrayEquals(data, collector.awaitBytes(size));
        c.close();
        assertNull(collector.closed.get(), "orderly close");
        s.dispose();
        s.onDispose().get();
    }
}
