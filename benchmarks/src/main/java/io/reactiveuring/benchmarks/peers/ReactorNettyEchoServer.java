package io.reactiveuring.benchmarks.peers;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/**
 * TCP echo server on Reactor Netty, the way a Reactor Netty user writes one: {@code TcpServer} whose handler sends
 * back what it receives ({@code out.send(in.receive().retain())}), on exactly one event-loop thread of the
 * transport given on the command line.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.reactiveuring.benchmarks.peers.ReactorNettyEchoServer <epoll|io_uring> <port> [ipv4-address]}. Prints
 * {@code ready ReactorNettyEchoServer transport=... channel=<bound server channel class> port=...} once it listens,
 * and the class of the first accepted connection's channel; nothing else per connection. Stops on SIGTERM.
 *
 * <p>Threading: {@code main} binds and then waits; accepting, reading and writing all run on the one event-loop
 * thread. Ownership: the server and its event-loop group are released by the JVM's shutdown hook.
 */
public final class ReactorNettyEchoServer {

    private ReactorNettyEchoServer() {
    }

    /**
     * Starts the server and blocks until the JVM stops.
     *
     * @param args {@code <epoll|io_uring> <port> [ipv4-address]}
     */
    public static void main(String[] args) {
        PeerArguments arguments = PeerArguments.parseOrExit(ReactorNettyEchoServer.class, args);
        EventLoopGroup group = arguments.transport().newEventLoopGroup("rn-echo");
        AtomicBoolean firstConnection = new AtomicBoolean(true);
        DisposableServer server = TcpServer.create()
                .host(arguments.host())
                .port(arguments.port())
                .runOn(group)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnConnection(connection -> {
                    if (firstConnection.get() && firstConnection.compareAndSet(true, false)) {
                        System.out.println("first connection channel=" + connection.channel().getClass().getName());
                    }
                })
                .handle((in, out) -> out.send(in.receive().retain()))
                .bindNow(Duration.ofSeconds(10));
        PeerLifecycle.announce("ReactorNettyEchoServer", arguments, server);
        PeerLifecycle.awaitShutdown(server, group);
    }
}
