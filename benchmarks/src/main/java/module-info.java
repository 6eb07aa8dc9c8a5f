/** JMH benchmarks of reactive-uring; run from the shaded jar on the class path (see benchmarks/README.md). */
module io.reactiveuring.benchmarks {
    requires io.reactiveuring.core;
    requires io.reactiveuring.reactor;
    requires jmh.core;
    requires java.management;
    requires jdk.management;
}
