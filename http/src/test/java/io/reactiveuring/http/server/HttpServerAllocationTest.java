package io.reactiveuring.http.server;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetection;
import io.reactiveuring.http.codec.HttpHeader;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path's cost: bytes the loop thread allocates per request for a handler whose answer is ready at once
 * ({@code res.sendString(Mono.just(..))}), counted with the thread allocation counter over pipelined requests on
 * one connection, beyond the user's own {@code Mono.just} and string.
 */
class HttpServerAllocationTest extends HttpServerTestBase {
    private static final String BATCH;

    static {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            b.append("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        }
        BATCH = b.toString();
    }

    /** No leak detector here: it records a stack trace per buffer, which is the test's cost, not the server's. */
    @Override
    BufferAllocator newAllocator() {
        return BufferAllocator.pooled(LeakDetection.Level.DISABLED, 1);
    }

    @Test
    void readyResponseAllocatesLittlePerRequest() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong loopThread = new AtomicLong();
        DisposableHttpServer s = bind(server().route(r -> r.get("/plaintext", (req, res) -> {
            loopThread.set(Thread.currentThread().threadId());
            return res.header(HttpHeader.CONTENT_TYPE, "text/plain").sendString(Mono.just("Hello, World!"));
        })));
        try (RawClient c = new RawClient(RawClient.address(s))) {
            run(c, 200); // warm up: JIT, pools, the receive ring
            long before = threads.getThreadAllocatedBytes(loopThread.get());
            int requests = run(c, 100);
            long after = threads.getThreadAllocatedBytes(loopThread.get());
            long perRequest = (after - before) / requests;
            System.out.println("loop thread allocation per ready request: " + perRequest + " bytes");
            // The head copy (its bytes and field offsets), the exchange, the send and the response buffer's handle
            // are the server's; Mono.just and the String are the user's. Far below a Reactor pipeline per request.
            assertTrue(perRequest < 800, "bytes allocated per request: " + perRequest);
        }
    }

    private static int run(RawClient c, int batches) throws Exception {
        byte[] batch = BATCH.getBytes(StandardCharsets.US_ASCII);
        for (int b = 0; b < batches; b++) {
            c.send(batch);
            for (int i = 0; i < 100; i++) {
                assertEquals("Hello, World!", c.read().text());
            }
        }
        return batches * 100;
    }
}
