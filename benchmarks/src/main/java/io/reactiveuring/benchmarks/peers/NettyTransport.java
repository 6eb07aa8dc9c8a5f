package io.reactiveuring.benchmarks.peers;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The native Netty transport a Reactor Netty peer runs on, chosen explicitly.
 *
 * <p>Reactor Netty 1.3.6 picks its default native transport once, in {@code DefaultLoopNativeDetector}: io_uring
 * when {@code io.netty.channel.uring.IoUring} is on the class path and available, else epoll (then kqueue, then
 * NIO); the system property {@code reactor.netty.native=false} only turns native transports off, and there is no
 * property to prefer epoll over io_uring. With both transports on the class path, as here, the default would
 * always be io_uring. So the peers do not rely on the default: they build their own one-thread
 * {@link MultiThreadIoEventLoopGroup} with the transport's {@code IoHandler} and hand it to Reactor Netty with
 * {@code runOn(EventLoopGroup)}, from which Reactor Netty derives the matching channel classes
 * ({@code DefaultLoopNativeDetector.getInstance(group)} asks each transport whether it supports the group).
 * {@link #checkServerChannel} then verifies the channel class that is really bound.
 *
 * <p>Threading: the enum constants are immutable; {@link #newEventLoopGroup} may be called from any thread.
 * Ownership: the caller owns the returned group and shuts it down.
 */
public enum NettyTransport {
    /** Netty's epoll transport ({@code netty-transport-native-epoll}). */
    EPOLL("epoll", EpollServerSocketChannel.class, EpollIoHandler::newFactory),
    /** Netty's io_uring transport ({@code netty-transport-native-io_uring}, Netty 4.2). */
    IO_URING("io_uring", IoUringServerSocketChannel.class, IoUringIoHandler::newFactory);

    private final String argument;
    private final Class<? extends ServerChannel> serverChannel;
    private final Supplier<IoHandlerFactory> ioHandlerFactory;

    NettyTransport(String argument, Class<? extends ServerChannel> serverChannel,
            Supplier<IoHandlerFactory> ioHandlerFactory) {
        this.argument = argument;
        this.serverChannel = serverChannel;
        this.ioHandlerFactory = ioHandlerFactory;
    }

    /**
     * Parses a command-line argument.
     *
     * @param argument {@code epoll} or {@code io_uring} (also {@code iouring}, {@code io-uring})
     * @return the transport
     * @throws IllegalArgumentException for anything else
     */
    public static NettyTransport parse(String argument) {
        return switch (argument.toLowerCase(Locale.ROOT)) {
            case "epoll" -> EPOLL;
            case "io_uring", "iouring", "io-uring" -> IO_URING;
            default -> throw new IllegalArgumentException(
                    "transport must be epoll or io_uring, not '" + argument + "'");
        };
    }

    /**
     * Fails with the transport's own reason when its native library cannot be used on this machine.
     *
     * @throws UnsatisfiedLinkError (or another {@link Error}) from Netty's {@code ensureAvailability}
     */
    public void ensureAvailable() {
        if (this == EPOLL) {
            Epoll.ensureAvailability();
        } else {
            IoUring.ensureAvailability();
        }
    }

    /**
     * A group of exactly one event-loop thread (non-daemon, named {@code <name>-<transport>}) that accepts and
     * serves every connection.
     *
     * @param name the thread name prefix
     * @return the new group
     */
    public EventLoopGroup newEventLoopGroup(String name) {
        ensureAvailable();
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name + "-" + argument, false),
                ioHandlerFactory.get());
    }

    /**
     * Checks that the channel Reactor Netty bound is this transport's server channel.
     *
     * @param bound the bound server channel's class
     * @throws IllegalStateException if it belongs to another transport
     */
    public void checkServerChannel(Class<?> bound) {
        if (!serverChannel.isAssignableFrom(bound)) {
            throw new IllegalStateException("asked for " + argument + " but Reactor Netty bound " + bound.getName());
        }
    }

    /**
     * What the ready line reports about the transport: its name and, for io_uring, Netty's feature string.
     *
     * @return a {@code key=value} fragment
     */
    public String describe() {
        String features = this == IO_URING ? " io_uring_features=[" + IoUring.featureString() + "]" : "";
        return "transport=" + argument + " netty_unsafe=" + PlatformDependent.hasUnsafe() + features;
    }

    /**
     * The command-line spelling.
     *
     * @return {@code epoll} or {@code io_uring}
     */
    public String argument() {
        return argument;
    }
}
