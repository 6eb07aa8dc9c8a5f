package io.reactiveuring.reactor;

import reactor.core.scheduler.NonBlocking;

import java.util.concurrent.ThreadFactory;

/**
 * Makes io_uring loop threads that carry Reactor's {@link NonBlocking} marker, so that {@code block()} on a loop
 * thread throws instead of stalling every operation of the ring. Stateless; safe from any thread.
 */
public final class NonBlockingLoopThreads implements ThreadFactory {
    public static final NonBlockingLoopThreads INSTANCE = new NonBlockingLoopThreads();

    private NonBlockingLoopThreads() {
    }

    /** A platform daemon thread marked {@link NonBlocking}. */
    @Override
    public Thread newThread(Runnable body) {
        Thread t = new LoopThread(body);
        t.setDaemon(true);
        return t;
    }

    /** A ring's loop thread as Reactor sees it: non-blocking. */
    static final class LoopThread extends Thread implements NonBlocking {
        LoopThread(Runnable body) {
            super(body);
        }
    }
}
