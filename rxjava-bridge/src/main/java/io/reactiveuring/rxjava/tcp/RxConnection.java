package io.reactiveuring.rxjava.tcp;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.tcp.ReactiveConnection;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.disposables.Disposable;
import org.reactivestreams.Publisher;

import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One connection on the ring, RxJava-shaped: what it receives as a {@link Flowable} ({@link #receive()}), sends as
 * {@link Completable}s ({@link #send}, {@link #sendString}, {@link #sendByteArray}, {@link #sendFile}), its addresses,
 * and its end ({@link #onDispose()}, {@link #dispose()}). What a server's handler and a client's
 * {@link RxTcpClient#connect()} get.
 *
 * <p>Receiving: one subscriber per connection; the subscriber's demand is the connection's read demand (no demand,
 * nothing in flight; disposing cancels a receive in flight and pauses reading, nothing received is lost). Each buffer
 * of {@link #receive()} is lent for its {@code onNext} only and released right after it; keep one with
 * {@link UringBuffer#retain()}, take {@link #receiveRetained()} for owned buffers (for operators that queue or switch
 * threads, such as {@code observeOn}), or {@link #receiveBytes()} for heap copies.
 *
 * <p>Sending: each {@code send*} is cold and runs when subscribed; sends run in the order they were subscribed and
 * follow backpressure (a source is asked for a few buffers at a time, more only while the connection is below its
 * high watermark); the Completable completes once the last byte was handed to the kernel, and fails if the source
 * fails or the connection closes first. Chain them with {@code andThen}.
 *
 * <p>Threading: safe from any thread; the connection's signals arrive on its loop thread (do not block there).
 * Ownership: the connection is its loop's; {@link #dispose()} closes it; the buffers of a sent publisher are taken
 * over (released once sent); strings and arrays are copied into the connection's buffers.
 */
public final class RxConnection implements Disposable {
    private final ReactiveConnection reactive;
    private final TcpConnection connection;
    private final Flowable<UringBuffer> receive;
    private final Completable onDispose;

    RxConnection(ReactiveConnection reactive) {
        this.reactive = reactive;
        this.connection = reactive.connection();
        this.receive = Flowable.fromPublisher(reactive.inbound());
        this.onDispose = Completable.fromPublisher(reactive.onClose()).cache();
    }

    // ------------------------------------------------------------------------------------------- receiving

    /**
     * The received bytes, lent: each buffer is released right after its {@code onNext}.
     *
     * @return the received bytes following demand, ending at the peer's end of stream (or with the connection's
     * error, e.g. a {@code UringPrematureCloseException} for a reset); one subscriber per connection
     */
    public Flowable<UringBuffer> receive() {
        return receive;
    }

    /**
     * The received bytes as owned buffers ({@link UringBuffer#retain()}: memory of the loop's provided-buffer ring
     * is copied), to keep beyond {@code onNext} or to send back.
     *
     * @return the received bytes; the subscriber releases each buffer (sending it does)
     */
    public Flowable<UringBuffer> receiveRetained() {
        return receive.map(UringBuffer::retain);
    }

    /**
     * The received bytes as heap copies.
     *
     * @return each received buffer's bytes
     */
    public Flowable<byte[]> receiveBytes() {
        return receive.map(UringBuffer::toByteArray);
    }

    // ------------------------------------------------------------------------------------------- sending

    /**
     * Sends buffers.
     *
     * @param data the buffers, each taken over
     * @return completes once all of {@code data} was handed to the kernel
     */
    public Completable send(Publisher<? extends UringBuffer> data) {
        Objects.requireNonNull(data, "data");
        return Completable.fromPublisher(reactive.send(data));
    }

    /**
     * Sends text as UTF-8.
     *
     * @param data text
     * @return completes once sent
     */
    public Completable sendString(Publisher<? extends String> data) {
        return sendString(data, StandardCharsets.UTF_8);
    }

    /**
     * Sends text.
     *
     * @param data    text
     * @param charset how to encode it
     * @return completes once sent
     */
    public Completable sendString(Publisher<? extends String> data, Charset charset) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(charset, "charset");
        BufferAllocator allocator = alloc();
        return send(Flowable.fromPublisher(data).map(s -> allocator.copyOf(s.getBytes(charset))));
    }

    /**
     * Sends byte arrays.
     *
     * @param data byte arrays (copied)
     * @return completes once sent
     */
    public Completable sendByteArray(Publisher<? extends byte[]> data) {
        Objects.requireNonNull(data, "data");
        BufferAllocator allocator = alloc();
        return send(Flowable.fromPublisher(data).map(allocator::copyOf));
    }

    /**
     * Sends a whole file through {@code splice} (no byte through the JVM).
     *
     * @param file a file
     * @return completes once sent
     */
    public Completable sendFile(Path file) {
        return sendFile(file, 0, Long.MAX_VALUE);
    }

    /**
     * Sends part of a file through {@code splice}.
     *
     * @param file     a file
     * @param position where to start
     * @param count    how many bytes ({@code Long.MAX_VALUE}: to the end)
     * @return completes once sent
     */
    public Completable sendFile(Path file, long position, long count) {
        return Completable.fromPublisher(reactive.sendFile(file, position, count));
    }

    /** Half-closes: once what is queued was sent, {@code shutdown(SHUT_WR)}; the peer then sees its end of stream. */
    public void shutdownOutput() {
        connection.shutdownOutput();
    }

    // ------------------------------------------------------------------------------------------- the connection

    /**
     * The allocator to build buffers to send with.
     *
     * @return the connection's allocator
     */
    public BufferAllocator alloc() {
        return connection.allocator();
    }

    /**
     * The core connection (callback API, counters).
     *
     * @return the core connection
     */
    public TcpConnection connection() {
        return connection;
    }

    /**
     * The peer's address.
     *
     * @return the peer's address
     */
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /**
     * This side's address.
     *
     * @return this side's address
     */
    public SocketAddress address() {
        return connection.localAddress();
    }

    /**
     * The connection's end.
     *
     * @return completes (on the loop thread) once the connection has closed, whatever the cause
     */
    public Completable onDispose() {
        return onDispose;
    }

    /**
     * Why it closed.
     *
     * @return why the connection closed, or null (open, or an orderly close)
     */
    public Throwable closeCause() {
        return connection.closeFuture().getNow(null);
    }

    /** Closes the connection in order: what was queued is still sent first. */
    @Override
    public void dispose() {
        connection.close();
    }

    /**
     * Closes the connection and waits until it has closed; not on a loop thread.
     *
     * @param timeout how long at most
     * @return true if it closed within {@code timeout}
     */
    public boolean disposeNow(Duration timeout) {
        dispose();
        return onDispose.blockingAwait(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isDisposed() {
        return !connection.isOpen();
    }

    @Override
    public String toString() {
        return "RxConnection[" + connection.describe() + "]";
    }
}
