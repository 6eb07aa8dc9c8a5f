package io.reactiveuring.benchmarks.peers;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.netty.DisposableServer;

/**
 * Start and stop of a Reactor Netty peer: the check of the bound transport, the ready line the benchmark scripts
 * wait for, and an orderly stop when the JVM is asked to exit (SIGTERM).
 *
 * <p>Threading: called from {@code main}; the shutdown hook runs on the JVM's hook thread. Ownership: the hook
 * disposes the server and shuts the event-loop group down.
 */
final class PeerLifecycle {

    private PeerLifecycle() {
    }

    /**
     * Verifies the bound channel's transport, then prints the ready line.
     *
     * @param peer the peer's name for the ready line
     * @param arguments the command line
     * @param server the bound server
     */
    static void announce(String peer, PeerArguments arguments, DisposableServer server) {
        Class<?> bound = server.channel().getClass();
        arguments.transport().checkServerChannel(bound);
        System.out.println("ready " + peer + " " + arguments.transport().describe() + " channel=" + bound.getName()
                + " host=" + arguments.host() + " port=" + arguments.port() + " event_loop_threads=1"
                + " java=" + Runtime.version());
        System.out.flush();
    }

    /**
     * Blocks until the server is disposed, which the shutdown hook does when the JVM is asked to exit.
     *
     * @param server the bound server
     * @param group its event-loop group
     */
    static void awaitShutdown(DisposableServer server, EventLoopGroup group) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.disposeNow(Duration.ofSeconds(5));
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }, "peer-shutdown"));
        server.onDispose().block();
    }
}
