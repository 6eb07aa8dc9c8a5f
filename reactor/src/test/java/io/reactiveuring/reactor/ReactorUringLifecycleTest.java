package io.reactiveuring.reactor;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/** try-with-resources ends the rings and waits; {@code shared()} is one instance until it is disposed. */
class ReactorUringLifecycleTest {

    @Test
    void closeDisposesAndWaitsForEveryRing() {
        Fixtures.requireUring();
        ReactorUring kept;
        try (ReactorUring ring = ReactorUring.create(2, LoopOptions.defaults().withThreadName("closeable"))) {
            kept = ring;
            assertEquals(0, ring.nop().block(TIMEOUT));
        }
        assertTrue(kept.isDisposed());
        for (UringLoop loop : kept.loops()) {
            assertTrue(loop.isTerminated(), "close() returned after the loop ended");
        }
        assertTrue(kept.allocator().isClosed());
        StepVerifier.create(kept.nop()).expectError(UringCancelledException.class).verify(TIMEOUT);
    }

    @Test
    void sharedIsOneInstanceUntilDisposedThenANewOne() {
        Fixtures.requireUring();
        ReactorUring first = ReactorUring.shared();
        assertSame(first, ReactorUring.shared());
        assertEquals(0, first.nop().block(TIMEOUT));
        first.close();
        ReactorUring second = ReactorUring.shared();
        assertNotSame(first, second);
        assertEquals(0, second.nop().block(TIMEOUT));
        second.close();
    }
}
