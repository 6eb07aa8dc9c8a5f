/**
 * Files on the ring for RxJava 3 users: {@link io.reactiveuring.rxjava.file.RxFiles} (from {@code RxUring.files()})
 * opens {@link io.reactiveuring.rxjava.file.RxFile}s and streams, writes and copies whole files; every op is a cold
 * {@code Single}, {@code Completable} or {@code Flowable} over core's {@code io.reactiveuring.core.file} machinery
 * (handles with counted in-flight ops, read-ahead windows that follow demand, splice copies), one line each. No user
 * thread blocks: ops the kernel cannot poll run on its own io-wq workers.
 */
package io.reactiveuring.rxjava.file;
