/**
 * reactive-uring core: io_uring over FFM (binding, ring), the engine (one loop thread per ring), the op
 * catalogue, buffers, sockets, files and plain Reactive Streams publishers. Grant it native access with
 * {@code --enable-native-access=io.reactiveuring.core}.
 */
module io.reactiveuring.core {
    requires transitive org.reactivestreams;
    requires org.jctools.core;
    requires jdk.jfr;

    // The API. The FFM binding (binding) and the mapped rings (ring) are internal: nothing outside this module
    // needs them, and keeping them unexported leaves them free to change.
    exports io.reactiveuring.core;
    exports io.reactiveuring.core.buffer;
    exports io.reactiveuring.core.engine;
    exports io.reactiveuring.core.file;
    exports io.reactiveuring.core.linux;
    exports io.reactiveuring.core.net;
    exports io.reactiveuring.core.ops;
    exports io.reactiveuring.core.reactive;
    exports io.reactiveuring.core.tcp;
}
