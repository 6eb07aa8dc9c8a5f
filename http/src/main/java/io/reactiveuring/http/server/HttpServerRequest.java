package io.reactiveuring.http.server;

import io.reactiveuring.http.codec.HttpFields;
import io.reactiveuring.http.codec.HttpMethod;
import io.reactiveuring.http.codec.HttpRequestHead;
import io.reactiveuring.http.codec.HttpVersion;
import io.reactiveuring.reactor.UringBufferFlux;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The request side of one exchange: its decoded head, the path variables of the route that matched, the
 * connection's addresses, and its body as a flux of buffers.
 *
 * <p>Threading: the head's accessors may be called from any thread. The body ({@link #receive()}) is delivered on
 * the connection's loop thread. Ownership: the head is an immutable copy the request keeps; body buffers are lent for
 * their {@code onNext} only ({@link UringBufferFlux#lent}): {@code retain()} them to keep them.
 */
public interface HttpServerRequest {

    /** @return the decoded head (method, target, version, fields) */
    HttpRequestHead head();

    /** @return the method */
    default HttpMethod method() {
        return head().method();
    }

    /** @return the request target as sent ({@code /users/7?x=1}) */
    default String uri() {
        return head().target();
    }

    /** @return the target's path ({@code /users/7}) */
    default String path() {
        return head().path();
    }

    /** @return the target's query without {@code ?}, or null */
    default String query() {
        return head().query();
    }

    /** @return the query's parameters, percent-decoded, in order of appearance (empty without a query) */
    Map<String, List<String>> queryParams();

    /**
     * @param name a query parameter's name
     * @return its first value, or null
     */
    default String queryParam(String name) {
        List<String> values = queryParams().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * @param name a path variable of the matched route ({@code id} for {@code /users/{id}})
     * @return its value, or null
     */
    String param(String name);

    /** @return every path variable of the matched route (empty for none) */
    Map<String, String> params();

    /** @return the header fields */
    default HttpFields headers() {
        return head();
    }

    /**
     * @param name a field name (case-insensitive)
     * @return the first value, or null
     */
    default String header(CharSequence name) {
        return head().get(name);
    }

    /** @return the protocol version */
    default HttpVersion version() {
        return head().version();
    }

    /** @return whether the client keeps the connection after this exchange */
    default boolean isKeepAlive() {
        return head().keepAlive();
    }

    /** @return the client's address */
    SocketAddress remoteAddress();

    /** @return the address the request arrived at */
    SocketAddress localAddress();

    /**
     * The body ({@code Content-Length} or chunked, de-chunked), flow-controlled by demand: while the subscriber has
     * no demand the connection stops reading. One subscriber only; subscribing on a request that expects
     * {@code 100-continue} sends the {@code 100 Continue}. Empty for a request without body.
     *
     * @return the body's buffers, lent for each {@code onNext}
     */
    UringBufferFlux receive();
}
