package io.reactiveuring.reactor.tcp;

import io.reactiveuring.reactor.CapturedLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP shell under BlockHound (installed for this JVM, a fork of its own): accepting, receiving, sending, the
 * handler's end, a failing handler (its error is logged) and the server's disposal run on the loop threads without a
 * blocking call.
 */
class UringTcpBlockHoundTest extends ReactorTcpTestBase {
    @BeforeAll
    static void installBlockHound() {
        BlockHound.install();
    }

    @Test
    void serverAndClientDoNotBlockTheLoops() throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try (CapturedLog log = CapturedLog.of("io.reactiveuring.reactor.tcp")) {
            AtomicInteger connections = new AtomicInteger();
            DisposableUringServer server = server().handle((in, out) -> {
                if (connections.incrementAndGet() == 3) {
                    return Mono.error(new IllegalStateException("a failing handler (expected by this test)"));
                }
                return out.send(in.receive().retain());
            }).bindNow();
            for (int i = 0; i < 2; i++) {
                UringConnection c = client(server).connectNow();
                Mono<List<String>> lines = c.inbound().receive().asLines().collectList();
                c.outbound().sendString(Flux.range(0, 100).map(n -> n + "\n")).then()
                        .doOnSuccess(v -> c.connection().shutdownOutput()).subscribe();
                List<String> got = lines.block(WAIT);
                assertEquals(100, got.size());
                c.onDispose().block(WAIT);
            }
            UringConnection failing = client(server).connectNow();
            assertEquals("", failing.inbound().receive().aggregateAsString().block(WAIT));
            LogRecord logged = log.await(Level.SEVERE, "connection handler failed", WAIT);
            assertEquals("a failing handler (expected by this test)", logged.getThrown().getMessage());
            server.disposeNow(WAIT);
            assertTrue(dropped.isEmpty(), () -> "errors on the loops: " + dropped);
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }
}
