package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.linux.Errno;

import java.net.ConnectException;
import java.net.SocketAddress;

/**
 * A client's connect failed, e.g. {@code ECONNREFUSED (111) from CONNECT 127.0.0.1:4000}: a {@link ConnectException}
 * that names the address and carries the errno through {@link UringError}.
 *
 * <p>Threading: immutable; safe to share between threads. Ownership: holds no resources.
 */
public final class ConnectFailedException extends ConnectException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    /**
     * @param errno   the errno (either sign)
     * @param address where the connect went
     */
    public ConnectFailedException(int errno, SocketAddress address) {
        super(Errno.name(errno) + " (" + Math.abs(errno) + ") from CONNECT " + TcpConnection.describe(address));
        this.errno = Math.abs(errno);
        this.operation = "CONNECT " + TcpConnection.describe(address);
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
