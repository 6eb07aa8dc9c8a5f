package io.reactiveuring.core.reactive;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.reactive.NetCalls.Accepted;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * The Reactive Streams TCK against {@link MultishotPublisher} over a multishot accept ({@link MultishotCalls#accept}):
 * {@link CountedTcpAccept} connects exactly N clients to a loopback TCP listener, then shuts the listener down,
 * which the kernel answers by ending the accept with {@code -EINVAL}: the stream completes. So every required rule
 * runs, including the ones that need exact counts and completion. Skipped: the TCK's own untested rules, and the
 * optional multicast rules ({@link UnicastPublisherVerification}): each subscription accepts its own connections,
 * so two subscribers never receive equal elements. The failed publisher is one on a loop that has ended.
 */
public class MultishotAcceptPublisherTckTest extends UnicastPublisherVerification<Accepted> {
    static {
        // NIO keeps one fd of its own once first used (for async close); open it before the fd baseline is taken.
        try {
            SocketChannel.open().close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private UringLoop loop;
    private UringLoop endedLoop;
    private long fdsBefore;

    @BeforeClass
    public void startLoop() {
        TckSupport.requireUring();
        endedLoop = TckSupport.endedLoop("multishot-accept-tck-ended");
        fdsBefore = UringTestSupport.openFds();
        loop = TckSupport.loop("multishot-accept-tck");
    }

    @AfterClass(alwaysRun = true)
    public void stopLoop() {
        TckSupport.closeAndCheck(loop, fdsBefore);
    }

    @Override
    public Publisher<Accepted> createPublisher(long elements) {
        return new MultishotPublisher<>(loop, () -> new CountedTcpAccept(elements));
    }

    @Override
    public Publisher<Accepted> createFailedPublisher() {
        return new MultishotPublisher<>(endedLoop, () -> new CountedTcpAccept(1));
    }

    @Override
    protected String unicastReason() {
        return "each subscription accepts connections of its own: two subscribers never receive the same fd";
    }
}
