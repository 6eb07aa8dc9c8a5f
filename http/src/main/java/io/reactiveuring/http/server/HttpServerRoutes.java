package io.reactiveuring.http.server;

import io.reactiveuring.http.codec.HttpMethod;
import org.reactivestreams.Publisher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Routes by method and path, as in Reactor Netty: {@code routes.get("/users/{id}", (req, res) -> ...)}; the first
 * route that matches handles the request (its path variables in {@link HttpServerRequest#param}), none answers
 * {@code 404}. A {@code GET} route answers {@code HEAD} too (the encoder sends no body for it).
 *
 * <p>Threading: configured by one thread, then only read (on the loop threads). Ownership: holds the handlers.
 */
public final class HttpServerRoutes implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {
    private record Route(HttpMethod method, PathTemplate path,
                         BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
    }

    private final List<Route> routes = new ArrayList<>();

    HttpServerRoutes() {
    }

    /**
     * A route for any method.
     *
     * @param method  the method, or null for every method
     * @param path    the path pattern ({@code /a/{b}})
     * @param handler the handler
     * @return this
     */
    public HttpServerRoutes route(HttpMethod method, String path,
                                  BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        routes.add(new Route(method, PathTemplate.of(path), Objects.requireNonNull(handler, "handler")));
        return this;
    }

    /**
     * @param path    the path pattern
     * @param handler the handler for {@code GET} (and {@code HEAD})
     * @return this
     */
    public HttpServerRoutes get(String path,
                                BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return route(HttpMethod.GET, path, handler);
    }

    /**
     * @param path    the path pattern
     * @param handler the handler for {@code POST}
     * @return this
     */
    public HttpServerRoutes post(String path,
                                 BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return route(HttpMethod.POST, path, handler);
    }

    /**
     * @param path    the path pattern
     * @param handler the handler for {@code PUT}
     * @return this
     */
    public HttpServerRoutes put(String path,
                                BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return route(HttpMethod.PUT, path, handler);
    }

    /**
     * @param path    the path pattern
     * @param handler the handler for {@code DELETE}
     * @return this
     */
    public HttpServerRoutes delete(String path,
                                   BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return route(HttpMethod.DELETE, path, handler);
    }

    /**
     * @param path    the path pattern
     * @param handler the handler for {@code HEAD} only
     * @return this
     */
    public HttpServerRoutes head(String path,
                                 BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return route(HttpMethod.HEAD, path, handler);
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        HttpMethod method = request.method();
        String path = null;
        for (int i = 0, n = routes.size(); i < n; i++) {
            Route r = routes.get(i);
            if (r.method != null && !r.method.equals(method)
                    && !(r.method.equals(HttpMethod.GET) && method.equals(HttpMethod.HEAD))) {
                continue;
            }
            if (path == null) {
                path = request.path();
            }
            Map<String, String> vars = r.path.match(path);
            if (vars != null) {
                if (!vars.isEmpty() && request instanceof HttpExchange exchange) {
                    exchange.pathVariables(vars);
                }
                return r.handler.apply(request, response);
            }
        }
        return response.sendNotFound();
    }
}
