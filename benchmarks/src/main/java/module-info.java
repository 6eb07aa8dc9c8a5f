/**
 * JMH benchmarks of reactive-uring and the peers of the side-by-side harness; run from the shaded jar on the class
 * path (see benchmarks/README.md).
 */
module io.reactiveuring.benchmarks {
    requires io.reactiveuring.core;
    requires io.reactiveuring.reactor;
    requires io.reactiveuring.http;
    requires jmh.core;
    requires java.management;
    requires reactor.netty.core;
    requires reactor.netty.http;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires jdk.management;
}
