/**
 * reactive-uring http: the HTTP/1.1 codec (an incremental request decoder and a response encoder over the
 * library's off-heap buffers). It has no Reactor types: a server drives it from a connection's receive callback.
 */
module io.reactiveuring.http {
    requires transitive io.reactiveuring.core;

    exports io.reactiveuring.http.codec;
}
