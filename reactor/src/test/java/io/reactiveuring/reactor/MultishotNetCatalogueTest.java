package io.reactiveuring.reactor;

import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.reactive.NetCalls;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/** The multishot half of the socket catalogue through Reactor: accept and provided-buffer recv as Flux. */
class MultishotNetCatalogueTest extends CatalogueTestBase {

    @Test
    void multishotAcceptTakesEveryConnectionOnceWithBoundedDemand() {
        int listen = tcpListener();
        InetSocketAddress address = localAddress(listen);
        int connections = 20;
        reactor.core.publisher.Mono<List<Integer>> clients = Flux.range(0, connections)
                .concatMap(i -> ring.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0)
                        .doOnNext(this::track)
                        .flatMap(fd -> ring.connect(fd, address).thenReturn(fd)))
                .collectList()
                .cache();
        Set<Integer> accepted = new HashSet<>();
        StepVerifier.create(ring.acceptMultishot(listen).limitRate(4).take(connections)
                        .doOnSubscribe(s -> clients.subscribe()), 0)
                .thenRequest(connections)
                .thenConsumeWhile(a -> {
                    track(a.fd());
                    assertTrue(accepted.add(a.fd()), "each connection accepted once");
                    return true;
                })
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(connections, accepted.size());
        assertEquals(connections, clients.block(TIMEOUT).size(), "every connect completed (and freed its sockaddr)");
    }

    @Test
    void multishotRecvThroughAProvidedBufferRingIsByteExactAndCompletesAtEof() throws Exception {
        int[] pair = unixSocketPair();
        ProvidedBufferRing buffers = ProvidedBufferRing.registerAsync(loop, 7, 4, 64).get();
        try {
            byte[] data = new byte[16 * 1024];
            new Random(42).nextBytes(data);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            reactor.core.publisher.Mono<List<Integer>> writer = ring.writeStream(pair[1], data).flux()
                    .concatWith(ring.shutdown(pair[1], Sockets.SHUT_WR))
                    .collectList()
                    .cache();
            StepVerifier.create(ring.recvMultishot(pair[0], buffers)
                            .doOnSubscribe(s -> writer.subscribe())
                            .doOnNext(b -> {
                                byte[] chunk = b.toByteArray();
                                received.writeBytes(chunk);
                                b.release(); // back to the ring
                            }))
                    .thenConsumeWhile(b -> true)
                    .expectComplete()
                    .verify(TIMEOUT);
            assertArrayEquals(data, received.toByteArray(), "every byte once, in order");
            assertEquals(List.of(data.length, 0), writer.block(TIMEOUT));
        } finally {
            buffers.close();
        }
    }

    @Test
    void cancelledMultishotAcceptClosesConnectionsNobodyReceived() {
        int listen = tcpListener();
        InetSocketAddress address = localAddress(listen);
        List<Integer> clients = Flux.range(0, 3)
                .concatMap(i -> ring.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0)
                        .doOnNext(this::track)
                        .flatMap(fd -> ring.connect(fd, address).thenReturn(fd)))
                .collectList().block(TIMEOUT);
        StepVerifier.create(ring.acceptMultishot(listen), 1)
                .assertNext(a -> track(a.fd()))
                .thenCancel()
                .verify(TIMEOUT);
        // the other two connections were accepted by the armed op and closed by the library: their clients see EOF
        int eofs = 0;
        for (int client : clients) {
            UringBuffer b = ring.withPollRetry(io.reactiveuring.core.engine.PollRetry.USER)
                    .withTimeout(java.time.Duration.ofMillis(200)).recv(client, 8)
                    .onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(TIMEOUT);
            if (b != null) {
                if (b.readableBytes() == 0) {
                    eofs++;
                }
                b.release();
            }
        }
        assertTrue(eofs >= 1, "at least the connections queued behind the delivered one were closed: " + eofs);
    }
}
