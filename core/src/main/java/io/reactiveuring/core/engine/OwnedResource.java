package io.reactiveuring.core.engine;

/**
 * Memory (or another resource) the kernel may use while an operation is in flight. The engine calls
 * {@link #release()} exactly once, on the loop thread, after the operation's final completion has been delivered;
 * never earlier, whatever the submitter did meanwhile (cancel included). If the ring dies before the final
 * completion arrives, the resource is quarantined instead: never released, and counted in
 * {@link UringLoop#quarantinedOperations()}; the engine calls {@link #keep()} in place of {@code release()} then, so
 * bookkeeping that waits for the op's end (a connection counting its ops in flight, a connect waiting for its
 * sockaddr) still ends.
 */
@FunctionalInterface
public interface OwnedResource {
    /** The kernel is done with the memory: free or recycle it. */
    void release();

    /**
     * The loop ended before the kernel answered (the op was quarantined): the kernel may still read or write the
     * memory, so it must never be freed or reused; only end the bookkeeping that waited for the op. Called at most
     * once, on the loop thread, instead of {@link #release()}. The default does nothing.
     */
    default void keep() {
    }
}
