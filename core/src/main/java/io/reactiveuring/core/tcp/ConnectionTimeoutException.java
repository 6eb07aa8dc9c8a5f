package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.linux.Errno;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A connection was closed because one of its timeouts ran out ({@link TcpOptions#idleTimeout()},
 * {@link TcpOptions#readTimeout()}, {@link TcpOptions#writeTimeout()}), or a connect took longer than
 * {@link TcpOptions#connectTimeout()}. A {@link SocketTimeoutException} carrying {@code ETIMEDOUT} through
 * {@link UringError}.
 *
 * <p>Threading: immutable; safe to share between threads. Ownership: holds no resources.
 */
public final class ConnectionTimeoutException extends SocketTimeoutException implements UringError {
    private static final long serialVersionUID = 1L;

    /** Which timeout ran out. */
    public enum Kind {
        /** Neither a receive nor a send for the idle timeout. */
        IDLE,
        /** Read demand but no data for the read timeout. */
        READ,
        /** Queued bytes without progress for the write timeout. */
        WRITE,
        /** The connect did not finish in time. */
        CONNECT
    }

    private final Kind kind;
    private final Duration timeout;
    private final String operation;

    /**
     * @param kind      which timeout
     * @param timeout   its length
     * @param operation the connection, e.g. {@code TCP fd=12 127.0.0.1:4000}
     */
    public ConnectionTimeoutException(Kind kind, Duration timeout, String operation) {
        super(Objects.requireNonNull(kind, "kind").name().toLowerCase() + " timeout of " + timeout + " expired on "
                + operation);
        this.kind = kind;
        this.timeout = timeout;
        this.operation = operation;
    }

    /** @return which timeout ran out */
    public Kind kind() {
        return kind;
    }

    /** @return the timeout's length */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public int errno() {
        return Errno.ETIMEDOUT;
    }

    @Override
    public String operation() {
        return operation;
    }
}
