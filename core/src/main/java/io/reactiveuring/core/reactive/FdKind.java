package io.reactiveuring.core.reactive;

/**
 * What kind of file a read or write goes to, which decides how an {@code -EAGAIN} under {@code PollRetry.USER}
 * is retried: a {@link #POLLABLE} fd (pipe, socket, eventfd, tty) waits for readiness through a {@code POLL_ADD}
 * and is re-submitted when it fires; a {@link #REGULAR_FILE} is never polled (a poll on it reports ready at once,
 * so poll-and-retry would spin): its nowait attempt is re-issued once without the flag. Immutable.
 */
public enum FdKind {
    /** A regular file: never polled. */
    REGULAR_FILE,
    /** A pipe, socket, eventfd or tty: retried on readiness. */
    POLLABLE
}
