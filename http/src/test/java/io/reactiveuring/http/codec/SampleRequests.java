package io.reactiveuring.http.codec;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Real requests as common clients send them, each with the number of requests it holds. Used by the split tests,
 * as seeds of {@link HttpFuzzCorpus}, and reusable against a real server.
 */
public final class SampleRequests {
    /**
     * A named request (or several, pipelined).
     *
     * @param name     what sends it
     * @param bytes    the bytes on the wire
     * @param requests how many requests they hold
     */
    public record Sample(String name, byte[] bytes, int requests) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final String CURL = """
            GET /index.html?lang=en HTTP/1.1\r
            Host: example.com\r
            User-Agent: curl/8.5.0\r
            Accept: */*\r
            \r
            """;

    public static final String BROWSER = """
            GET /app/dashboard?tab=overview&sort=desc HTTP/1.1\r
            Host: www.example.org\r
            Connection: keep-alive\r
            Cache-Control: max-age=0\r
            sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"\r
            sec-ch-ua-mobile: ?0\r
            sec-ch-ua-platform: "Linux"\r
            Upgrade-Insecure-Requests: 1\r
            User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r
            Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r
            Sec-Fetch-Site: same-origin\r
            Sec-Fetch-Mode: navigate\r
            Sec-Fetch-User: ?1\r
            Sec-Fetch-Dest: document\r
            Referer: https://www.example.org/app/login\r
            Accept-Encoding: gzip, deflate, br, zstd\r
            Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r
            Cookie: session=4f2a9c1b7e; theme=dark; _ga=GA1.2.1234567890.1700000000\r
            X-Custom-Trace:\tabc-123 \r
            \r
            """;

    public static final String WRK = "GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\n\r\n";

    public static final String POST_JSON = """
            POST /api/orders HTTP/1.1\r
            Host: api.example.com\r
            User-Agent: okhttp/4.12.0\r
            Content-Type: application/json; charset=utf-8\r
            Content-Length: 46\r
            Accept-Encoding: gzip\r
            \r
            {"item":"book","quantity":2,"note":"gift\\r\\n"}\r
            """;

    public static final String CHUNKED_UPLOAD = """
            PUT /upload/report.csv HTTP/1.1\r
            Host: files.example.com:8443\r
            Transfer-Encoding: chunked\r
            Content-Type: text/csv\r
            Trailer: X-Checksum, X-Rows\r
            \r
            1c;name=first\r
            id,name,amount\r
            1,alpha,10\r
            \r
            000F\r
            2,beta,200\r
            3,g\r
            5 ; last="yes"\r
            amma\n\r
            0\r
            X-Checksum: 9f86d081\r
            X-Rows: 3\r
            \r
            """;

    public static final String PIPELINED_PAIR = """
            POST /form HTTP/1.1\r
            Host: localhost\r
            Content-Type: application/x-www-form-urlencoded\r
            Content-Length: 11\r
            \r
            a=1&b=2&c=3\
            GET /after-form HTTP/1.1\r
            Host: localhost\r
            Connection: close\r
            \r
            """;

    public static final String HTTP_1_0 = """
            GET /status HTTP/1.0\r
            Host: localhost\r
            User-Agent: ApacheBench/2.3\r
            Accept: */*\r
            Connection: Keep-Alive\r
            \r
            """;

    public static final String ABSOLUTE_FORM = """
            GET http://proxy.example.net:3128/resource/item?id=42 HTTP/1.1\r
            Host: proxy.example.net:3128\r
            Proxy-Connection: keep-alive\r
            User-Agent: Wget/1.21.4\r
            Accept: */*\r
            \r
            """;

    public static final String EXPECT_CONTINUE = """
            POST /large HTTP/1.1\r
            Host: localhost:9000\r
            Content-Length: 5\r
            Expect: 100-continue\r
            \r
            hello""";

    public static final String OPTIONS_ASTERISK_AFTER_EMPTY_LINES =
            "\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n";

    public static final String CONNECT = "CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n";

    public static final String HEAD = "HEAD /big.iso HTTP/1.1\r\nHost: mirror.example.com\r\nRange: bytes=0-\r\n\r\n";

    private static final List<Sample> ALL = List.of(
            sample("curl", CURL, 1),
            sample("browser (18 fields)", BROWSER, 1),
            sample("wrk", WRK, 1),
            sample("POST with Content-Length", POST_JSON, 1),
            sample("chunked upload with trailers", CHUNKED_UPLOAD, 1),
            sample("pipelined POST + GET", PIPELINED_PAIR, 2),
            sample("HTTP/1.0 keep-alive", HTTP_1_0, 1),
            sample("absolute-form", ABSOLUTE_FORM, 1),
            sample("Expect: 100-continue", EXPECT_CONTINUE, 1),
            sample("OPTIONS * after empty lines", OPTIONS_ASTERISK_AFTER_EMPTY_LINES, 1),
            sample("CONNECT", CONNECT, 1),
            sample("HEAD", HEAD, 1));

    private SampleRequests() {
    }

    /**
     * Every sample.
     *
     * @return the samples
     */
    public static List<Sample> all() {
        return ALL;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Sample sample(String name, String text, int requests) {
        return new Sample(name, bytes(text), requests);
    }
}
