package io.reactiveuring.reactor.tcp;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The sending half of a {@link UringConnection}: a chain of sends that is itself a {@code Publisher<Void>}, like
 * Reactor Netty's {@code NettyOutbound}. Each {@code send*} returns a new outbound that first runs this one's chain,
 * then the new send; subscribing runs the chain and completes once the last byte was handed to the kernel. Return it
 * (or something built on it) from the handler: its end closes the connection.
 *
 * <p>Sends follow backpressure: a source is asked for a few buffers at a time, and for more only while the connection
 * is below its high watermark ({@link UringTcpOption#WRITE_BUFFER_HIGH_WATER_MARK}).
 *
 * <p>Threading: immutable; subscribe from any thread; signals arrive on the loop thread. Ownership: the buffers of a
 * sent publisher are taken over (released once sent); strings and arrays are copied into the connection's buffers.
 */
public final class UringOutbound implements Publisher<Void> {
    private final UringConnection connection;
    private final Mono<Void> chain;

    UringOutbound(UringConnection connection, Mono<Void> chain) {
        this.connection = connection;
        this.chain = chain;
    }

    /**
     * @param data the buffers, each taken over
     * @return this chain, then sending {@code data}
     */
    public UringOutbound send(Publisher<? extends UringBuffer> data) {
        Objects.requireNonNull(data, "data");
        return then(connection.reactive().send(data));
    }

    /**
     * @param data text, sent as UTF-8
     * @return this chain, then sending {@code data}
     */
    public UringOutbound sendString(Publisher<? extends String> data) {
        return sendString(data, StandardCharsets.UTF_8);
    }

    /**
     * @param data    text
     * @param charset how to encode it
     * @return this chain, then sending {@code data}
     */
    public UringOutbound sendString(Publisher<? extends String> data, Charset charset) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(charset, "charset");
        BufferAllocator allocator = connection.allocator();
        return send(Flux.from(data).map(s -> allocator.copyOf(s.getBytes(charset))));
    }

    /**
     * @param data byte arrays (copied)
     * @return this chain, then sending {@code data}
     */
    public UringOutbound sendByteArray(Publisher<? extends byte[]> data) {
        Objects.requireNonNull(data, "data");
        BufferAllocator allocator = connection.allocator();
        return send(Flux.from(data).map(allocator::copyOf));
    }

    /**
     * @param file a file, sent whole through {@code splice} (no bytes through the JVM)
     * @return this chain, then sending {@code file}
     */
    public UringOutbound sendFile(Path file) {
        return sendFile(file, 0, Long.MAX_VALUE);
    }

    /**
     * @param file     a file
     * @param position where to start
     * @param count    how many bytes ({@code Long.MAX_VALUE}: to the end)
     * @return this chain, then sending that part of {@code file}
     */
    public UringOutbound sendFile(Path file, long position, long count) {
        return then(connection.reactive().sendFile(file, position, count));
    }

    /**
     * @param other what to run after this chain (typically another send)
     * @return this chain, then {@code other}
     */
    public UringOutbound then(Publisher<Void> other) {
        Objects.requireNonNull(other, "other");
        Mono<Void> next = Mono.from(other);
        return new UringOutbound(connection, chain == null ? next : chain.then(next));
    }

    /** @return the chain as a {@link Mono} */
    public Mono<Void> then() {
        return chain == null ? Mono.empty() : chain;
    }

    /** @return the allocator to build buffers to send with */
    public BufferAllocator alloc() {
        return connection.allocator();
    }

    /** @return the connection this is the outbound of */
    public UringConnection connection() {
        return connection;
    }

    @Override
    public void subscribe(Subscriber<? super Void> s) {
        then().subscribe(s);
    }
}
