package io.reactiveuring.core.reactive;

import io.reactiveuring.core.Uring;
import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.TestEnvironment.ManualSubscriberWithSubscriptionSupport;
import org.testng.SkipException;

import static org.testng.Assert.assertEquals;

/**
 * Shared set-up of the Reactive Streams TCK suites (TestNG classes that Surefire runs through JUnit's TestNG
 * engine): short timeouts so each suite stays within seconds, io_uring availability, and the end-of-suite checks.
 */
final class TckSupport {
    /**
     * How long the TCK waits for an expected signal: only a failing test waits that long, and a loaded CI machine
     * (an accept over loopback behind a busy build) can need more than a second.
     */
    static final long TIMEOUT_MILLIS = 5000;
    /** How long the TCK watches for a signal that must not come. */
    static final long NO_SIGNAL_MILLIS = 50;
    /** How often the TCK polls while it waits for an error. */
    static final long POLL_MILLIS = 10;
    /** How long after cancel the publisher may still hold the subscriber (§3.13). */
    static final long GC_MILLIS = 200;

    private TckSupport() {
    }

    static TestEnvironment environment() {
        return new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNAL_MILLIS, POLL_MILLIS);
    }

    /** Skips the suite when io_uring is unavailable, except under CI, where that is a failure. */
    static void requireUring() {
        if (Uring.isAvailable()) {
            return;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equals("false")) {
            throw new AssertionError("CI is set but io_uring is unavailable: " + Uring.unavailabilityCause());
        }
        throw new SkipException("io_uring unavailable: " + Uring.unavailabilityCause());
    }

    static UringLoop loop(String name) {
        return new UringLoop(LoopOptions.defaults().withThreadName(name));
    }

    /** A loop that has already ended: every publisher on it must fail its subscribers (§1.9, failed publisher). */
    static UringLoop endedLoop(String name) {
        UringLoop loop = loop(name);
        loop.close();
        return loop;
    }

    /** A TCK manual subscriber that also keeps its subscription where the suites can reach it. */
    static class CapturingSubscriber<T> extends ManualSubscriberWithSubscriptionSupport<T> {
        volatile Subscription captured;

        CapturingSubscriber(TestEnvironment env) {
            super(env);
        }

        @Override
        public void onSubscribe(Subscription s) {
            captured = s;
            super.onSubscribe(s);
        }
    }

    /** Ends the suite's loop and checks that it left nothing behind. */
    static void closeAndCheck(UringLoop loop, long fdsBefore) {
        if (loop == null) {
            return;
        }
        loop.close();
        assertEquals(loop.staleCompletions(), 0, "stale completions");
        assertEquals(loop.inFlight(), 0, "ops still in flight");
        assertEquals(UringTestSupport.openFds(), fdsBefore, "file descriptors leaked");
    }
}
