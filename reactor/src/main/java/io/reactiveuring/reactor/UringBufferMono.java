package io.reactiveuring.reactor;

import io.reactiveuring.core.buffer.UringBuffer;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link Mono} of one {@link UringBuffer} with the conversions Reactor Netty users know from {@code ByteBufMono}:
 * each takes the bytes out and releases the buffer for the caller, also when the conversion fails, so
 * {@code ring.read(fd, 4096, 0)} becomes a {@code String} in one step:
 * <pre>{@code
 * Mono<String> text = UringBufferMono.of(ring.read(fd, 4096, 0)).asString();
 * }</pre>
 *
 * <p>Threading: as the source; the conversion runs where the buffer is delivered (the loop thread for a ring op).
 * Ownership: the converted Monos own and release every buffer; {@code UringBufferMono} itself passes the buffer on
 * (the subscriber owns it then).
 */
public final class UringBufferMono extends MonoOperator<UringBuffer, UringBuffer> {

    private UringBufferMono(Mono<? extends UringBuffer> source) {
        super(source);
    }

    /**
     * @param source a Mono of one buffer (e.g. a ring read)
     * @return it, with the conversions
     */
    public static UringBufferMono of(Publisher<? extends UringBuffer> source) {
        return new UringBufferMono(Mono.from(Objects.requireNonNull(source, "source")));
    }

    @Override
    public void subscribe(CoreSubscriber<? super UringBuffer> actual) {
        source.subscribe(actual);
    }

    /** @return the readable bytes as UTF-8 text; the buffer is released */
    public Mono<String> asString() {
        return asString(StandardCharsets.UTF_8);
    }

    /** @param charset how to decode @return the readable bytes as text; the buffer is released */
    public Mono<String> asString(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return releasing(b -> b.toString(charset));
    }

    /** @return a copy of the readable bytes; the buffer is released */
    public Mono<byte[]> asByteArray() {
        return releasing(UringBuffer::toByteArray);
    }

    /** @return a heap {@link ByteBuffer} with a copy of the readable bytes; the buffer is released */
    public Mono<ByteBuffer> asByteBuffer() {
        return releasing(b -> ByteBuffer.wrap(b.toByteArray()));
    }

    /**
     * @param convert what to make of the buffer (it must not keep the buffer)
     * @param <R>     the result
     * @return the result; the buffer is released after {@code convert}, whatever it did
     */
    public <R> Mono<R> releasing(Function<? super UringBuffer, ? extends R> convert) {
        Objects.requireNonNull(convert, "convert");
        return source.map(b -> {
            try {
                return convert.apply(b);
            } finally {
                b.release();
            }
        });
    }
}
