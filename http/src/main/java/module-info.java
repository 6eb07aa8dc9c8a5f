/**
 * reactive-uring http: the HTTP/1.1 codec (an incremental request decoder and a response encoder over the
 * library's off-heap buffers, with no Reactor types: a server drives it from a connection's receive callback) and
 * the Reactor-shaped HTTP/1.1 server on the ring ({@code io.reactiveuring.http.server}).
 */
module io.reactiveuring.http {
    requires transitive io.reactiveuring.core;
    requires transitive io.reactiveuring.reactor;

    exports io.reactiveuring.http.codec;
    exports io.reactiveuring.http.server;
}
