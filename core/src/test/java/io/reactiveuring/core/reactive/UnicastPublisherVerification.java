package io.reactiveuring.core.reactive;

import org.reactivestreams.tck.PublisherVerification;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The TCK for a publisher whose every subscription has a source of its own (its own socket and buffers, its own
 * connections): what two subscribers receive are different things, never equal elements, so the optional
 * multicast rules of §1.11, which compare the element sequences of several subscribers, do not apply and are
 * skipped with {@link #unicastReason()}.
 *
 * @param <T> the emitted element
 */
public abstract class UnicastPublisherVerification<T> extends PublisherVerification<T> {

    protected UnicastPublisherVerification() {
        super(TckSupport.environment(), TckSupport.GC_MILLIS);
    }

    /** Why two subscribers' elements cannot be equal. */
    protected abstract String unicastReason();

    @Override
    @Test
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingOneByOne() {
        throw new SkipException(unicastReason());
    }

    @Override
    @Test
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfront() {
        throw new SkipException(unicastReason());
    }

    @Override
    @Test
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfrontAndCompleteAsExpected() {
        throw new SkipException(unicastReason());
    }
}
