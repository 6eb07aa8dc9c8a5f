package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import io.reactiveuring.core.reactive.TckSupport.CapturingSubscriber;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.TestEnvironment.ManualSubscriber;
import org.testng.SkipException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

/**
 * The Reactive Streams TCK against {@link OneShotPublisher} over {@code NOP}: exactly one element; the failed
 * publisher is one on a loop that has ended.
 *
 * <p>The TCK skips every rule whose test asks for more elements than {@link #maxElementsFromPublisher()}. Where
 * the rule itself still applies to a one-element stream (demand, §3.9, cancel, §3.13, §3.17, serial signals), it
 * is overridden below with the same check on one element; where it cannot apply (three elements, recursion
 * between two onNexts, no empty one-shot), it is skipped with the reason.
 */
public class OneShotPublisherTckTest extends PublisherVerification<Integer> {
    private final TestEnvironment env;
    private UringLoop loop;
    private UringLoop endedLoop;
    private long fdsBefore;

    public OneShotPublisherTckTest() {
        this(TckSupport.environment());
    }

    private OneShotPublisherTckTest(TestEnvironment env) {
        super(env, TckSupport.GC_MILLIS);
        this.env = env;
    }

    @BeforeClass
    public void startLoop() {
        TckSupport.requireUring();
        endedLoop = TckSupport.endedLoop("oneshot-tck-ended");
        fdsBefore = UringTestSupport.openFds();
        loop = TckSupport.loop("oneshot-tck");
    }

    @AfterClass(alwaysRun = true)
    public void stopLoop() {
        TckSupport.closeAndCheck(loop, fdsBefore);
    }

    /** One element whatever is asked: a one-shot op has no other size (see the skipped empty-stream rule). */
    @Override
    public Publisher<Integer> createPublisher(long elements) {
        return new OneShotPublisher<>(loop, () -> Call.of(OpSpec.nop()));
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return new OneShotPublisher<>(endedLoop, () -> Call.of(OpSpec.nop()));
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }

    private ManualSubscriber<Integer> subscribeOne() throws InterruptedException {
        return env.newManualSubscriber(createPublisher(1));
    }

    // ------------------------------------------------------------------------------------------- do not apply

    @Override
    @Test
    public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() {
        throw new SkipException("does not apply: a one-shot op always ends with exactly one value (its CQE's res) "
                + "or an error; there is no empty one-shot publisher");
    }

    @Override
    @Test
    public void required_createPublisher3MustProduceAStreamOfExactly3Elements() {
        throw new SkipException("does not apply: a one-shot publisher has exactly one element");
    }

    @Override
    @Test
    public void required_spec303_mustNotAllowUnboundedRecursion() {
        throw new SkipException("does not apply: with one element, the request made in onNext has no further "
                + "onNext to recurse into");
    }

    // ------------------------------------------------------------------------------------------- on one element

    /** §1.1: nothing before the request, exactly one element for it, then only completion. */
    @Override
    @Test
    public void required_spec101_subscriptionRequestMustResultInTheCorrectNumberOfProducedElements()
            throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.expectNone("produced before the first request");
        sub.request(1);
        assertEquals(sub.nextElement(), Integer.valueOf(0));
        sub.expectCompletion();
        sub.request(1);
        sub.expectNone("produced after completion");
        env.verifyNoAsyncErrorsNoDelay();
    }

    /** §1.2: ten requested, one produced, then completion. */
    @Override
    @Test
    public void required_spec102_maySignalLessThanRequestedAndTerminateSubscription() throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.request(10);
        sub.nextElements(1);
        sub.expectCompletion();
        env.verifyNoAsyncErrorsNoDelay();
    }

    /** §1.5: the finite stream ends with onComplete, and nothing follows it. */
    @Override
    @Test
    public void required_spec105_mustSignalOnCompleteWhenFiniteStreamTerminates() throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.requestNextElement();
        sub.requestEndOfStream();
        sub.expectNone();
        env.verifyNoAsyncErrorsNoDelay();
    }

    /** §1.3, stochastic: with the request made inside onSubscribe, no signal overlaps another one, 100 times. */
    @Override
    @Test
    public void stochastic_spec103_mustSignalOnMethodsSequentially() throws Throwable {
        for (int i = 0; i < 100; i++) {
            CountDownLatch done = new CountDownLatch(1);
            createPublisher(1).subscribe(new Subscriber<>() {
                final AtomicReference<Thread> signalling = new AtomicReference<>();

                private void enter(String signal) {
                    if (!signalling.compareAndSet(null, Thread.currentThread())) {
                        env.flop(signal + " on " + Thread.currentThread() + " while " + signalling.get()
                                + " was still signalling");
                    }
                }

                private void leave() {
                    signalling.set(null);
                }

                @Override
                public void onSubscribe(Subscription s) {
                    enter("onSubscribe");
                    s.request(1);
                    s.request(1);
                    leave();
                }

                @Override
                public void onNext(Integer item) {
                    enter("onNext");
                    leave();
                }

                @Override
                public void onError(Throwable t) {
                    enter("onError");
                    leave();
                    env.flop(t, "unexpected error");
                    done.countDown();
                }

                @Override
                public void onComplete() {
                    enter("onComplete");
                    leave();
                    done.countDown();
                }
            });
            assertTrue(done.await(env.defaultTimeoutMillis(), TimeUnit.MILLISECONDS), "no completion in run " + i);
        }
        env.verifyNoAsyncErrorsNoDelay();
    }

    /** §3.2: requests from onSubscribe and from onNext are allowed, synchronously. */
    @Override
    @Test
    public void required_spec302_mustAllowSynchronousRequestCallsFromOnNextAndOnSubscribe() throws Throwable {
        CapturingSubscriber<Integer> sub = new CapturingSubscriber<>(env) {
            @Override
            public void onSubscribe(Subscription subs) {
                super.onSubscribe(subs);
                subs.request(1);
                subs.request(1);
            }

            @Override
            public void onNext(Integer element) {
                super.onNext(element);
                captured.request(1);
            }
        };
        env.subscribe(createPublisher(1), sub);
        sub.nextElement();
        sub.expectCompletion();
        env.verifyNoAsyncErrors();
    }

    /** §3.6: requests after cancel are no-ops (nothing submitted, nothing signalled). */
    @Override
    @Test
    public void required_spec306_afterSubscriptionIsCancelledRequestMustBeNops() throws Throwable {
        CapturingSubscriber<Integer> sub = new CapturingSubscriber<>(env);
        env.subscribe(createPublisher(1), sub);
        Subscription subscription = sub.captured;
        long submitted = loop.submittedOperations();
        subscription.cancel();
        subscription.request(1);
        subscription.request(1);
        sub.expectNone();
        assertEquals(loop.submittedOperations(), submitted, "a request after cancel submitted the op");
        env.verifyNoAsyncErrorsNoDelay();
    }

    /** §3.9: request(0) is an IllegalArgumentException through onError. */
    @Override
    @Test
    public void required_spec309_requestZeroMustSignalIllegalArgumentException() throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.request(0);
        sub.expectError(IllegalArgumentException.class);
    }

    /** §3.9: a negative request is an IllegalArgumentException through onError. */
    @Override
    @Test
    public void required_spec309_requestNegativeNumberMustSignalIllegalArgumentException() throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.request(-42);
        sub.expectError(IllegalArgumentException.class);
    }

    @Override
    @Test
    public void optional_spec309_requestNegativeNumberMaySignalIllegalArgumentExceptionWithSpecificMessage()
            throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.request(-1);
        sub.expectErrorWithMessage(IllegalArgumentException.class, List.of("3.9"));
    }

    /**
     * §3.12 on an op that is still pending (a read on a pipe nobody writes): after cancel nothing is signalled. With
     * a NOP the single element would race the cancel, so this is the one-element form that can show a violation.
     */
    @Override
    @Test
    public void required_spec312_cancelMustMakeThePublisherToEventuallyStopSignaling() throws Throwable {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            assertEquals(LibC.pipe2(fds, LibC.O_CLOEXEC), 0);
            int readFd = fds.get(JAVA_INT, 0);
            int writeFd = fds.get(JAVA_INT, 4);
            MemorySegment buffer = arena.allocate(8);
            CountDownLatch released = new CountDownLatch(1);
            OneShotPublisher<Integer> pendingRead = new OneShotPublisher<>(loop, () -> new OpCall<Integer>() {
                @Override
                public OpSpec spec() {
                    return OpSpec.read(readFd, buffer, -1);
                }

                @Override
                public Integer result(int res, int flags) {
                    return res;
                }

                @Override
                public void release() {
                    released.countDown();
                }
            });
            try {
                ManualSubscriber<Integer> sub = env.newManualSubscriber(pendingRead);
                sub.request(1);
                sub.cancel();
                assertTrue(released.await(env.defaultTimeoutMillis(), TimeUnit.MILLISECONDS),
                        "the cancelled read never reached its final CQE");
                sub.expectNone("signalled after cancel");
                env.verifyNoAsyncErrorsNoDelay();
            } finally {
                LibC.close(readFd);
                LibC.close(writeFd);
            }
        }
    }

    /** §3.13: once the stream is over and cancelled, nothing in the publisher or the loop holds the subscriber. */
    @Override
    @Test
    public void required_spec313_cancelMustMakeThePublisherEventuallyDropAllReferencesToTheSubscriber()
            throws Throwable {
        ReferenceQueue<ManualSubscriber<Integer>> queue = new ReferenceQueue<>();
        WeakReference<ManualSubscriber<Integer>> ref = subscribeRequestAndCancel(queue);
        // The loop thread may still be inside the completion callback that signalled: one NOP round trip later
        // it is not (no sleep needed).
        ManualSubscriber<Integer> barrier = subscribeOne();
        barrier.requestNextElement();
        System.gc();
        if (!ref.equals(queue.remove(env.defaultTimeoutMillis()))) {
            env.flop("the publisher did not drop its reference to the cancelled subscriber");
        }
        env.verifyNoAsyncErrorsNoDelay();
    }

    private WeakReference<ManualSubscriber<Integer>> subscribeRequestAndCancel(
            ReferenceQueue<ManualSubscriber<Integer>> queue) throws InterruptedException {
        ManualSubscriber<Integer> sub = subscribeOne();
        WeakReference<ManualSubscriber<Integer>> ref = new WeakReference<>(sub, queue);
        sub.request(1);
        sub.nextElement();
        sub.cancel();
        return ref;
    }

    /** §3.17: a demand of Long.MAX_VALUE is served like any other. */
    @Override
    @Test
    public void required_spec317_mustSupportAPendingElementCountUpToLongMaxValue() throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.request(Long.MAX_VALUE);
        sub.nextElements(1);
        sub.expectCompletion();
        env.verifyNoAsyncErrorsNoDelay();
    }

    /** §3.17: demand accumulated up to Long.MAX_VALUE is served like any other. */
    @Override
    @Test
    public void required_spec317_mustSupportACumulativePendingElementCountUpToLongMaxValue() throws Throwable {
        ManualSubscriber<Integer> sub = subscribeOne();
        sub.request(Long.MAX_VALUE / 2);
        sub.request(Long.MAX_VALUE / 2);
        sub.request(1);
        sub.nextElements(1);
        sub.expectCompletion();
        env.verifyNoAsyncErrorsNoDelay();
    }

    /** §3.17: demand beyond Long.MAX_VALUE (requested again from onNext) is no error. */
    @Override
    @Test
    public void required_spec317_mustNotSignalOnErrorWhenPendingAboveLongMaxValue() throws Throwable {
        CapturingSubscriber<Integer> sub = new CapturingSubscriber<>(env) {
            @Override
            public void onNext(Integer element) {
                super.onNext(element);
                for (int i = 0; i < 3; i++) {
                    captured.request(Long.MAX_VALUE - 1);
                }
            }
        };
        env.subscribe(createPublisher(1), sub);
        sub.request(Long.MAX_VALUE - 1);
        sub.nextElement();
        sub.expectCompletion();
        env.verifyNoAsyncErrors();
    }
}
