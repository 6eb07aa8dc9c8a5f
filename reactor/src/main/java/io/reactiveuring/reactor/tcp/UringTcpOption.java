package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.tcp.TcpOptions;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A socket or connection option for {@link UringTcpServer#option} and {@link UringTcpClient#option}, the
 * counterpart of Netty's {@code ChannelOption}: each constant sets one field of core's {@link TcpOptions}.
 *
 * <p>Threading: immutable; safe to share. Ownership: holds no resources.
 *
 * @param <T> the option's value type
 */
public final class UringTcpOption<T> {
    /** The listen backlog. */
    public static final UringTcpOption<Integer> SO_BACKLOG = of("SO_BACKLOG", TcpOptions::withBacklog);
    /** {@code SO_REUSEADDR} on listening sockets (on by default). */
    public static final UringTcpOption<Boolean> SO_REUSEADDR = of("SO_REUSEADDR", TcpOptions::withReuseAddress);
    /** {@code SO_REUSEPORT} on listening sockets. */
    public static final UringTcpOption<Boolean> SO_REUSEPORT = of("SO_REUSEPORT", TcpOptions::withReusePort);
    /** {@code TCP_NODELAY} on connections (on by default). */
    public static final UringTcpOption<Boolean> TCP_NODELAY = of("TCP_NODELAY", TcpOptions::withTcpNoDelay);
    /** {@code SO_KEEPALIVE} on connections. */
    public static final UringTcpOption<Boolean> SO_KEEPALIVE = of("SO_KEEPALIVE", TcpOptions::withKeepAlive);
    /** {@code SO_RCVBUF} in bytes. */
    public static final UringTcpOption<Integer> SO_RCVBUF = of("SO_RCVBUF", TcpOptions::withReceiveBufferSize);
    /** {@code SO_SNDBUF} in bytes. */
    public static final UringTcpOption<Integer> SO_SNDBUF = of("SO_SNDBUF", TcpOptions::withSendBufferSize);
    /** Connections a server keeps open at once (0: no limit); excess ones are accepted, closed and counted. */
    public static final UringTcpOption<Integer> MAX_CONNECTIONS = of("MAX_CONNECTIONS",
            TcpOptions::withMaxConnections);
    /** Closes a connection without receive or send for this long. */
    public static final UringTcpOption<Duration> IDLE_TIMEOUT = of("IDLE_TIMEOUT", TcpOptions::withIdleTimeout);
    /** Closes a connection that wants data and gets none for this long. */
    public static final UringTcpOption<Duration> READ_TIMEOUT = of("READ_TIMEOUT", TcpOptions::withReadTimeout);
    /** Closes a connection whose queued bytes make no progress for this long. */
    public static final UringTcpOption<Duration> WRITE_TIMEOUT = of("WRITE_TIMEOUT", TcpOptions::withWriteTimeout);
    /** How long a client's connect may take. */
    public static final UringTcpOption<Duration> CONNECT_TIMEOUT = of("CONNECT_TIMEOUT",
            TcpOptions::withConnectTimeout);
    /** Bytes queued at which a connection stops being writable (the low watermark is half of it). */
    public static final UringTcpOption<Integer> WRITE_BUFFER_HIGH_WATER_MARK = of("WRITE_BUFFER_HIGH_WATER_MARK",
            (o, high) -> o.withWriteWatermarks(Math.min(o.writeLowWatermark(), high / 2), high));
    /** The smallest single buffer sent with {@code SEND_ZC} (0: never). */
    public static final UringTcpOption<Integer> ZERO_COPY_SEND_THRESHOLD = of("ZERO_COPY_SEND_THRESHOLD",
            TcpOptions::withZeroCopySendThreshold);
    /** How a server with several loops spreads accepted connections over them. */
    public static final UringTcpOption<TcpOptions.AcceptSpread> ACCEPT_SPREAD = of("ACCEPT_SPREAD",
            TcpOptions::withAcceptSpread);

    private final String name;
    private final BiFunction<TcpOptions, T, TcpOptions> setter;

    private UringTcpOption(String name, BiFunction<TcpOptions, T, TcpOptions> setter) {
        this.name = name;
        this.setter = setter;
    }

    private static <T> UringTcpOption<T> of(String name, BiFunction<TcpOptions, T, TcpOptions> setter) {
        return new UringTcpOption<>(name, setter);
    }

    TcpOptions apply(TcpOptions options, T value) {
        return setter.apply(options, Objects.requireNonNull(value, name));
    }

    /** @return the option's name */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
