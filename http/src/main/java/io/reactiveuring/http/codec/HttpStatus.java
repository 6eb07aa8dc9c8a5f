package io.reactiveuring.http.codec;

import java.nio.charset.StandardCharsets;

/**
 * Status codes (RFC 9110 §15) with their reason phrases, and the encoder's precomputed status lines: for every code
 * listed here {@code HTTP/1.1 <code> <reason>\r\n} is built once, so encoding a status line is one array copy.
 *
 * <p>Threading: immutable tables, any thread. Ownership: the tables are private; nothing is handed out.
 */
public final class HttpStatus {
    /** 100 Continue. */
    public static final int CONTINUE = 100;
    /** 101 Switching Protocols. */
    public static final int SWITCHING_PROTOCOLS = 101;
    /** 200 OK. */
    public static final int OK = 200;
    /** 201 Created. */
    public static final int CREATED = 201;
    /** 202 Accepted. */
    public static final int ACCEPTED = 202;
    /** 204 No Content. */
    public static final int NO_CONTENT = 204;
    /** 206 Partial Content. */
    public static final int PARTIAL_CONTENT = 206;
    /** 301 Moved Permanently. */
    public static final int MOVED_PERMANENTLY = 301;
    /** 302 Found. */
    public static final int FOUND = 302;
    /** 303 See Other. */
    public static final int SEE_OTHER = 303;
    /** 304 Not Modified. */
    public static final int NOT_MODIFIED = 304;
    /** 307 Temporary Redirect. */
    public static final int TEMPORARY_REDIRECT = 307;
    /** 308 Permanent Redirect. */
    public static final int PERMANENT_REDIRECT = 308;
    /** 400 Bad Request. */
    public static final int BAD_REQUEST = 400;
    /** 401 Unauthorized. */
    public static final int UNAUTHORIZED = 401;
    /** 403 Forbidden. */
    public static final int FORBIDDEN = 403;
    /** 404 Not Found. */
    public static final int NOT_FOUND = 404;
    /** 405 Method Not Allowed. */
    public static final int METHOD_NOT_ALLOWED = 405;
    /** 406 Not Acceptable. */
    public static final int NOT_ACCEPTABLE = 406;
    /** 408 Request Timeout. */
    public static final int REQUEST_TIMEOUT = 408;
    /** 409 Conflict. */
    public static final int CONFLICT = 409;
    /** 410 Gone. */
    public static final int GONE = 410;
    /** 411 Length Required. */
    public static final int LENGTH_REQUIRED = 411;
    /** 412 Precondition Failed. */
    public static final int PRECONDITION_FAILED = 412;
    /** 413 Content Too Large. */
    public static final int CONTENT_TOO_LARGE = 413;
    /** 414 URI Too Long. */
    public static final int URI_TOO_LONG = 414;
    /** 415 Unsupported Media Type. */
    public static final int UNSUPPORTED_MEDIA_TYPE = 415;
    /** 416 Range Not Satisfiable. */
    public static final int RANGE_NOT_SATISFIABLE = 416;
    /** 417 Expectation Failed. */
    public static final int EXPECTATION_FAILED = 417;
    /** 421 Misdirected Request. */
    public static final int MISDIRECTED_REQUEST = 421;
    /** 422 Unprocessable Content. */
    public static final int UNPROCESSABLE_CONTENT = 422;
    /** 426 Upgrade Required. */
    public static final int UPGRADE_REQUIRED = 426;
    /** 429 Too Many Requests. */
    public static final int TOO_MANY_REQUESTS = 429;
    /** 431 Request Header Fields Too Large. */
    public static final int REQUEST_HEADER_FIELDS_TOO_LARGE = 431;
    /** 500 Internal Server Error. */
    public static final int INTERNAL_SERVER_ERROR = 500;
    /** 501 Not Implemented. */
    public static final int NOT_IMPLEMENTED = 501;
    /** 502 Bad Gateway. */
    public static final int BAD_GATEWAY = 502;
    /** 503 Service Unavailable. */
    public static final int SERVICE_UNAVAILABLE = 503;
    /** 504 Gateway Timeout. */
    public static final int GATEWAY_TIMEOUT = 504;
    /** 505 HTTP Version Not Supported. */
    public static final int HTTP_VERSION_NOT_SUPPORTED = 505;

    private static final String[] REASONS = new String[600];
    private static final byte[][] STATUS_LINES = new byte[600][];

    static {
        reason(CONTINUE, "Continue");
        reason(SWITCHING_PROTOCOLS, "Switching Protocols");
        reason(OK, "OK");
        reason(CREATED, "Created");
        reason(ACCEPTED, "Accepted");
        reason(NO_CONTENT, "No Content");
        reason(PARTIAL_CONTENT, "Partial Content");
        reason(MOVED_PERMANENTLY, "Moved Permanently");
        reason(FOUND, "Found");
        reason(SEE_OTHER, "See Other");
        reason(NOT_MODIFIED, "Not Modified");
        reason(TEMPORARY_REDIRECT, "Temporary Redirect");
        reason(PERMANENT_REDIRECT, "Permanent Redirect");
        reason(BAD_REQUEST, "Bad Request");
        reason(UNAUTHORIZED, "Unauthorized");
        reason(FORBIDDEN, "Forbidden");
        reason(NOT_FOUND, "Not Found");
        reason(METHOD_NOT_ALLOWED, "Method Not Allowed");
        reason(NOT_ACCEPTABLE, "Not Acceptable");
        reason(REQUEST_TIMEOUT, "Request Timeout");
        reason(CONFLICT, "Conflict");
        reason(GONE, "Gone");
        reason(LENGTH_REQUIRED, "Length Required");
        reason(PRECONDITION_FAILED, "Precondition Failed");
        reason(CONTENT_TOO_LARGE, "Content Too Large");
        reason(URI_TOO_LONG, "URI Too Long");
        reason(UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
        reason(RANGE_NOT_SATISFIABLE, "Range Not Satisfiable");
        reason(EXPECTATION_FAILED, "Expectation Failed");
        reason(MISDIRECTED_REQUEST, "Misdirected Request");
        reason(UNPROCESSABLE_CONTENT, "Unprocessable Content");
        reason(UPGRADE_REQUIRED, "Upgrade Required");
        reason(TOO_MANY_REQUESTS, "Too Many Requests");
        reason(REQUEST_HEADER_FIELDS_TOO_LARGE, "Request Header Fields Too Large");
        reason(INTERNAL_SERVER_ERROR, "Internal Server Error");
        reason(NOT_IMPLEMENTED, "Not Implemented");
        reason(BAD_GATEWAY, "Bad Gateway");
        reason(SERVICE_UNAVAILABLE, "Service Unavailable");
        reason(GATEWAY_TIMEOUT, "Gateway Timeout");
        reason(HTTP_VERSION_NOT_SUPPORTED, "HTTP Version Not Supported");
    }

    private HttpStatus() {
    }

    private static void reason(int code, String phrase) {
        REASONS[code] = phrase;
        STATUS_LINES[code] = ("HTTP/1.1 " + code + " " + phrase + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The reason phrase of {@code code}.
     *
     * @param code a status code
     * @return its phrase, e.g. {@code Not Found}; an empty string for a code not listed here
     */
    public static String reasonPhrase(int code) {
        String r = code >= 0 && code < REASONS.length ? REASONS[code] : null;
        return r != null ? r : "";
    }

    /**
     * Whether the encoder can produce {@code code}: three digits, 100 to 599.
     *
     * @param code a status code
     * @return true if valid in a status line
     */
    public static boolean isValid(int code) {
        return code >= 100 && code <= 599;
    }

    /** The precomputed status line of {@code code}, or null if there is none. Not to be modified. */
    static byte[] statusLine(int code) {
        return code >= 0 && code < STATUS_LINES.length ? STATUS_LINES[code] : null;
    }
}
