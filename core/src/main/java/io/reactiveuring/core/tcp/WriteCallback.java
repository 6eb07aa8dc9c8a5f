package io.reactiveuring.core.tcp;

/**
 * Told when everything queued on a connection before it has been sent ({@link TcpConnection#whenSent}): handed to
 * the kernel in full, or failed because the connection closed first. One callback object can be reused for any
 * number of writes (a protocol keeps one per connection), so marking a response as sent allocates nothing.
 *
 * <p>Threading: called on the connection's loop thread. Ownership: holds what its creator gives it.
 */
@FunctionalInterface
public interface WriteCallback {
    /**
     * @param connection the connection
     * @param failure    null if everything before the mark was sent; else why it was not (the connection closed)
     */
    void onSent(TcpConnection connection, Throwable failure);
}
