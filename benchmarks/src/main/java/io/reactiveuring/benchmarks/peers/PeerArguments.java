package io.reactiveuring.benchmarks.peers;

/**
 * The command line every Reactor Netty peer takes: {@code <epoll|io_uring> <port> [ipv4-address]}, the address
 * defaulting to {@code 127.0.0.1} (the benchmarks only ever talk over loopback).
 *
 * <p>Threading: immutable. Ownership: holds no resources.
 *
 * @param transport the Netty transport to serve on
 * @param port the TCP port to listen on
 * @param host the address to bind
 */
public record PeerArguments(NettyTransport transport, int port, String host) {

    /**
     * Parses {@code args}, or prints the usage and exits with status 2.
     *
     * @param mainClass the peer, for the usage line
     * @param args the command-line arguments
     * @return the parsed arguments
     */
    public static PeerArguments parseOrExit(Class<?> mainClass, String[] args) {
        try {
            if (args.length < 2 || args.length > 3) {
                throw new IllegalArgumentException("expected 2 or 3 arguments, got " + args.length);
            }
            int port = Integer.parseInt(args[1]);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1-65535, not " + port);
            }
            return new PeerArguments(NettyTransport.parse(args[0]), port, args.length > 2 ? args[2] : "127.0.0.1");
        } catch (IllegalArgumentException e) {
            System.err.println(mainClass.getSimpleName() + ": " + e.getMessage());
            System.err.println("usage: java -cp benchmarks.jar " + mainClass.getName()
                    + " <epoll|io_uring> <port> [ipv4-address]");
            System.exit(2);
            throw e;
        }
    }
}
