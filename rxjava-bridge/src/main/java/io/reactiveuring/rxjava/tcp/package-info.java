/**
 * TCP on the ring for RxJava 3 users: {@link io.reactiveuring.rxjava.tcp.RxTcpServer}
 * ({@code create().host(..).port(..).handle(c -> c.send(c.receiveRetained())).bind()} → a
 * {@code Single<RxDisposableServer>}), {@link io.reactiveuring.rxjava.tcp.RxDisposableServer} (address,
 * {@code onDispose()}, a graceful {@code disposeNow(Duration)}), {@link io.reactiveuring.rxjava.tcp.RxTcpClient}
 * ({@code connect()} → {@code Single<RxConnection>}), and per connection an
 * {@link io.reactiveuring.rxjava.tcp.RxConnection}: a {@code Flowable<UringBuffer>} inbound whose demand is the
 * connection's read demand, and sends as {@code Completable}s. A handler is {@code RxConnection -> Completable}: its
 * end closes the connection.
 *
 * <p>Everything is a thin shell over core's {@code io.reactiveuring.core.tcp} (its {@code ReactiveConnection}
 * publishers): the machinery, demand and backpressure live there.
 *
 * <p>Threading: a connection's handler and signals run on its loop thread. Ownership: received buffers are lent for
 * their {@code onNext} and released after it unless retained; sent buffers are taken over. Errors nobody can receive
 * (a failed handler) go to {@code RxJavaPlugins.onError}.
 */
package io.reactiveuring.rxjava.tcp;
