/** RxJava 3 shell over reactive-uring core. */
module io.reactiveuring.rxjava {
    requires transitive io.reactiveuring.core;
    requires transitive io.reactivex.rxjava3;

    exports io.reactiveuring.rxjava;
}
