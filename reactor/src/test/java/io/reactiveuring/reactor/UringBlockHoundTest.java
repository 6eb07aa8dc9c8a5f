package io.reactiveuring.reactor;

import io.reactiveuring.core.reactive.FdKind;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.test.StepVerifier;

import java.io.FileOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static io.reactiveuring.reactor.Fixtures.text;
import static org.junit.jupiter.api.Assertions.*;

/**
 * BlockHound with this module's integration, installed once for this JVM (Surefire runs this class in a fork of
 * its own): blocking calls on a loop thread are caught, the loop's own wait in io_uring_enter is not.
 */
class UringBlockHoundTest {
    ReactorUring ring;
    UringLoop loop;
    Fixtures fx;

    @BeforeAll
    static void installBlockHound() {
        BlockHound.install(); // loads every BlockHoundIntegration on the class path, ours included
    }

    @BeforeEach
    void start() {
        Fixtures.requireUring();
        ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("blockhound-test"));
        loop = ring.loops().getFirst();
        fx = new Fixtures();
    }

    @AfterEach
    void stop() throws Exception {
        if (ring != null) {
            ring.dispose();
            assertTrue(ring.awaitTermination(TIMEOUT));
            assertEquals(0, loop.inFlight());
            fx.close();
        }
    }

    @Test
    void integrationIsRegisteredAsAService() {
        assertTrue(ServiceLoader.load(BlockHoundIntegration.class).stream()
                .anyMatch(p -> p.type() == UringBlockHoundIntegration.class));
    }

    @Test
    void sleepOnALoopThreadIsCaught() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        ring.scheduler().schedule(() -> {
            onLoop.complete(loop.inLoop());
            try {
                Thread.sleep(1); // the blocking call under test, deliberately on the loop thread (not a wait for I/O)
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        BlockingOperationError e = assertInstanceOf(BlockingOperationError.class, outcome.get(10, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("java.lang.Thread.sleep"), e.getMessage());
        assertTrue(onLoop.get(), "caught on the loop thread");
        assertFalse(loop.isShuttingDown(), "the error went to the task, not into the loop");
    }

    @Test
    void theLoopsOwnWaitIsNotCaughtAndTheLoopKeepsWorking() throws Exception {
        int[] p = fx.pipe();
        MemorySegment buf = fx.arena.allocate(32);
        // The read waits in the kernel; the loop meanwhile sleeps in io_uring_enter, wakes for the data, goes on.
        StepVerifier.create(ring.read(p[0], buf, -1, FdKind.POLLABLE))
                .then(() -> {
                    for (int i = 0; i < 20; i++) {
                        assertEquals(0, ring.nop().block(TIMEOUT));
                    }
                    fx.writeAll(p[1], "after install");
                })
                .expectNext(13)
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals("after install", text(buf, 13));
        StepVerifier.create(ring.timer(java.time.Duration.ofMillis(5))).expectComplete().verify(TIMEOUT);
        assertFalse(loop.isShuttingDown());
        assertEquals(0, loop.callbackErrors());
    }

    @Test
    void aLoopKilledByASubscriberLogsWhyToAFileAndStillEndsItsPendingOps() throws Exception {
        // The engine logs through System.Logger (JUL here); a file handler makes that log a blocking file write.
        Path logFile = Files.createTempFile("uring-engine", ".log");
        Logger engineLog = Logger.getLogger("io.reactiveuring.core.engine");
        Handler toFile = new StreamHandler(new FileOutputStream(logFile.toFile()), new SimpleFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        engineLog.addHandler(toFile);
        // to the file only: the console shows no stack trace of an error this test provokes on purpose
        boolean usedParentHandlers = engineLog.getUseParentHandlers();
        engineLog.setUseParentHandlers(false);
        try {
            int[] p = fx.pipe();
            CompletableFuture<Throwable> pending = new CompletableFuture<>();
            ring.read(p[0], fx.arena.allocate(8), -1, FdKind.POLLABLE).subscribe(v -> { }, pending::complete);
            assertEquals(0, ring.nop().block(TIMEOUT));
            // An Error thrown by a subscriber ends the loop, which logs why on its own (non-blocking) thread.
            ring.nop().subscribe(new CoreSubscriber<>() {
                @Override
                public void onSubscribe(Subscription s) {
                    s.request(1);
                }

                @Override
                public void onNext(Integer value) {
                    throw new AssertionError("fatal bug in a subscriber (expected by this test)");
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            });
            assertTrue(loop.awaitTermination(TIMEOUT), "the loop ended although its log write blocks");
            assertInstanceOf(UringCancelledException.class, pending.get(10, TimeUnit.SECONDS));
            assertTrue(Files.readString(logFile).contains("fatal bug in a subscriber"), "the reason was logged");
        } finally {
            engineLog.setUseParentHandlers(usedParentHandlers);
            engineLog.removeHandler(toFile);
            toFile.close();
            Files.delete(logFile);
        }
    }

    @Test
    void blockingOffTheLoopIsStillAllowed() throws Exception {
        Thread.sleep(1); // the test thread is not a loop thread
        StepVerifier.create(ring.nop()).expectNext(0).expectComplete().verify(TIMEOUT);
    }
}
