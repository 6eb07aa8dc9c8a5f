/** Reactor (Mono/Flux) shell over reactive-uring core: ops as Monos, a Scheduler on the rings, BlockHound. */
module io.reactiveuring.reactor {
    requires transitive io.reactiveuring.core;
    requires transitive reactor.core;
    requires static reactor.blockhound;

    exports io.reactiveuring.reactor;

    provides reactor.blockhound.integration.BlockHoundIntegration
            with io.reactiveuring.reactor.UringBlockHoundIntegration;
}
