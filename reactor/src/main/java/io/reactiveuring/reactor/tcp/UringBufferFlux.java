package io.reactiveuring.reactor.tcp;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The received bytes of a connection as a {@link Flux} of {@link UringBuffer}s, with the conversions a user expects
 * ({@link #asString()}, {@link #asByteArray()}, {@link #aggregate()}, {@link #asLines()}): the counterpart of Reactor
 * Netty's {@code ByteBufFlux}. Demand is the connection's read demand: nothing is received that was not requested.
 *
 * <p>Ownership: each buffer is lent for its {@code onNext} only and released right after it; keep one with
 * {@link #retain()} (or {@link UringBuffer#retain()} in your own operator, a copy for memory of the ring) and
 * release what you kept. The conversions copy the bytes out before the release.
 *
 * <p>Threading: signals arrive on the connection's loop thread.
 */
public final class UringBufferFlux extends FluxOperator<UringBuffer, UringBuffer> {
    private final BufferAllocator allocator;

    UringBufferFlux(Publisher<UringBuffer> source, BufferAllocator allocator) {
        super(Flux.from(source));
        this.allocator = allocator;
    }

    @Override
    public void subscribe(CoreSubscriber<? super UringBuffer> actual) {
        source.subscribe(actual);
    }

    /** @return each buffer's bytes as UTF-8 text (a character split across two buffers is not reassembled) */
    public Flux<String> asString() {
        return asString(StandardCharsets.UTF_8);
    }

    /**
     * @param charset the bytes' charset
     * @return each buffer's bytes as text (a character split across two buffers is not reassembled)
     */
    public Flux<String> asString(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return source.map(b -> new String(b.toByteArray(), charset));
    }

    /** @return each buffer's bytes as a new array */
    public Flux<byte[]> asByteArray() {
        return source.map(UringBuffer::toByteArray);
    }

    /**
     * @return the buffers kept beyond their {@code onNext} ({@link UringBuffer#retain()}, a copy for ring memory):
     * release each one downstream, e.g. by sending it; one discarded on cancel is released
     */
    public UringBufferFlux retain() {
        return new UringBufferFlux(source.map(UringBuffer::retain)
                .doOnDiscard(UringBuffer.class, UringBuffer::release), allocator);
    }

    /**
     * @return every byte received until the end of stream in one buffer of the connection's allocator (the caller
     * releases it), or empty if nothing was received
     */
    public Mono<UringBuffer> aggregate() {
        return source.collect(ByteArrayOutputStream::new, (out, b) -> out.writeBytes(b.toByteArray()))
                .filter(out -> out.size() > 0)
                .map(out -> allocator.copyOf(out.toByteArray()));
    }

    /** @return every byte received until the end of stream as UTF-8 text */
    public Mono<String> aggregateAsString() {
        return source.collect(ByteArrayOutputStream::new, (out, b) -> out.writeBytes(b.toByteArray()))
                .map(out -> out.toString(StandardCharsets.UTF_8));
    }

    /** @return the text split into lines at {@code \n} (a {@code \r} before it dropped), UTF-8 */
    public Flux<String> asLines() {
        return asLines(StandardCharsets.UTF_8);
    }

    /**
     * Splits the received bytes into lines, whatever the buffer boundaries: each line without its {@code \n} (and
     * without a {@code \r} right before it); a last line without a newline is emitted at the end of stream.
     *
     * @param charset the text's charset (an ASCII-compatible one: {@code \n} is found as a byte)
     * @return the lines
     */
    public Flux<String> asLines(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return Flux.defer(() -> {
            ByteArrayOutputStream partial = new ByteArrayOutputStream();
            return source.concatMapIterable(b -> splitLines(b, partial, charset))
                    .concatWith(Mono.fromSupplier(() -> partial.size() > 0 ? line(partial, charset) : null));
        });
    }

    private static List<String> splitLines(UringBuffer b, ByteArrayOutputStream partial, Charset charset) {
        byte[] bytes = b.toByteArray();
        List<String> lines = new ArrayList<>(2);
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                partial.write(bytes, start, i - start);
                lines.add(line(partial, charset));
                start = i + 1;
            }
        }
        partial.write(bytes, start, bytes.length - start);
        return lines;
    }

    private static String line(ByteArrayOutputStream partial, Charset charset) {
        byte[] l = partial.toByteArray();
        partial.reset();
        int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
        return new String(l, 0, n, charset);
    }
}
