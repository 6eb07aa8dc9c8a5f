/** Reactor (Mono/Flux) shell over reactive-uring core. */
module io.reactiveuring.reactor {
    requires transitive io.reactiveuring.core;
    requires transitive reactor.core;
    requires static reactor.blockhound;

    exports io.reactiveuring.reactor;
}
