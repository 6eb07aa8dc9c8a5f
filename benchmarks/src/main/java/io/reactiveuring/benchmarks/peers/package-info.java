/**
 * Servers for the side-by-side TCP echo and HTTP plaintext benchmarks ({@code benchmarks/run-echo.sh},
 * {@code run-http.sh}, {@code run-idle.sh}): Reactor Netty on its epoll and io_uring transports, each on exactly one
 * event-loop thread. Each is a {@code main} class taking {@code <transport> <port>}, printing one line that starts
 * with {@code ready} once it listens, and running until the JVM is stopped (SIGTERM).
 */
package io.reactiveuring.benchmarks.peers;
