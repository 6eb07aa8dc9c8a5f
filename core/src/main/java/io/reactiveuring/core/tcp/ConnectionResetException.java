package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.linux.Errno;

import java.net.SocketException;

/**
 * The peer reset the connection ({@code ECONNRESET}) or is gone while data was still being sent ({@code EPIPE}): the
 * typed error a connection's inbound or outbound ends with, e.g. {@code ECONNRESET (104) from RECV fd=12: connection
 * reset by peer}. A {@link SocketException}, as the JDK reports the same condition, carrying the errno through
 * {@link UringError}.
 *
 * <p>Threading: immutable; safe to share between threads. Ownership: holds no resources.
 */
public final class ConnectionResetException extends SocketException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    /**
     * @param errno     {@code ECONNRESET} or {@code EPIPE} (either sign)
     * @param operation what failed, e.g. {@code RECV fd=12}
     */
    public ConnectionResetException(int errno, String operation) {
        super(Errno.name(errno) + " (" + Math.abs(errno) + ") from " + operation + ": "
                + (Math.abs(errno) == Errno.EPIPE ? "broken pipe (the peer is gone)" : "connection reset by peer"));
        this.errno = Math.abs(errno);
        this.operation = operation;
    }

    /**
     * @param errno an errno (either sign)
     * @return true for the errnos this type stands for: {@code ECONNRESET} and {@code EPIPE}
     */
    public static boolean isReset(int errno) {
        int e = Math.abs(errno);
        return e == Errno.ECONNRESET || e == Errno.EPIPE;
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public String operation() {
        return operation;
    }
}
