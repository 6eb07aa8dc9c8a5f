package io.reactiveuring.core.reactive;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records every signal; counts terminal signals so that duplicates show. */
class TestSubscriber<T> implements Subscriber<T> {
    final long initialRequest;
    final List<T> values = new CopyOnWriteArrayList<>();
    final AtomicInteger terminals = new AtomicInteger();
    final CountDownLatch terminated = new CountDownLatch(1);
    volatile Subscription subscription;
    volatile Throwable error;
    volatile boolean completed;
    volatile Thread signalThread;

    TestSubscriber(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        if (initialRequest > 0) {
            s.request(initialRequest);
        }
    }

    @Override
    public void onNext(T t) {
        signalThread = Thread.currentThread();
        values.add(t);
    }

    @Override
    public void onError(Throwable t) {
        signalThread = Thread.currentThread();
        error = t;
        terminals.incrementAndGet();
        terminated.countDown();
    }

    @Override
    public void onComplete() {
        signalThread = Thread.currentThread();
        completed = true;
        terminals.incrementAndGet();
        terminated.countDown();
    }

    boolean await() throws InterruptedException {
        return terminated.await(10, TimeUnit.SECONDS);
    }
}
