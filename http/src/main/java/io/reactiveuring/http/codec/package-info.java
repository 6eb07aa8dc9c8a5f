/**
 * The HTTP/1.1 codec: {@link io.reactiveuring.http.codec.HttpRequestDecoder} turns the bytes a connection receives
 * into {@link io.reactiveuring.http.codec.HttpRequestHead}s and body slices, incrementally and without copying the
 * body; {@link io.reactiveuring.http.codec.HttpResponseEncoder} writes responses into the library's off-heap
 * buffers. No Reactor types: a server drives the decoder from a connection's receive callback on the ring's loop
 * thread, one decoder and one encoder per connection (or per loop, for the encoder).
 */
package io.reactiveuring.http.codec;
