/**
 * reactive-uring core: io_uring over FFM (binding, ring), the engine (one loop thread per ring), the op
 * catalogue, buffers, sockets and plain Reactive Streams publishers. Grant it native access with
 * {@code --enable-native-access=io.reactiveuring.core}.
 */
module io.reactiveuring.core {
    requires transitive org.reactivestreams;
    requires org.jctools.core;
    requires jdk.jfr;

    exports io.reactiveuring.core;
    exports io.reactiveuring.core.binding;
    exports io.reactiveuring.core.buffer;
    exports io.reactiveuring.core.engine;
    exports io.reactiveuring.core.net;
    exports io.reactiveuring.core.ops;
    exports io.reactiveuring.core.reactive;
    exports io.reactiveuring.core.ring;
}
