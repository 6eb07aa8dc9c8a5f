package io.reactiveuring.core.tcp;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.linux.Errno;

import java.net.BindException;
import java.net.SocketAddress;

/**
 * A server could not bind or listen on its address, e.g. {@code EADDRINUSE (98) from bind 127.0.0.1:8080: address
 * already in use}: a {@link BindException} that names the address and carries the errno through {@link UringError}.
 *
 * <p>Threading: immutable; safe to share between threads. Ownership: holds no resources.
 */
public final class BindFailedException extends BindException implements UringError {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;
    private final transient SocketAddress address;

    /**
     * @param errno   the errno (either sign)
     * @param call    the call that failed: {@code bind} or {@code listen}
     * @param address the address
     */
    public BindFailedException(int errno, String call, SocketAddress address) {
        super(Errno.name(errno) + " (" + Math.abs(errno) + ") from " + call + " " + TcpConnection.describe(address)
                + (Math.abs(errno) == Errno.EADDRINUSE ? ": address already in use" : ""));
        this.errno = Math.abs(errno);
        this.operation = call + " " + TcpConnection.describe(address);
        this.address = address;
    }

    /** @return the address that could not be bound (null after deserialisation) */
    public SocketAddress address() {
        return address;
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
