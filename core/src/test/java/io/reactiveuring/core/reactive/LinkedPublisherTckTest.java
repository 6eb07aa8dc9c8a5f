package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import io.reactiveuring.core.reactive.TckSupport.CapturingSubscriber;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.SkipException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * The Reactive Streams TCK against {@link LinkedPublisher}: a chain of N linked {@code NOP}s gives N elements. A
 * chain must fit the SQ in one submission, which bounds the element count; the failed publisher is one on a loop
 * that has ended.
 */
public class LinkedPublisherTckTest extends PublisherVerification<Integer> {
    /** The longest chain used; the default SQ (256 entries) takes it in one submission. */
    private static final int MAX_CHAIN = 64;

    private final TestEnvironment env;
    private UringLoop loop;
    private UringLoop endedLoop;
    private long fdsBefore;

    public LinkedPublisherTckTest() {
        this(TckSupport.environment());
    }

    private LinkedPublisherTckTest(TestEnvironment env) {
        super(env, TckSupport.GC_MILLIS);
        this.env = env;
    }

    @BeforeClass
    public void startLoop() {
        TckSupport.requireUring();
        endedLoop = TckSupport.endedLoop("linked-tck-ended");
        fdsBefore = UringTestSupport.openFds();
        loop = TckSupport.loop("linked-tck");
    }

    @AfterClass(alwaysRun = true)
    public void stopLoop() {
        TckSupport.closeAndCheck(loop, fdsBefore);
    }

    static List<OpCall<Integer>> nops(int n) {
        List<OpCall<Integer>> chain = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chain.add(Call.of(OpSpec.nop()));
        }
        return chain;
    }

    /** {@code elements} linked NOPs; for 0 a chain of one (the rules that ask for 0 elements only subscribe). */
    @Override
    public Publisher<Integer> createPublisher(long elements) {
        int n = (int) Math.max(1, elements);
        return new LinkedPublisher(loop, () -> nops(n));
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return new LinkedPublisher(endedLoop, () -> nops(2));
    }

    @Override
    public long maxElementsFromPublisher() {
        return MAX_CHAIN;
    }

    /**
     * §3.17 with demand pushed beyond Long.MAX_VALUE from onNext: no error. The TCK's own test wants an
     * Integer.MAX_VALUE-element stream; a chain has at most {@value #MAX_CHAIN}. Ten elements show the same rule
     * (and stay within the TCK subscriber's buffer of {@value TestEnvironment#TEST_BUFFER_SIZE}).
     */
    @Override
    @Test
    public void required_spec317_mustNotSignalOnErrorWhenPendingAboveLongMaxValue() throws Throwable {
        CapturingSubscriber<Integer> sub = new CapturingSubscriber<>(env) {
            @Override
            public void onNext(Integer element) {
                super.onNext(element);
                captured.request(Long.MAX_VALUE - 1);
            }
        };
        int elements = 10;
        env.subscribe(createPublisher(elements), sub);
        sub.request(1);
        sub.nextElements(elements);
        sub.expectCompletion();
        env.verifyNoAsyncErrors();
    }

    @Override
    @Test
    public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() {
        throw new SkipException("does not apply: a linked chain has at least one op (an empty chain is refused "
                + "with IllegalArgumentException)");
    }
}
