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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Flux} of {@link UringBuffer}s (read chunks, or the bytes a connection received) with the conversions
 * Reactor Netty users know from {@code ByteBufFlux}: {@link #asString()}, {@link #asByteArray()},
 * {@link #aggregate()}, {@link #asLines()}, {@link #retain()}.
 *
 * <p>Ownership comes in two kinds, fixed by the factory:
 * <ul>
 *   <li>{@link #of owned}: each buffer belongs to whoever receives it (a {@code readStream}'s chunks). The
 *       conversions release every buffer for the caller, also on error or cancel (buffers a cancelled stream had
 *       queued are released as they are discarded).</li>
 *   <li>{@link #lent lent}: each buffer is lent for its {@code onNext} only and released by the source right after
 *       it (a connection's inbound, as in Reactor Netty). The conversions copy the bytes out during {@code onNext};
 *       {@link #retain()} keeps buffers beyond it, as owned ones.</li>
 * </ul>
 * Subscribing to this flux itself passes the buffers on under the same rule.
 *
 * <p>Threading: signals arrive on the source's thread (for ring sources, a loop thread). Immutable; the conversions
 * may be assembled from any thread.
 */
public final class UringBufferFlux extends FluxOperator<UringBuffer, UringBuffer> {
    private final boolean owned;
    private final BufferAllocator allocator;

    private UringBufferFlux(Flux<? extends UringBuffer> source, boolean owned, BufferAllocator allocator) {
        super(source);
        this.owned = owned;
        this.allocator = allocator;
    }

    /**
     * @param source buffers that belong to their receiver
     * @return them, with the conversions; {@link #aggregate()} copies into a buffer of a pooled allocator of its own
     */
    public static UringBufferFlux of(Publisher<? extends UringBuffer> source) {
        return new UringBufferFlux(Flux.from(Objects.requireNonNull(source, "source")), true, null);
    }

    /**
     * @param source    buffers lent for their {@code onNext} only, released by the source after it
     * @param allocator where {@link #retain()} (for memory that cannot be shared) and {@link #aggregate()} copy to
     * @return them, with the conversions
     */
    public static UringBufferFlux lent(Publisher<? extends UringBuffer> source, BufferAllocator allocator) {
        return new UringBufferFlux(Flux.from(Objects.requireNonNull(source, "source")), false,
                Objects.requireNonNull(allocator, "allocator"));
    }

    @Override
    public void subscribe(CoreSubscriber<? super UringBuffer> actual) {
        source.subscribe(actual);
    }

    /** @return true if the buffers belong to their receiver, false if they are lent for {@code onNext} only */
    public boolean ownsBuffers() {
        return owned;
    }

    /**
     * @return the buffers as owned ones, kept beyond their {@code onNext} ({@link UringBuffer#retain()}, or a copy
     * for memory of a provided-buffer ring): release each one downstream, e.g. by sending it; one discarded on cancel
     * is released. An owned flux is returned as it is.
     */
    public UringBufferFlux retain() {
        if (owned) {
            return this;
        }
        return new UringBufferFlux(source.map(UringBuffer::retain)
                .doOnDiscard(UringBuffer.class, UringBuffer::release), true, allocator);
    }

    /**
     * @return each buffer's bytes as UTF-8 text (a multi-byte character split across buffers is not joined: see
     * {@link #aggregateAsString()} and {@link #asLines()}); each buffer released
     */
    public Flux<String> asString() {
        return asString(StandardCharsets.UTF_8);
    }

    /**
     * @param charset how to decode
     * @return each buffer as text; each buffer released
     */
    public Flux<String> asString(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return consumed().map(b -> {
            try {
                return b.toString(charset);
            } finally {
                done(b);
            }
        });
    }

    /** @return each buffer's bytes as a new array; each buffer released */
    public Flux<byte[]> asByteArray() {
        return consumed().map(b -> {
            try {
                return b.toByteArray();
            } finally {
                done(b);
            }
        });
    }

    /** @return every byte until the end of stream in one array, in order (empty array for none) */
    public Mono<byte[]> aggregateBytes() {
        return consumed().collect(ByteArrayOutputStream::new, (out, b) -> {
            try {
                out.writeBytes(b.toByteArray());
            } finally {
                done(b);
            }
        }).map(ByteArrayOutputStream::toByteArray);
    }

    /**
     * @return every byte until the end of stream in one new buffer (the caller releases it), or empty if there was
     * none; from the allocator given to {@link #lent}, or a pooled one for an {@link #of owned} flux
     */
    public Mono<UringBuffer> aggregate() {
        return aggregate(allocator != null ? allocator : DefaultAllocator.INSTANCE);
    }

    /**
     * @param into where the one buffer comes from
     * @return every byte until the end of stream in one new buffer (the caller releases it), or empty if there was
     * none
     */
    public Mono<UringBuffer> aggregate(BufferAllocator into) {
        Objects.requireNonNull(into, "into");
        return aggregateBytes().filter(b -> b.length > 0).map(into::copyOf);
    }

    /** @return every byte until the end of stream decoded as one UTF-8 text (characters split across buffers whole) */
    public Mono<String> aggregateAsString() {
        return aggregateAsString(StandardCharsets.UTF_8);
    }

    /**
     * @param charset how to decode
     * @return every byte until the end of stream decoded as one text (characters split across buffers are whole)
     */
    public Mono<String> aggregateAsString(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return aggregateBytes().map(b -> new String(b, charset));
    }

    /** @return the UTF-8 text split into lines, as {@link #asLines(Charset)} */
    public Flux<String> asLines() {
        return asLines(StandardCharsets.UTF_8);
    }

    /**
     * Splits the bytes into lines, whatever the buffer boundaries: each line without its {@code \n} (and without a
     * {@code \r} right before it); a last line without a line end is emitted at the end of stream.
     *
     * @param charset the text's charset (an ASCII-compatible one: {@code \n} is found as a byte)
     * @return the lines; each buffer released
     */
    public Flux<String> asLines(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return Flux.defer(() -> {
            ByteArrayOutputStream partial = new ByteArrayOutputStream();
            return consumed().concatMapIterable(b -> {
                try {
                    return splitLines(b, partial, charset);
                } finally {
                    done(b);
                }
            }).concatWith(Mono.fromSupplier(() -> partial.size() > 0 ? line(partial, charset) : null));
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

    /** The source for a conversion: owned buffers an operator drops (cancel, error) are released. */
    private Flux<UringBuffer> consumed() {
        Flux<UringBuffer> s = Flux.from(source);
        return owned ? s.doOnDiscard(UringBuffer.class, UringBuffer::release) : s;
    }

    /** A conversion is done with {@code b}: release an owned one; a lent one goes back with its onNext. */
    private void done(UringBuffer b) {
        if (owned) {
            b.release();
        }
    }

    /** A pooled allocator for {@link #aggregate()} of owned fluxes, made on first use and shared. */
    private static final class DefaultAllocator {
        static final BufferAllocator INSTANCE = BufferAllocator.pooled();
    }
}
