package io.reactiveuring.http.server;

import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.http.codec.HttpHeader;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The response side of one exchange. Set the status and fields, then send one body with one of the
 * {@code send} methods and return (or compose) its {@code Mono}: nothing is written before that {@code Mono} is
 * subscribed (the server subscribes to what the handler returns). A {@code Mono} body (one value) is answered with
 * {@code Content-Length}; a {@code Flux} body is streamed (chunked for HTTP/1.1, close-delimited for HTTP/1.0) with
 * demand following the connection's send queue. A handler that ends without sending answers its status with an empty
 * body; one that fails before sending answers {@code 500} and closes.
 *
 * <p>Threading: the status and fields must be set before the send, from the handler's thread or one ordered before
 * the send's subscription; the sending itself runs on the connection's loop thread whatever thread subscribes.
 * {@link #respond(MemorySegment)} is for the loop thread. Ownership: buffers given to {@link #send} become the
 * response's (released once written); byte arrays and strings are copied.
 */
public interface HttpServerResponse {

    /**
     * @param code 100 to 599
     * @return this
     * @throws IllegalArgumentException if not a status code
     */
    HttpServerResponse status(int code);

    /** @return the status set so far (200 by default) */
    int status();

    /**
     * Adds a field. {@code Content-Length} sets the body's length (the encoder writes it); the other framing fields
     * ({@code Transfer-Encoding}, {@code Connection}, {@code Date}) are the server's.
     *
     * @param name  the name
     * @param value the value
     * @return this
     * @throws IllegalArgumentException for a framing field, or a name or value that is not valid
     */
    HttpServerResponse header(CharSequence name, String value);

    /**
     * @param name  an interned name
     * @param value the value
     * @return this
     */
    HttpServerResponse header(HttpHeader name, String value);

    /**
     * Closes the connection after this response ({@code Connection: close}) when {@code false}.
     *
     * @param keepAlive false to close after the response
     * @return this
     */
    HttpServerResponse keepAlive(boolean keepAlive);

    /** @return true once the status line and fields were written */
    boolean hasSentHeaders();

    /**
     * @param body buffers, which become the response's
     * @return completes once the body was queued on the connection
     */
    Mono<Void> send(Publisher<? extends UringBuffer> body);

    /**
     * @param body strings, sent in UTF-8
     * @return completes once the body was queued
     */
    Mono<Void> sendString(Publisher<? extends CharSequence> body);

    /**
     * @param body byte arrays, copied
     * @return completes once the body was queued
     */
    Mono<Void> sendByteArray(Publisher<byte[]> body);

    /**
     * The file as the body, with its length: spliced from the file to the socket by the connection
     * ({@code splice}, no bytes through the JVM). A missing file answers {@code 404}.
     *
     * @param file a regular file
     * @return completes once the file was queued
     */
    Mono<Void> sendFile(Path file);

    /** @return sends {@code 404} with an empty body */
    Mono<Void> sendNotFound();

    /**
     * @param location where to ({@code Location})
     * @return sends {@code 302} with an empty body
     */
    Mono<Void> sendRedirect(String location);

    /**
     * Server-sent events: {@code Content-Type: text/event-stream}, {@code Cache-Control: no-cache}, each element
     * written as it comes (a {@link ServerSentEvent}, or any other object as its {@code toString()} data).
     *
     * @param events the events
     * @return completes once the stream ended and its end was queued
     */
    Mono<Void> sendEvents(Publisher<?> events);

    /**
     * The native path: writes the whole response at once (head and a copy of {@code body}, one buffer) and ends the
     * exchange, with no {@code Publisher}. Loop thread only, once per exchange.
     *
     * @param body the body (heap or native memory), copied
     * @throws IllegalStateException off the loop thread, or if the response was sent already
     */
    void respond(MemorySegment body);
}
