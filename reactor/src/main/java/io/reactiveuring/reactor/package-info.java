/** Reactor (Mono/Flux) API over reactive-uring core. */
package io.reactiveuring.reactor;
