/** Runnable samples of reactive-uring. */
module io.reactiveuring.samples {
    requires io.reactiveuring.core;
    requires io.reactiveuring.reactor;
    requires io.reactiveuring.rxjava;
}
