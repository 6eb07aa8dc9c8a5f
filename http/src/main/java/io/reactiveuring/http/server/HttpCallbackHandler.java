package io.reactiveuring.http.server;

/**
 * The server's native handler: called on the connection's loop thread for each request, it answers with
 * {@link HttpServerResponse#respond} at once (or any {@code send} subscribed later), with no {@code Publisher} of its
 * own. For the fastest path; a handler that returns a {@code Publisher<Void>} is the usual one.
 *
 * <p>Threading: called on the loop thread, one request of a connection at a time; must not block. Ownership: the
 * request and response belong to the exchange; do not keep them past the response.
 */
@FunctionalInterface
public interface HttpCallbackHandler {
    /**
     * @param request  the request
     * @param response its response, to be sent (now or later)
     */
    void handle(HttpServerRequest request, HttpServerResponse response);
}
