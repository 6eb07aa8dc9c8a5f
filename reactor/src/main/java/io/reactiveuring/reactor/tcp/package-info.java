/**
 * TCP on the ring with the shape Reactor Netty users know: {@link io.reactiveuring.reactor.tcp.UringTcpServer}
 * ({@code create().host(..).port(..).option(..).handle((in, out) -> ...).bindNow()}),
 * {@link io.reactiveuring.reactor.tcp.DisposableUringServer} (address, {@code onDispose()}, a graceful
 * {@code disposeNow(Duration)}), {@link io.reactiveuring.reactor.tcp.UringTcpClient} ({@code connect()} →
 * {@code Mono<UringConnection>}), and per connection an inbound ({@code receive()} →
 * {@link io.reactiveuring.reactor.UringBufferFlux}) and a chained outbound
 * ({@link io.reactiveuring.reactor.tcp.UringOutbound}). Options are {@link io.reactiveuring.reactor.tcp.UringTcpOption}s.
 *
 * <p>Everything is a thin shell over core's {@code io.reactiveuring.core.tcp} (its
 * {@code ReactiveConnection} publishers): the machinery, demand and backpressure live there.
 *
 * <p>Threading: a connection's handler and signals run on its loop thread, a Reactor {@code NonBlocking} thread.
 * Ownership: received buffers are released after {@code onNext} unless retained; sent buffers are taken over.
 */
package io.reactiveuring.reactor.tcp;
