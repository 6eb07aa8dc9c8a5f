package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.ProvidedBufferRing;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.testng.Assert.assertTrue;

/**
 * The Reactive Streams TCK against {@link MultishotPublisher} over a multishot recv through a provided-buffer ring
 * ({@link MultishotCalls#recv}): {@link CountedSeqpacketRecv} gives exactly N messages, then EOF. The failed
 * publisher is one on a loop that has ended.
 *
 * <p>Skipped besides the TCK's own untested rules: the optional multicast rules that compare the elements two
 * subscribers received ({@link UnicastPublisherVerification}). Each subscription is a kernel op of its own reading
 * its own socket into its own ring, so the elements are distinct buffers: the rules do not apply.
 */
public class MultishotRecvPublisherTckTest extends UnicastPublisherVerification<UringBuffer> {
    private UringLoop loop;
    private UringLoop endedLoop;
    private long fdsBefore;
    private final LeakDetector leaks = new LeakDetector();
    private final BufferAllocator allocator = BufferAllocator.pooled(leaks);
    private final List<ProvidedBufferRing> rings = new CopyOnWriteArrayList<>();

    @BeforeClass
    public void startLoop() {
        TckSupport.requireUring();
        endedLoop = TckSupport.endedLoop("multishot-recv-tck-ended");
        fdsBefore = UringTestSupport.openFds();
        loop = TckSupport.loop("multishot-recv-tck");
    }

    @AfterClass(alwaysRun = true)
    public void stopLoop() {
        TckSupport.closeAndCheck(loop, fdsBefore);
        for (ProvidedBufferRing ring : rings) {
            assertTrue(ring.isFreed(), "buffer ring " + ring + " was freed");
        }
        leaks.assertNoLeaks();
        allocator.close();
    }

    @Override
    public Publisher<UringBuffer> createPublisher(long elements) {
        return new MultishotPublisher<>(loop, () -> new CountedSeqpacketRecv(loop, allocator, rings, elements));
    }

    @Override
    public Publisher<UringBuffer> createFailedPublisher() {
        return new MultishotPublisher<>(endedLoop, () -> new CountedSeqpacketRecv(endedLoop, allocator, rings, 1));
    }

    @Override
    protected String unicastReason() {
        return "each subscription reads its own socket into its own buffers: distinct buffers, which have no value "
                + "equality";
    }
}
