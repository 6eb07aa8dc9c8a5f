package io.reactiveuring.core.engine;

/**
 * Memory (or another resource) the kernel may use while an operation is in flight. The engine calls
 * {@link #release()} exactly once, on the loop thread, after the operation's final completion has been delivered;
 * never earlier, whatever the submitter did meanwhile (cancel included). If the ring dies before the final
 * completion arrives, the resource is quarantined instead: never released, and counted in
 * {@link UringLoop#quarantinedOperations()}.
 */
@FunctionalInterface
public interface OwnedResource {
    void release();
}
