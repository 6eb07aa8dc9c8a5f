package io.reactiveuring.core;

import io.reactiveuring.core.linux.Errno;

/**
 * The error for a failed kernel call, of the JDK's own type where it has one, so that a Reactor or RxJava user's
 * {@code onErrorResume(NoSuchFileException.class, ...)} or {@code IOException.class} matches:
 *
 * <table>
 *   <caption>errno to exception type</caption>
 *   <tr><th>errno</th><th>type</th></tr>
 *   <tr><td>ENOENT</td><td>{@link java.nio.file.NoSuchFileException}</td></tr>
 *   <tr><td>EEXIST</td><td>{@link java.nio.file.FileAlreadyExistsException}</td></tr>
 *   <tr><td>EACCES, EPERM</td><td>{@link java.nio.file.AccessDeniedException}</td></tr>
 *   <tr><td>ENOTDIR</td><td>{@link java.nio.file.NotDirectoryException}</td></tr>
 *   <tr><td>ENOTEMPTY</td><td>{@link java.nio.file.DirectoryNotEmptyException}</td></tr>
 *   <tr><td>EISDIR, ELOOP, ENAMETOOLONG, EROFS, EXDEV, EMLINK, ENOSPC, EDQUOT, EFBIG, ETXTBSY</td>
 *       <td>{@link java.nio.file.FileSystemException}</td></tr>
 *   <tr><td>ECONNREFUSED</td><td>{@link java.net.ConnectException}</td></tr>
 *   <tr><td>EADDRINUSE, EADDRNOTAVAIL</td><td>{@link java.net.BindException}</td></tr>
 *   <tr><td>EHOSTUNREACH, ENETUNREACH</td><td>{@link java.net.NoRouteToHostException}</td></tr>
 *   <tr><td>ETIMEDOUT</td><td>{@link java.net.SocketTimeoutException}</td></tr>
 *   <tr><td>ECONNRESET, EPIPE, ECONNABORTED, ENOTCONN</td><td>{@link java.net.SocketException}
 *       ({@link UringPrematureCloseException})</td></tr>
 *   <tr><td>ECANCELED</td><td>{@link UringCancelledException} (a cancellation)</td></tr>
 *   <tr><td>anything else</td><td>{@link UringException}</td></tr>
 * </table>
 *
 * Every one implements {@link UringError}: its errno, name and operation, and a message such as
 * {@code ENOENT (2) from OPENAT /srv/missing.txt}. Stateless; safe from any thread.
 */
public final class UringErrors {
    private UringErrors() {
    }

    /**
     * The error for {@code res} (a negative CQE result, or a positive errno) of {@code operation}.
     *
     * @param res       {@code -errno} or {@code errno}
     * @param operation what failed, with its context ({@code "OPENAT /srv/missing.txt"}, {@code "CONNECT
     *                  127.0.0.1:9 fd=27"})
     * @param file      the file it concerns, or null (for the file-system types' {@code getFile()})
     * @return the error; a {@link UringError} whatever its type
     */
    public static Exception of(int res, String operation, String file) {
        int e = Math.abs(res);
        return switch (e) {
            case Errno.ENOENT -> new UringNoSuchFileException(e, operation, file);
            case Errno.EEXIST -> new UringFileAlreadyExistsException(e, operation, file);
            case Errno.EACCES, Errno.EPERM -> new UringAccessDeniedException(e, operation, file);
            case Errno.ENOTDIR -> new UringNotDirectoryException(e, operation, file);
            case Errno.ENOTEMPTY -> new UringDirectoryNotEmptyException(e, operation, file);
            case Errno.EISDIR, Errno.ELOOP, Errno.ENAMETOOLONG, Errno.EROFS, Errno.EXDEV, Errno.EMLINK, Errno.ENOSPC,
                 Errno.EDQUOT, Errno.EFBIG, Errno.ETXTBSY -> new UringFileSystemException(e, operation, file);
            case Errno.ECONNREFUSED -> new UringConnectException(e, operation);
            case Errno.EADDRINUSE, Errno.EADDRNOTAVAIL -> new UringBindException(e, operation);
            case Errno.EHOSTUNREACH, Errno.ENETUNREACH -> new UringNoRouteToHostException(e, operation);
            case Errno.ETIMEDOUT -> new UringSocketTimeoutException(e, operation);
            case Errno.ECONNRESET, Errno.EPIPE, Errno.ECONNABORTED, Errno.ENOTCONN ->
                    new UringPrematureCloseException(e, operation);
            default -> UringException.of(e, operation);
        };
    }

    /**
     * {@link #of(int, String, String)} with no file.
     *
     * @param res       {@code -errno} or {@code errno}
     * @param operation what failed, with its context
     * @return the error
     */
    public static Exception of(int res, String operation) {
        return of(res, operation, null);
    }

    /**
     * The error of a file op, always a {@link java.nio.file.FileSystemException} naming the file (as the JDK's
     * {@code Files} methods report every failure), except the ring's end, which stays a
     * {@link UringCancelledException}: {@code /srv/x: ENOENT (2) from OPENAT}.
     *
     * @param res       {@code -errno} or {@code errno}
     * @param operation the op alone ({@code "OPENAT"}); the file is named by the exception
     * @param file      the file it concerns
     * @return the error; a {@link UringError} whatever its type
     */
    public static Exception ofFile(int res, String operation, String file) {
        int e = Math.abs(res);
        if (e == Errno.ECANCELED) {
            return new UringCancelledException(operation + " " + file, null);
        }
        Exception typed = of(e, operation, file);
        return typed instanceof java.nio.file.FileSystemException ? typed
                : new UringFileSystemException(e, operation, file);
    }

    /**
     * The error of a failed bind or listen (or the socket call before them): always a {@link java.net.BindException}
     * naming the address, as the JDK reports {@code EACCES} for a privileged port too:
     * {@code EADDRINUSE (98) from bind 127.0.0.1:8080: address already in use}.
     *
     * @param res       {@code -errno} or {@code errno}
     * @param operation the call and the address ({@code "bind 127.0.0.1:8080"})
     * @return the error; a {@link UringError}
     */
    public static java.net.BindException ofBind(int res, String operation) {
        return new UringBindException(Math.abs(res), operation);
    }

    /**
     * The error of a failed connect: an {@link java.io.IOException} of the JDK's kind for it
     * ({@link java.net.ConnectException} for a refusal and any errno without a narrower socket type,
     * {@link java.net.NoRouteToHostException}, {@link java.net.SocketTimeoutException}), or the ring's end as a
     * {@link UringCancelledException}.
     *
     * @param res       {@code -errno} or {@code errno}
     * @param operation the op and the address ({@code "CONNECT 127.0.0.1:4000"})
     * @return the error; a {@link UringError}
     */
    public static Exception ofConnect(int res, String operation) {
        int e = Math.abs(res);
        Exception typed = of(e, operation);
        return typed instanceof java.net.SocketException || typed instanceof java.net.SocketTimeoutException
                || typed instanceof UringCancelledException ? typed : new UringConnectException(e, operation);
    }

    /**
     * @param res {@code -errno} or {@code errno}
     * @return true for the errnos that mean the peer closed or reset the connection before the exchange was over
     * ({@code ECONNRESET}, {@code EPIPE}, {@code ECONNABORTED}, {@code ENOTCONN}): {@link #of} makes them a
     * {@link UringPrematureCloseException}
     */
    public static boolean isPrematureClose(int res) {
        int e = Math.abs(res);
        return e == Errno.ECONNRESET || e == Errno.EPIPE || e == Errno.ECONNABORTED || e == Errno.ENOTCONN;
    }

    /**
     * The message every one of them carries: {@code ENOENT (2) from OPENAT /srv/missing.txt}, with what it means
     * for the socket errnos whose name says little ({@code ... : connection reset by peer}).
     */
    static String reason(int errno, String operation) {
        String base = Errno.name(errno) + " (" + errno + ") from " + operation;
        String meaning = switch (errno) {
            case Errno.EADDRINUSE -> "address already in use";
            case Errno.EADDRNOTAVAIL -> "address not available on this host";
            case Errno.ECONNREFUSED -> "connection refused";
            case Errno.ECONNRESET -> "connection reset by peer";
            case Errno.EPIPE -> "broken pipe (the peer is gone)";
            case Errno.ECONNABORTED -> "connection aborted";
            case Errno.ENOTCONN -> "not connected";
            default -> null;
        };
        return meaning == null ? base : base + ": " + meaning;
    }
}
