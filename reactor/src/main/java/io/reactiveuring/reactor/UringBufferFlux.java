package io.reactiveuring.reactor;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A {@link Flux} of {@link UringBuffer}s (a stream of received or read chunks) with the conversions Reactor Netty
 * users know from {@code ByteBufFlux}: each releases every buffer for the caller, also on error or cancel (buffers a
 * cancelled stream had queued are released as they are discarded).
 *
 * <p>Threading: as the source. Ownership: the converted publishers own and release every buffer;
 * {@code UringBufferFlux} itself passes them on (the subscriber owns each).
 */
public final class UringBufferFlux extends FluxOperator<UringBuffer, UringBuffer> {

    private UringBufferFlux(Flux<? extends UringBuffer> source) {
        super(source);
    }

    /**
     * @param source buffers
     * @return them, with the conversions
     */
    public static UringBufferFlux of(Publisher<? extends UringBuffer> source) {
        return new UringBufferFlux(Flux.from(Objects.requireNonNull(source, "source")));
    }

    @Override
    public void subscribe(CoreSubscriber<? super UringBuffer> actual) {
        source.subscribe(actual);
    }

    /** @return each buffer as UTF-8 text (a multi-byte character split across buffers is not joined: see
     * {@link #aggregate}); each buffer released */
    public Flux<String> asString() {
        return asString(StandardCharsets.UTF_8);
    }

    /** @param charset how to decode @return each buffer as text; each buffer released */
    public Flux<String> asString(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return released().map(b -> {
            try {
                return b.toString(charset);
            } finally {
                b.release();
            }
        });
    }

    /** @return each buffer's bytes as a copy; each buffer released */
    public Flux<byte[]> asByteArray() {
        return released().map(b -> {
            try {
                return b.toByteArray();
            } finally {
                b.release();
            }
        });
    }

    /** @return every byte of the stream in one array, in order; each buffer released as it is copied */
    public Mono<byte[]> aggregateBytes() {
        return released().collect(ByteArrayOutputStream::new, (out, b) -> {
            try {
                out.writeBytes(b.toByteArray());
            } finally {
                b.release();
            }
        }).map(ByteArrayOutputStream::toByteArray);
    }

    /**
     * @param charset how to decode
     * @return every byte of the stream decoded as one text (characters split across buffers are whole here)
     */
    public Mono<String> aggregateString(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return aggregateBytes().map(b -> new String(b, charset));
    }

    /**
     * @param allocator where the one buffer comes from
     * @return every byte of the stream in one new buffer (the subscriber owns it); the pieces released
     */
    public Mono<UringBuffer> aggregate(BufferAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        return aggregateBytes().map(allocator::copyOf);
    }

    /**
     * @param charset how to decode
     * @return the stream's text split at line ends ({@code \n}, with a {@code \r} before it removed); a line split
     * across buffers comes whole; the last line without a line end is emitted too
     */
    public Flux<String> lines(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return Flux.defer(() -> {
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            return released().concatMapIterable(b -> {
                java.util.List<String> lines = new java.util.ArrayList<>();
                try {
                    byte[] bytes = b.toByteArray();
                    int start = 0;
                    for (int i = 0; i < bytes.length; i++) {
                        if (bytes[i] == '\n') {
                            pending.write(bytes, start, i - start);
                            lines.add(line(pending.toByteArray(), charset));
                            pending.reset();
                            start = i + 1;
                        }
                    }
                    pending.write(bytes, start, bytes.length - start);
                } finally {
                    b.release();
                }
                return lines;
            }).concatWith(Mono.fromSupplier(() -> pending.size() == 0 ? "" : line(pending.toByteArray(), charset))
                    .filter(last -> pending.size() > 0));
        });
    }

    private static String line(byte[] bytes, Charset charset) {
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') {
            n--;
        }
        return new String(bytes, 0, n, charset);
    }

    /** The source with a discard hook that releases buffers a cancelled or failed operator dropped. */
    private Flux<UringBuffer> released() {
        return Flux.<UringBuffer>from(source).doOnDiscard(UringBuffer.class, UringBuffer::release);
    }
}
