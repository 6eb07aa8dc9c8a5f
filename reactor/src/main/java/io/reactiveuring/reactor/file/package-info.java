/**
 * Files on the ring for Reactor users: {@link io.reactiveuring.reactor.file.UringFiles} (from
 * {@code ReactorUring.files()}) opens {@link io.reactiveuring.reactor.file.UringFile}s and streams, writes and copies
 * whole files; every op is a cold {@code Mono} or {@code Flux} over core's {@code io.reactiveuring.core.file}
 * machinery (handles with counted in-flight ops, read-ahead windows of long-lived ring ops, splice copies), one line
 * each. No user thread blocks: ops the kernel cannot poll run on its own io-wq workers.
 */
package io.reactiveuring.reactor.file;
