package io.reactiveuring.samples;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.reactor.ReactorUring;
import io.reactiveuring.reactor.file.UringFiles;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.util.List;

/**
 * A {@code cat} on the ring: each file is read as a stream of 64 KiB chunks ({@code UringFiles.read}, four reads in
 * flight as demand allows) and each chunk written to stdout through the ring too (a regular file at its position, a
 * pipe or terminal as a stream; short writes continued), so no thread blocks on either side. Stops quietly when the
 * reader of a pipe goes away ({@code EPIPE}).
 *
 * <pre>
 * mvn -q -B -Pflagship -DskipTests package -Dsample.main=io.reactiveuring.samples.Cat -Dsample.args="FILE..."
 * </pre>
 */
public final class Cat {
    private static final int STDOUT = 1;

    private Cat() {
    }

    public static void main(String[] raw) {
        List<String> args = SampleArgs.of(raw);
        if (args.isEmpty()) {
            System.err.println("usage: Cat FILE...");
            System.exit(2);
        }
        ReactorUring ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("cat"));
        int status = 0;
        try {
            UringFiles files = ring.files();
            boolean regular = ring.statx(STDOUT, "", FileFlags.AT_EMPTY_PATH, FileFlags.STATX_MODE).block()
                    .isRegularFile();
            Flux.fromIterable(args)
                    .concatMap(a -> files.read(Path.of(a), 64 * 1024)
                            .concatMap(chunk -> writeAll(ring, chunk, regular).doFinally(s -> chunk.release())))
                    .then().block();
        } catch (RuntimeException e) {
            Throwable cause = reactor.core.Exceptions.unwrap(e); // block() wraps checked exceptions
            if (UringError.errnoOf(cause) != Errno.EPIPE) {
                System.err.println("cat: " + cause.getMessage());
                status = 1;
            }
        } finally {
            ring.dispose();
        }
        System.exit(status);
    }

    /** Writes every readable byte of {@code chunk} to stdout, continuing after short writes. */
    private static Mono<Void> writeAll(ReactorUring ring, UringBuffer chunk, boolean regular) {
        return Mono.defer(() -> regular ? ring.write(STDOUT, chunk, -1) : ring.writeStream(STDOUT, chunk))
                .flatMap(n -> {
                    chunk.advanceReaderIndex(n);
                    return chunk.readableBytes() == 0 ? Mono.<Void>empty() : writeAll(ring, chunk, regular);
                });
    }
}
