/**
 * The HTTP/1.1 codec: {@link io.reactiveuring.http.codec.HttpRequestDecoder} turns the bytes a connection receives
 * into {@link io.reactiveuring.http.codec.HttpRequestHead}s and body slices, incrementally and without copying the
 * body; {@link io.reactiveuring.http.codec.HttpResponseEncoder} writes responses into the library's off-heap
 * buffers. No Reactor types: a server drives the decoder from a connection's receive callback on the ring's loop
 * thread, one decoder per connection and one encoder per connection or per loop.
 *
 * <p>How a server drives it:
 * <pre>{@code
 * // per connection
 * HttpRequestDecoder decoder = new HttpRequestDecoder(HttpDecoderOptions.defaults(), new HttpDecoderListener() {
 *     public void onRequest(HttpRequestHead head) { decoder.pause(); startHandler(head); }
 *     public void onBody(MemorySegment bytes) { copyOrRetain(bytes); }         // valid during the call only
 *     public void onRequestEnd(HttpFields trailers) { bodyComplete(trailers); }
 *     public void onError(HttpDecodeException e) { send(encoder.encodeError(e)); close(); }
 * });
 * // in the receive callback, on the loop thread
 * void onReceive(UringBuffer received) { decoder.feed(received); received.release(); }
 * // when the response was written (and the connection stays open: response.persistent())
 * void onResponseWritten() { decoder.resume(); }
 * }</pre>
 *
 * <p>Threading: every type is either immutable or confined to one thread at a time, as its own Javadoc says.
 * Ownership: the decoder never keeps fed memory; the encoder's buffers belong to the caller.
 */
package io.reactiveuring.http.codec;
