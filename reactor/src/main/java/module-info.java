/** Reactor (Mono/Flux) shell over reactive-uring core: ops as Monos, files, a Scheduler on the rings, BlockHound. */
module io.reactiveuring.reactor {
    requires transitive io.reactiveuring.core;
    requires transitive reactor.core;
    requires static reactor.blockhound;

    exports io.reactiveuring.reactor;
    exports io.reactiveuring.reactor.file;
    exports io.reactiveuring.reactor.tcp;

    provides reactor.blockhound.integration.BlockHoundIntegration
            with io.reactiveuring.reactor.UringBlockHoundIntegration;
}
