/**
 * RxJava 3 shell over reactive-uring core: every op of the catalogue as a {@code Single}, {@code Completable} or
 * {@code Flowable}, an RxJava {@code Scheduler} on the rings, files ({@code io.reactiveuring.rxjava.file}) and TCP
 * ({@code io.reactiveuring.rxjava.tcp}). Depends on core and RxJava only, never on Reactor.
 */
module io.reactiveuring.rxjava {
    requires transitive io.reactiveuring.core;
    requires transitive io.reactivex.rxjava3;

    exports io.reactiveuring.rxjava;
    exports io.reactiveuring.rxjava.file;
    exports io.reactiveuring.rxjava.tcp;
}
