package io.reactiveuring.http.server;

import java.util.Objects;

/**
 * One server-sent event ({@code text/event-stream}, WHATWG HTML §9.2) for {@link HttpServerResponse#sendEvents}.
 *
 * <p>Threading: immutable. Ownership: holds strings only.
 *
 * @param id    the {@code id} field, or null
 * @param event the {@code event} field (the event type), or null
 * @param data  the data; each line becomes one {@code data} line
 */
public record ServerSentEvent(String id, String event, String data) {

    /** Validates the values: id and event are one line each. */
    public ServerSentEvent {
        Objects.requireNonNull(data, "data");
        if (id != null && (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("an event id is one line: " + id);
        }
        if (event != null && (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("an event type is one line: " + event);
        }
    }

    /**
     * @param data the data
     * @return an event with data only
     */
    public static ServerSentEvent of(String data) {
        return new ServerSentEvent(null, null, data);
    }

    /** @return the event as it goes on the wire, ended by an empty line */
    String encode() {
        StringBuilder b = new StringBuilder(data.length() + 16);
        if (id != null) {
            b.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            b.append("event: ").append(event).append('\n');
        }
        int from = 0;
        while (true) {
            int nl = data.indexOf('\n', from);
            String line = nl < 0 ? data.substring(from) : data.substring(from, nl);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            b.append("data: ").append(line).append('\n');
            if (nl < 0) {
                break;
            }
            from = nl + 1;
        }
        return b.append('\n').toString();
    }
}
