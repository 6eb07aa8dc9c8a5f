/**
 * Reactor (Mono/Flux) API over reactive-uring core.
 * <ul>
 *   <li>{@link io.reactiveuring.reactor.ReactorUring}: the entry point; every io_uring op as a cold {@code Mono},
 *       linked chains and multishot ops as a {@code Flux}, per-op kernel-side timeouts and retry modes as
 *       views.</li>
 *   <li>{@link io.reactiveuring.reactor.UringScheduler}: a Reactor {@code Scheduler} on the rings' loop threads,
 *       delays through the ring's own {@code IORING_OP_TIMEOUT}.</li>
 *   <li>{@link io.reactiveuring.reactor.NonBlockingLoopThreads} and
 *       {@link io.reactiveuring.reactor.UringBlockHoundIntegration}: loop threads are Reactor {@code NonBlocking}
 *       threads, and BlockHound knows them.</li>
 * </ul>
 * Implementation: one package-private operator per file, as in reactor-core: {@code MonoUringOp} (one op; its
 * subscription is core's {@code OneShotSubscription}, i.e. the op itself), {@code FluxUringLinked} (a chain over
 * core's {@code LinkedPublisher}) and {@code FluxUringMultishot} (a multishot op; its subscription is core's
 * {@code MultishotSubscription}). The catalogue's ops come from core's {@code FileCalls}, {@code NetCalls},
 * {@code ControlCalls} and {@code PollCall}, one line each.
 */
package io.reactiveuring.reactor;
