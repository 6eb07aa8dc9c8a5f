package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link UringGroup}: round-robin and keyed placement over working loops, and close ending them all. */
class GroupTest {

    @Test
    void nextCyclesThroughAllLoopsInOrder() {
        UringTestSupport.requireUring();
        try (UringGroup group = new UringGroup(3, LoopOptions.defaults().withQueues(8, 16).withThreadName("rr"))) {
            List<UringLoop> loops = group.loops();
            assertEquals(3, new HashSet<>(loops).size());
            UringLoop first = group.next();
            int start = loops.indexOf(first);
            for (int i = 1; i < 9; i++) {
                assertSame(loops.get((start + i) % 3), group.next(), "pick " + i);
            }
        }
    }

    @Test
    void forKeyIsStableForEqualKeysAndSpreadsDifferentOnes() {
        UringTestSupport.requireUring();
        try (UringGroup group = new UringGroup(4, LoopOptions.defaults().withQueues(8, 16).withThreadName("key"))) {
            UringLoop forConnection = group.forKey("connection-42");
            for (int i = 0; i < 10; i++) {
                assertSame(forConnection, group.forKey(new String("connection-42")));
            }
            assertSame(group.forKey(null), group.forKey(null));
            Set<UringLoop> used = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                used.add(group.forKey("connection-" + i));
            }
            assertEquals(4, used.size(), "200 keys land on every loop");
        }
    }

    @Test
    void eachLoopRunsOpsOnItsOwnThreadAndCloseEndsThemAll() throws Exception {
        UringTestSupport.requireUring();
        long fdsBefore = UringTestSupport.openFds();
        UringGroup group = new UringGroup(3, LoopOptions.defaults().withQueues(8, 16).withThreadName("grp"));
        Set<Thread> threads = new HashSet<>();
        assertNull(group.current(), "the test thread is no loop thread");
        for (UringLoop loop : group.loops()) {
            RecordingOperation nop = new RecordingOperation(OpSpec.nop());
            loop.submit(nop);
            assertEquals(0, nop.awaitRes());
            assertSame(loop.thread(), nop.completionThread);
            threads.add(nop.completionThread);
            CompletableFuture<UringLoop> current = new CompletableFuture<>();
            loop.execute(() -> current.complete(group.current()));
            assertSame(loop, current.get(10, TimeUnit.SECONDS));
        }
        assertEquals(3, threads.size());

        group.close();
        for (UringLoop loop : group.loops()) {
            assertTrue(loop.isTerminated());
            assertEquals(-1, loop.ringFd());
        }
        assertTrue(group.awaitTermination(java.time.Duration.ofSeconds(1)));
        assertEquals(fdsBefore, UringTestSupport.openFds(), "ring fds and eventfds closed");
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UringGroup(0, LoopOptions.defaults()));
        assertThrows(NullPointerException.class, () -> new UringGroup(1, null));
    }
}
