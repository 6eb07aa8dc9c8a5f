package io.reactiveuring.core.tcp;

import io.reactiveuring.core.buffer.UringBuffer;

/**
 * What a protocol implements to drive a {@link TcpConnection} from callbacks: the connection's read → handler →
 * write cycle with no {@code Publisher} and no allocation between two of its SQEs. One handler per connection, made
 * by the server's or client's handler factory; every callback runs on the connection's loop thread, one at a time.
 *
 * <p>The cycle: ask for data with {@link TcpConnection#requestRead(long)} (in {@link #onOpen}, typically
 * {@code Long.MAX_VALUE} for "keep reading", or a count), receive it in {@link #onData}, answer with
 * {@link TcpConnection#write(UringBuffer)} (everything written during one turn of the loop goes out in one
 * {@code send}/{@code sendmsg}), and stop reading for a while with {@link TcpConnection#pauseReading()} when the
 * other side does not keep up ({@link TcpConnection#isWritable()} false until {@link #onWritable}).
 *
 * <p>Threading: loop thread only, never two callbacks at once for one connection. A callback that throws closes
 * its connection (only that one) with the exception as the cause; the loop goes on. Ownership: see
 * {@link #onData}.
 */
public interface ConnectionHandler {

    /**
     * The connection is open and registered on its loop; nothing is read before demand is requested.
     *
     * @param connection the connection
     */
    default void onOpen(TcpConnection connection) {
    }

    /**
     * Received bytes (at least one), as much of the demand as one receive brought. The buffer is lent for the call
     * only: after {@code onData} returns the connection reuses or releases it, so do not release it, and do not keep
     * it, its slices or its segments. To keep the bytes, {@link UringBuffer#retain()} (for memory of the loop's
     * provided-buffer ring that is a copy) and release what it returned when done;
     * {@link TcpConnection#write(UringBuffer)} of it may send the memory in place without a copy.
     *
     * @param connection the connection
     * @param data       the bytes, readable from its reader index
     */
    void onData(TcpConnection connection, UringBuffer data);

    /**
     * The peer shut its side down (end of stream): no more {@link #onData}. By default the connection is closed
     * once what was queued has been sent ({@link TcpConnection#close()}); override to keep sending (half-close).
     *
     * @param connection the connection
     */
    default void onEnd(TcpConnection connection) {
        connection.close();
    }

    /**
     * The queue of bytes to send drained to {@link TcpOptions#writeLowWatermark()} after it had reached
     * {@link TcpOptions#writeHighWatermark()}: writing may resume.
     *
     * @param connection the connection
     */
    default void onWritable(TcpConnection connection) {
    }

    /**
     * The connection is closed: its fd is closed and every op it had in flight has completed. Called exactly once.
     *
     * @param connection the connection
     * @param cause      null for an orderly close, else why: a {@link io.reactiveuring.core.UringPrematureCloseException}, a
     *                   {@link ConnectionTimeoutException}, a {@code UringCancelledException} when the loop ended,
     *                   the exception a callback threw, ...
     */
    default void onClose(TcpConnection connection, Throwable cause) {
    }
}
