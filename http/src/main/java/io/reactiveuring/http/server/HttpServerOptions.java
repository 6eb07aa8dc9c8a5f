package io.reactiveuring.http.server;

import io.reactiveuring.http.codec.HttpDecoderOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP settings of a {@link UringHttpServer}: the decoder's limits and the connection rules. Immutable; the
 * {@code withX} methods return copies.
 *
 * <p>Threading: immutable, safe to share. Ownership: holds no resources.
 *
 * @param decoder              the request decoder's limits (request line 414, header section 431, body 413, ...)
 * @param idleTimeout          a connection with neither a receive nor a send for this long is closed; null for none
 * @param headerTimeout        the header section of a request must arrive within this long of its first byte, else
 *                             the connection is answered {@code 408} and closed (slowloris); null for none
 * @param maxKeepAliveRequests requests served on one connection before it is closed ({@code Connection: close} on
 *                             the last), 0 for no limit
 * @param maxConnections       connections open at once, 0 for no limit; more are accepted and closed at once
 * @param maxDrainBytes        body bytes a handler did not read that are read and dropped to keep the connection;
 *                             a longer unread body closes the connection after the response
 * @param accessLog            one line per response to the {@code io.reactiveuring.http.server.AccessLog} logger
 * @param serverName           the {@code Server} field of every response, or null for none
 */
public record HttpServerOptions(HttpDecoderOptions decoder, Duration idleTimeout, Duration headerTimeout,
                                int maxKeepAliveRequests, int maxConnections, long maxDrainBytes, boolean accessLog,
                                String serverName) {

    /** Validates the values. */
    public HttpServerOptions {
        Objects.requireNonNull(decoder, "decoder");
        checkTimeout("idleTimeout", idleTimeout);
        checkTimeout("headerTimeout", headerTimeout);
        if (maxKeepAliveRequests < 0) {
            throw new IllegalArgumentException("maxKeepAliveRequests must not be negative: " + maxKeepAliveRequests);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must not be negative: " + maxConnections);
        }
        if (maxDrainBytes < 0) {
            throw new IllegalArgumentException("maxDrainBytes must not be negative: " + maxDrainBytes);
        }
    }

    private static void checkTimeout(String name, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(name + " must be positive (null for none): " + d);
        }
    }

    /**
     * The decoder's defaults, 60 s idle timeout, 20 s header timeout, no keep-alive or connection limit, 64 KiB of
     * unread body drained, no access log, no {@code Server} field.
     *
     * @return the defaults
     */
    public static HttpServerOptions defaults() {
        return new HttpServerOptions(HttpDecoderOptions.defaults(), Duration.ofSeconds(60), Duration.ofSeconds(20),
                0, 0, 64 * 1024, false, null);
    }

    /**
     * @param value the decoder's limits
     * @return a copy with them
     */
    public HttpServerOptions withDecoder(HttpDecoderOptions value) {
        return new HttpServerOptions(value, idleTimeout, headerTimeout, maxKeepAliveRequests, maxConnections,
                maxDrainBytes, accessLog, serverName);
    }

    /**
     * @param value the idle timeout, null for none
     * @return a copy with it
     */
    public HttpServerOptions withIdleTimeout(Duration value) {
        return new HttpServerOptions(decoder, value, headerTimeout, maxKeepAliveRequests, maxConnections,
                maxDrainBytes, accessLog, serverName);
    }

    /**
     * @param value the header section timeout, null for none
     * @return a copy with it
     */
    public HttpServerOptions withHeaderTimeout(Duration value) {
        return new HttpServerOptions(decoder, idleTimeout, value, maxKeepAliveRequests, maxConnections,
                maxDrainBytes, accessLog, serverName);
    }

    /**
     * @param value requests per connection, 0 for no limit
     * @return a copy with it
     */
    public HttpServerOptions withMaxKeepAliveRequests(int value) {
        return new HttpServerOptions(decoder, idleTimeout, headerTimeout, value, maxConnections, maxDrainBytes,
                accessLog, serverName);
    }

    /**
     * @param value connections at once, 0 for no limit
     * @return a copy with it
     */
    public HttpServerOptions withMaxConnections(int value) {
        return new HttpServerOptions(decoder, idleTimeout, headerTimeout, maxKeepAliveRequests, value, maxDrainBytes,
                accessLog, serverName);
    }

    /**
     * @param value unread body bytes drained to keep a connection
     * @return a copy with it
     */
    public HttpServerOptions withMaxDrainBytes(long value) {
        return new HttpServerOptions(decoder, idleTimeout, headerTimeout, maxKeepAliveRequests, maxConnections, value,
                accessLog, serverName);
    }

    /**
     * @param value true to log every response
     * @return a copy with it
     */
    public HttpServerOptions withAccessLog(boolean value) {
        return new HttpServerOptions(decoder, idleTimeout, headerTimeout, maxKeepAliveRequests, maxConnections,
                maxDrainBytes, value, serverName);
    }

    /**
     * @param value the {@code Server} field's value, null for none
     * @return a copy with it
     */
    public HttpServerOptions withServerName(String value) {
        return new HttpServerOptions(decoder, idleTimeout, headerTimeout, maxKeepAliveRequests, maxConnections,
                maxDrainBytes, accessLog, value);
    }
}
