/**
 * The HTTP/1.1 server on the ring, shaped like Reactor Netty's {@code HttpServer}:
 * {@link io.reactiveuring.http.server.UringHttpServer} binds, routes ({@link io.reactiveuring.http.server.HttpServerRoutes})
 * and hands each request to a handler as an {@link io.reactiveuring.http.server.HttpServerRequest} and an
 * {@link io.reactiveuring.http.server.HttpServerResponse}.
 *
 * <p>The per-request path runs on the connection's callbacks ({@code ConnectionHandler}): a receive is fed to the
 * connection's {@code HttpRequestDecoder}, each decoded head goes to the handler on the loop thread, and the response
 * is encoded into one off-heap buffer and queued on the connection, whose writes of one loop turn leave in one send.
 * Reactor types appear only at the handler: a handler whose answer is ready at once
 * ({@code res.sendString(Mono.just(..))}) is written without any subscription, and
 * {@link io.reactiveuring.http.server.HttpCallbackHandler} answers without a {@code Publisher} at all.
 *
 * <p>Connection rules: keep-alive for HTTP/1.1 (and HTTP/1.0 with {@code Connection: keep-alive}),
 * {@code Connection: close} honoured, pipelined requests answered in order (the decoder pauses while a request is
 * handled), a request body not read by the handler drained up to {@link HttpServerOptions#maxDrainBytes()} or the
 * connection closed, {@code Expect: 100-continue} answered when the handler subscribes to the body. The decoder's
 * limits and RFC 9112 rules answer with their status and close. Out of scope: TLS and HTTP/2.
 */
package io.reactiveuring.http.server;
