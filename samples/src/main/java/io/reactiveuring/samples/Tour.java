package io.reactiveuring.samples;

import io.reactiveuring.core.Durations;
import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.UringCancelledException;
import io.reactiveuring.core.UringTimeoutException;
import io.reactiveuring.core.linux.FileFlags;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.engine.PollRetry;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.net.SocketAddresses;
import io.reactiveuring.reactor.NonBlockingLoopThreads;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactiveuring.http.server.DisposableHttpServer;
import io.reactiveuring.reactor.ReactorUring;
import io.reactiveuring.reactor.tcp.DisposableUringServer;
import io.reactiveuring.reactor.tcp.UringConnection;
import io.reactiveuring.reactor.tcp.UringTcpClient;
import io.reactiveuring.reactor.tcp.UringTcpServer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A tour of the library through its Reactor API, each step a real round trip through one ring: files, the
 * poll-driven retry, kernel-side timeouts, linked ops, TCP over loopback (raw ops, then a UringTcpServer talking
 * to a UringTcpClient), an HTTP server asked by the JDK's HttpClient, and what disposing a ring does to a
 * pending subscriber. Run after the feature report by the flagship command.
 */
final class Tour {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private Tour() {
    }

    static void run() throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("tour")
                .withThreadFactory(NonBlockingLoopThreads.INSTANCE));
        ReactorUring ring = ReactorUring.of(loop);
        try {
            files(ring);
            pollDrivenRetry(ring, loop);
            kernelTimeout(ring);
            tcpEcho(ring);
            tcpServerAndClient();
            httpServer();
            disposeCancelsPending(ring);
            System.out.println();
            System.out.println("Every step of the tour passed.");
        } finally {
            ring.dispose();
            ring.awaitTermination(WAIT);
        }
    }

    /** A duration as people read it ({@code 14.2 us}). */
    static String human(long nanos) {
        return Durations.human(nanos);
    }

    private static void step(String title) {
        System.out.println();
        System.out.println("-- " + title);
    }

    private static void files(ReactorUring ring) throws Exception {
        step("files: openat, write, fsync, read, statx, close — each a Mono");
        Path file = Files.createTempFile("reactive-uring-tour", ".txt");
        try {
            byte[] text = "written and read back through io_uring".getBytes(StandardCharsets.UTF_8);
            int fd = ring.open(file, FileFlags.O_RDWR, 0).block(WAIT);
            int written = ring.write(fd, text, 0).block(WAIT);
            ring.fsync(fd).block(WAIT);
            String back = ring.read(fd, 64, 0).map(Tour::drain).block(WAIT);
            long size = ring.statx(FileFlags.AT_FDCWD, file.toString(), 0, FileFlags.STATX_BASIC_STATS)
                    .block(WAIT).size();
            ring.close(fd).block(WAIT);
            System.out.printf("   wrote %d bytes, read back \"%s\", statx size %d%n", written, back, size);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void pollDrivenRetry(ReactorUring ring, UringLoop loop) throws Exception {
        step("poll-driven resubscription: a USER-mode read on an empty pipe");
        try (Pipe pipe = Pipe.open()) {
            long armed = loop.stats().pollArmedCount();
            Mono<String> read = ring.withPollRetry(PollRetry.USER).readStream(pipe.readFd(), 64).map(Tour::drain).cache();
            read.subscribe();
            ring.nop().block(WAIT); // the read went out, got -EAGAIN and armed a readiness poll
            System.out.printf("   after submit: %d readiness poll(s) armed, nothing delivered yet%n",
                    loop.stats().pollArmedCount() - armed);
            ring.writeStream(pipe.writeFd(), "data arrived later".getBytes(StandardCharsets.UTF_8)).block(WAIT);
            System.out.printf("   after the write: \"%s\" (re-submitted %d time(s) on readiness)%n",
                    read.block(WAIT), loop.stats().pollResubmittedCount());
        }
    }

    private static void kernelTimeout(ReactorUring ring) throws Exception {
        step("kernel-side timeout (LINK_TIMEOUT) on a read that never gets data");
        try (Pipe pipe = Pipe.open()) {
            ring.withTimeout(Duration.ofMillis(50)).readStream(pipe.readFd(), 16)
                    .doOnNext(UringBuffer::release)
                    .onErrorResume(UringTimeoutException.class, e -> {
                        System.out.println("   " + e.getMessage());
                        return Mono.empty();
                    })
                    .block(WAIT);
        }
    }

    private static void tcpEcho(ReactorUring ring) throws Exception {
        step("TCP over loopback: socket, bind/listen, accept, connect, send, recv, echo");
        int listen = ring.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0).block(WAIT);
        int client = -1;
        try {
            ring.bind(listen, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .then(ring.listen(listen, 16))
                    .block(WAIT);
            InetSocketAddress address = (InetSocketAddress) SocketAddresses.localAddress(listen);
            Mono<Integer> server = ring.accept(listen)
                    .flatMap(conn -> ring.recv(conn.fd(), 64)
                            .flatMap(msg -> ring.send(conn.fd(), msg).doFinally(s -> msg.release()))
                            .flatMap(sent -> ring.close(conn.fd()).thenReturn(sent)))
                    .cache();
            server.subscribe();
            client = ring.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 0).block(WAIT);
            int c = client;
            String echoed = ring.connect(c, address)
                    .then(ring.send(c, "ping through the ring".getBytes(StandardCharsets.UTF_8)))
                    .then(ring.recv(c, 64))
                    .map(Tour::drain)
                    .block(WAIT);
            server.block(WAIT);
            System.out.printf("   server at %s echoed \"%s\"%n", SocketAddresses.describe(address), echoed);
        } finally {
            if (client >= 0) {
                ring.close(client).block(WAIT);
            }
            ring.close(listen).block(WAIT);
        }
    }

    private static void tcpServerAndClient() {
        step("UringTcpServer and UringTcpClient: a Reactor Netty-shaped echo on a loop of its own");
        DisposableUringServer server = UringTcpServer.create().loops(1)
                .handle((in, out) -> out.send(in.receive().retain()))
                .bindNow(WAIT);
        try {
            UringConnection client = UringTcpClient.create().remoteAddress(server.address()).connectNow(WAIT);
            Mono<List<String>> lines = client.inbound().receive().asLines().collectList();
            client.outbound().sendString(Flux.just("one line\n", "and a sec", "ond\n")).then()
                    .doOnSuccess(v -> client.connection().shutdownOutput()) // the server's echo then ends
                    .subscribe();
            List<String> echoed = lines.block(WAIT);
            System.out.printf("   server on %s (%s); client %s received lines %s%n",
                    TcpConnection.describe(server.address()), server.server().listenerCount() + " listener",
                    TcpConnection.describe(client.address()), echoed);
            client.onDispose().block(WAIT);
        } finally {
            server.disposeNow(WAIT);
        }
        System.out.println("   server disposed: " + server.isDisposed() + ", connections open: "
                + server.activeConnections());
    }

    private static void httpServer() throws Exception {
        step("UringHttpServer: the http sample's routes on a free port, asked by the JDK's HttpClient");
        Path file = Http.staticFile();
        DisposableHttpServer server = Http.server("127.0.0.1", 0, file).loops(1).bindNow(WAIT);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (String path : List.of("/plaintext", "/json", "/hello/tour", "/static", "/missing")) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(WAIT).build();
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                String body = response.body().strip();
                System.out.printf("   GET %-11s -> %d %-24s %s%n", path, response.statusCode(),
                        response.headers().firstValue("content-type").orElse("-"),
                        body.length() > 60 ? body.substring(0, 57) + "..." : body);
            }
        } finally {
            server.disposeNow(WAIT);
            Files.deleteIfExists(file);
        }
        System.out.println("   server disposed: " + server.isDisposed() + ", connections open: "
                + server.activeConnections());
    }

    private static void disposeCancelsPending(ReactorUring ring) throws Exception {
        step("task exit: disposing the ring reaches a pending subscriber as ECANCELED");
        try (Pipe pipe = Pipe.open()) {
            Mono<UringBuffer> pending = ring.readStream(pipe.readFd(), 16).cache();
            pending.subscribe(b -> { }, e -> { });
            ring.nop().block(WAIT);
            ring.dispose();
            try {
                pending.block(WAIT);
            } catch (UringCancelledException e) {
                System.out.println("   " + e.getMessage());
            }
        }
    }

    private static String drain(UringBuffer buffer) {
        try {
            return new String(buffer.toByteArray(), StandardCharsets.UTF_8);
        } finally {
            buffer.release();
        }
    }
}
