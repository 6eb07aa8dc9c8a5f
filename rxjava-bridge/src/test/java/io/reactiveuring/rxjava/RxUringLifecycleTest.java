package io.reactiveuring.rxjava;

import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringGroup;
import io.reactiveuring.core.engine.UringLoop;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.reactiveuring.rxjava.RxTestBase.TIMEOUT;
import static io.reactiveuring.rxjava.RxTestBase.TIMEOUT_S;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The module's boundary (core and RxJava only, no Reactor at run time or in the module descriptor) and the life of an
 * instance: creation, ownership of rings and allocator, views, loop-thread detection for RxJava's blocking check.
 */
class RxUringLifecycleTest {

    @BeforeEach
    void requireUring() {
        RxTestBase.requireUring();
    }

    @AfterEach
    void resetPlugins() {
        RxJavaPlugins.reset();
    }

    @Test
    void reactorIsNotOnTheModulesRuntimeClassPath() {
        ClassLoader loader = RxUring.class.getClassLoader();
        for (String reactorClass : new String[] {"reactor.core.publisher.Mono", "reactor.core.publisher.Flux",
                "reactor.core.scheduler.Schedulers", "io.reactiveuring.reactor.ReactorUring"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(reactorClass, false, loader), reactorClass);
        }
        String classPath = System.getProperty("java.class.path") + ":"
                + System.getProperty("surefire.test.class.path", "");
        assertFalse(classPath.contains("reactor-core"), "no reactor-core jar: " + classPath);
        assertDoesNotThrow(() -> Class.forName("io.reactivex.rxjava3.core.Flowable", false, loader));
    }

    @Test
    void theModuleRequiresCoreAndRxJavaOnlyAndExportsItsApi() throws Exception {
        Path classes = Path.of(RxUring.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertEquals("io.reactiveuring.rxjava", descriptor.name());
        Set<String> requires = descriptor.requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toSet());
        assertEquals(Set.of("java.base", "io.reactiveuring.core", "io.reactivex.rxjava3"), requires);
        assertEquals(Set.of("io.reactiveuring.rxjava", "io.reactiveuring.rxjava.file", "io.reactiveuring.rxjava.tcp"),
                descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }

    @Test
    void createMakesOneRingPerProcessorAndRoutesLoopErrorsToRxJava() throws Exception {
        RxUring rx = RxUring.create();
        try {
            assertEquals(Runtime.getRuntime().availableProcessors(), rx.loops().size());
            UringLoop first = rx.loops().getFirst();
            assertTrue(first.thread().getName().startsWith("uring-rx"), first.thread().getName());
            assertNotSame(LoopOptions.LOG_ERRORS, first.options().errorHook(), "RxJavaPlugins.onError instead");
            rx.nop().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete();
        } finally {
            rx.dispose();
            assertTrue(rx.awaitTermination(TIMEOUT));
        }
        assertTrue(rx.isDisposed());
        assertTrue(rx.allocator().isClosed(), "the allocator is closed once the rings have ended");
    }

    @Test
    void anInstanceOverExistingRingsOwnsThemAndItsViewsShareEverything() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("rx-of-loop"));
        BufferAllocator allocator = BufferAllocator.pooled();
        RxUring rx = RxUring.of(loop, allocator);
        RxUring view = rx.withTimeout(Duration.ofSeconds(5)).withPollRetry(PollRetry.USER);
        assertSame(rx.scheduler(), view.scheduler());
        assertSame(rx.allocator(), view.allocator());
        assertEquals(rx.loops(), view.loops());
        assertEquals(Duration.ofSeconds(5), view.options().linkTimeout());
        assertEquals(PollRetry.USER, view.options().pollRetry());
        assertNull(rx.options().linkTimeout(), "the view did not change the instance");
        view.nop().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete();

        view.dispose(); // a view's dispose ends the shared rings, including the one given to of()
        assertTrue(rx.awaitTermination(TIMEOUT));
        assertTrue(loop.isTerminated());
        assertTrue(rx.isDisposed());
        assertTrue(rx.scheduler().isShutdown());
        assertTrue(allocator.isClosed());
        rx.nop().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertError(UringCancelledException.class);
    }

    @Test
    void anInstanceOverAGroupUsesEveryRing() throws Exception {
        UringGroup group = new UringGroup(2, LoopOptions.defaults().withThreadName("rx-of-group"));
        RxUring rx = RxUring.of(group);
        try {
            assertEquals(group.loops(), rx.loops());
            rx.nop().test().awaitDone(TIMEOUT_S, TimeUnit.SECONDS).assertComplete();
        } finally {
            rx.dispose();
            assertTrue(rx.awaitTermination(TIMEOUT));
        }
        assertTrue(group.loops().stream().allMatch(UringLoop::isTerminated));
    }

    @Test
    void blockingOnALoopThreadFailsWhenTheApplicationAsksRxJavaToCheck() throws Exception {
        RxUring rx = RxUring.create(1, LoopOptions.defaults().withThreadName("rx-blocking-check"));
        try {
            assertFalse(rx.isLoopThread());
            RxJavaPlugins.setOnBeforeBlocking(rx::isLoopThread);
            RxJavaPlugins.setFailOnNonBlockingScheduler(true);
            assertTrue(rx.nop().blockingAwait(TIMEOUT_S, TimeUnit.SECONDS), "blocking elsewhere is fine");
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            rx.scheduler().scheduleDirect(() -> {
                try {
                    rx.nop().blockingAwait(); // would wait for its own loop forever
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            IllegalStateException e = assertInstanceOf(IllegalStateException.class,
                    outcome.get(TIMEOUT_S, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("Attempt to block on a Scheduler"), e.getMessage());
        } finally {
            rx.dispose();
            assertTrue(rx.awaitTermination(TIMEOUT));
        }
    }
}
