package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK against {@link MultishotPublisher} over a multishot {@code POLL_ADD}. A multishot poll
 * cannot be made to give an exact element count from outside (the kernel merges wake-ups), so the stream is a
 * {@link CountedPipePoll}: a real multishot poll, armed and disarmed by demand, whose source produces one
 * readiness event per consumed item and then hangs up. The failed publisher is one on a loop that has ended.
 */
public class MultishotPollPublisherTckTest extends PublisherVerification<Integer> {
    private UringLoop loop;
    private UringLoop endedLoop;
    private long fdsBefore;

    public MultishotPollPublisherTckTest() {
        super(TckSupport.environment(), TckSupport.GC_MILLIS);
    }

    @BeforeClass
    public void startLoop() {
        TckSupport.requireUring();
        endedLoop = TckSupport.endedLoop("multishot-tck-ended");
        fdsBefore = UringTestSupport.openFds();
        loop = TckSupport.loop("multishot-tck");
    }

    @AfterClass(alwaysRun = true)
    public void stopLoop() {
        TckSupport.closeAndCheck(loop, fdsBefore);
    }

    @Override
    public Publisher<Integer> createPublisher(long elements) {
        return new MultishotPublisher<>(loop, () -> new CountedPipePoll(elements));
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return new MultishotPublisher<>(endedLoop, () -> PollCall.of(0, Poll.POLLIN));
    }
}
