/** Runnable samples of reactive-uring. */
module io.reactiveuring.samples {
    requires io.reactiveuring.core;
    requires io.reactiveuring.reactor;
    requires io.reactiveuring.rxjava;
    requires io.reactiveuring.http;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    // Jackson serialises the http sample's records by reflection
    opens io.reactiveuring.samples to com.fasterxml.jackson.databind;
}
