package io.reactiveuring.core.tcp;

import java.time.Duration;
import java.util.Objects;

/**
 * Socket and connection settings of a {@link TcpServer} or a {@link TcpTransport#connect client connection}:
 * listen backlog, socket options, the connection limit, the idle/read/write timeouts (kept on the ring, no scheduler
 * thread), the outbound watermarks, the zero-copy send threshold and how a server spreads accepted connections over
 * its loops. Immutable: every {@code with*} method returns a new value; safe to share between threads.
 *
 * <p>Threading: immutable, any thread. Ownership: holds no resources.
 *
 * @param backlog               the listen backlog (the kernel caps it at {@code net.core.somaxconn})
 * @param reuseAddress          {@code SO_REUSEADDR} on listening sockets (a restarted server can bind at once)
 * @param reusePort             {@code SO_REUSEPORT} on listening sockets (also set, per loop, by
 *                              {@link AcceptSpread#REUSEPORT})
 * @param tcpNoDelay            {@code TCP_NODELAY} on every connection (on by default: no Nagle delay for small
 *                              writes)
 * @param keepAlive             {@code SO_KEEPALIVE} on every connection
 * @param receiveBufferSize     {@code SO_RCVBUF} in bytes, or 0 for the system's default
 * @param sendBufferSize        {@code SO_SNDBUF} in bytes, or 0 for the system's default
 * @param maxConnections        connections a server keeps open at once, or 0 for no limit; excess connections are
 *                              accepted and closed at once, and counted ({@link TcpServer#rejectedConnections()})
 * @param idleTimeout           a connection with neither a receive nor a send for this long is closed with a
 *                              {@link ConnectionTimeoutException}; null for none
 * @param readTimeout           a connection that wants data (read demand) and receives none for this long is
 *                              closed with a {@link ConnectionTimeoutException}; null for none
 * @param writeTimeout          a connection whose queued bytes make no progress for this long is closed with a
 *                              {@link ConnectionTimeoutException}; null for none
 * @param connectTimeout        how long a client's connect may take (a kernel-side {@code LINK_TIMEOUT}); null for
 *                              none
 * @param writeHighWatermark    once this many bytes are queued, {@link TcpConnection#isWritable()} turns false
 * @param writeLowWatermark     once the queue has drained to this many bytes it turns true again, and
 *                              {@link ConnectionHandler#onWritable} runs
 * @param zeroCopySendThreshold a single queued buffer at least this large is sent with {@code SEND_ZC} (its
 *                              notification CQE releases it); 0 never uses zero copy (the default: measured slower
 *                              over loopback, see the package documentation)
 * @param acceptSpread          how a server with several loops spreads accepted connections over them
 */
public record TcpOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean tcpNoDelay,
                         boolean keepAlive, int receiveBufferSize, int sendBufferSize, int maxConnections,
                         Duration idleTimeout, Duration readTimeout, Duration writeTimeout, Duration connectTimeout,
                         int writeHighWatermark, int writeLowWatermark, int zeroCopySendThreshold,
                         AcceptSpread acceptSpread) {

    /**
     * How a server with more than one loop places the connections it accepts.
     *
     * <p>Measured on this project's 2-core VM ({@code benchmarks/.../AcceptSpreadRun}, 2 loops, 20,000 connects of
     * one client, 3 rounds): {@code REUSEPORT} accepted 13.0k–14.1k connections/s at 42–48 µs of server CPU per
     * connection, {@code HANDOFF} 12.5k–13.1k/s at 54–57 µs (the hop through {@code MSG_RING} and one loop doing
     * every accept); the first 64 connections of a fresh server landed 32/32 with {@code HANDOFF} every time, 30–34
     * per loop with {@code REUSEPORT}. {@code HANDOFF} is the default because the servers this library is built for
     * keep their connections (echo, HTTP keep-alive), where an uneven spread costs throughput on every request of the
     * busier loop while the accept is paid once; choose {@code REUSEPORT} for many short connections on many cores.
     */
    public enum AcceptSpread {
        /**
         * One listening socket and one multishot accept on one loop; each accepted socket goes round robin to a
         * loop of the server, passed to that ring with {@code MSG_RING} (the fd travels as the CQE's result). Even
         * spread whatever the peers' addresses, works for Unix domain sockets too. The default.
         */
        HANDOFF,
        /**
         * One listening socket per loop, all bound to the same address with {@code SO_REUSEPORT}, and a multishot
         * accept on each: the kernel picks the listener by a hash of the peer's address and port, so no
         * connection crosses loops, but the spread is uneven for few connections. Not for Unix domain sockets
         * (which fall back to {@link #HANDOFF}).
         */
        REUSEPORT
    }

    /** Validates the values. */
    public TcpOptions {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive: " + backlog);
        }
        if (receiveBufferSize < 0 || sendBufferSize < 0) {
            throw new IllegalArgumentException("socket buffer sizes must not be negative: " + receiveBufferSize
                    + ", " + sendBufferSize);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must not be negative: " + maxConnections);
        }
        checkTimeout("idleTimeout", idleTimeout);
        checkTimeout("readTimeout", readTimeout);
        checkTimeout("writeTimeout", writeTimeout);
        checkTimeout("connectTimeout", connectTimeout);
        if (writeLowWatermark < 0 || writeHighWatermark < 1 || writeLowWatermark > writeHighWatermark) {
            throw new IllegalArgumentException("need 0 <= writeLowWatermark <= writeHighWatermark, high >= 1: "
                    + writeLowWatermark + ", " + writeHighWatermark);
        }
        if (zeroCopySendThreshold < 0) {
            throw new IllegalArgumentException("zeroCopySendThreshold must not be negative: " + zeroCopySendThreshold);
        }
        Objects.requireNonNull(acceptSpread, "acceptSpread");
    }

    private static void checkTimeout(String name, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(name + " must be positive (null for none): " + d);
        }
    }

    /**
     * Backlog 1024, {@code SO_REUSEADDR} on, {@code TCP_NODELAY} on, no limit, no timeouts but a 30 s connect
     * timeout, watermarks 64 KiB / 32 KiB, no zero-copy sends, {@link AcceptSpread#HANDOFF}.
     *
     * @return the defaults
     */
    public static TcpOptions defaults() {
        return new TcpOptions(1024, true, false, true, false, 0, 0, 0, null, null, null, Duration.ofSeconds(30),
                64 * 1024, 32 * 1024, 0, AcceptSpread.HANDOFF);
    }

    /**
     * @param n the listen backlog
     * @return a copy with it
     */
    public TcpOptions withBacklog(int n) {
        return new TcpOptions(n, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize,
                maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param on {@code SO_REUSEADDR}
     * @return a copy with it
     */
    public TcpOptions withReuseAddress(boolean on) {
        return new TcpOptions(backlog, on, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize,
                maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param on {@code SO_REUSEPORT}
     * @return a copy with it
     */
    public TcpOptions withReusePort(boolean on) {
        return new TcpOptions(backlog, reuseAddress, on, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize,
                maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param on {@code TCP_NODELAY}
     * @return a copy with it
     */
    public TcpOptions withTcpNoDelay(boolean on) {
        return new TcpOptions(backlog, reuseAddress, reusePort, on, keepAlive, receiveBufferSize, sendBufferSize,
                maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param on {@code SO_KEEPALIVE}
     * @return a copy with it
     */
    public TcpOptions withKeepAlive(boolean on) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, on, receiveBufferSize, sendBufferSize,
                maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param bytes {@code SO_RCVBUF}, 0 for the default
     * @return a copy with it
     */
    public TcpOptions withReceiveBufferSize(int bytes) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, bytes, sendBufferSize,
                maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param bytes {@code SO_SNDBUF}, 0 for the default
     * @return a copy with it
     */
    public TcpOptions withSendBufferSize(int bytes) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, bytes,
                maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param n connections kept open at once, 0 for no limit
     * @return a copy with it
     */
    public TcpOptions withMaxConnections(int n) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, n, idleTimeout, readTimeout, writeTimeout, connectTimeout, writeHighWatermark,
                writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param timeout the idle timeout, null for none
     * @return a copy with it
     */
    public TcpOptions withIdleTimeout(Duration timeout) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, maxConnections, timeout, readTimeout, writeTimeout, connectTimeout,
                writeHighWatermark, writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param timeout the read timeout, null for none
     * @return a copy with it
     */
    public TcpOptions withReadTimeout(Duration timeout) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, maxConnections, idleTimeout, timeout, writeTimeout, connectTimeout,
                writeHighWatermark, writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param timeout the write timeout, null for none
     * @return a copy with it
     */
    public TcpOptions withWriteTimeout(Duration timeout) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, maxConnections, idleTimeout, readTimeout, timeout, connectTimeout,
                writeHighWatermark, writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param timeout the connect timeout, null for none
     * @return a copy with it
     */
    public TcpOptions withConnectTimeout(Duration timeout) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, maxConnections, idleTimeout, readTimeout, writeTimeout, timeout,
                writeHighWatermark, writeLowWatermark, zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param low  bytes queued at which writing may resume
     * @param high bytes queued at which the connection stops being writable
     * @return a copy with them
     */
    public TcpOptions withWriteWatermarks(int low, int high) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout, high, low,
                zeroCopySendThreshold, acceptSpread);
    }

    /**
     * @param bytes the smallest buffer sent with {@code SEND_ZC}, 0 for never
     * @return a copy with it
     */
    public TcpOptions withZeroCopySendThreshold(int bytes) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout,
                writeHighWatermark, writeLowWatermark, bytes, acceptSpread);
    }

    /**
     * @param spread how a server spreads connections over its loops
     * @return a copy with it
     */
    public TcpOptions withAcceptSpread(AcceptSpread spread) {
        return new TcpOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, maxConnections, idleTimeout, readTimeout, writeTimeout, connectTimeout,
                writeHighWatermark, writeLowWatermark, zeroCopySendThreshold, spread);
    }

    /** @return true if any of the idle, read or write timeouts is set */
    public boolean hasTimeouts() {
        return idleTimeout != null || readTimeout != null || writeTimeout != null;
    }
}
