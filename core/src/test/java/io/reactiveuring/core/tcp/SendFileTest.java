package io.reactiveuring.core.tcp;

import io.reactiveuring.core.buffer.UringBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Files sent through splice (file → pipe → socket), in order with the writes around them. */
class SendFileTest extends TcpTestBase {
    private Path file;

    @AfterEach
    void deleteFile() throws Exception {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    private static ConnectionHandler sendOnOpen(java.util.function.Consumer<TcpConnection> send) {
        return new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection c) {
                send.accept(c);
                c.close(); // in order: after everything queued was sent
            }

            @Override
            public void onData(TcpConnection c, UringBuffer data) {
            }
        };
    }

    @Test
    void sixtyFourMegabyteFileArrivesByteExact() throws Exception {
        int size = 64 << 20;
        file = Files.createTempFile("uring-sendfile", ".bin");
        byte[] content = pattern(size, 5);
        Files.write(file, content);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> sendOnOpen(conn -> {
            conn.write("head|".getBytes());
            conn.sendFile(file, 0, Long.MAX_VALUE);
            conn.write("|tail".getBytes());
        }));
        Collector cl = new Collector();
        connect(s.address(), cl);
        byte[] got = cl.awaitBytes(size + 10);
        cl.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(size + 10, got.length);
        assertArrayEquals("head|".getBytes(), java.util.Arrays.copyOfRange(got, 0, 5));
        assertArrayEquals(sha256(content), sha256(java.util.Arrays.copyOfRange(got, 5, 5 + size)));
        assertArrayEquals("|tail".getBytes(), java.util.Arrays.copyOfRange(got, size + 5, size + 10));
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aRangeOfAFileIsSent() throws Exception {
        file = Files.createTempFile("uring-sendfile", ".bin");
        byte[] content = pattern(300_000, 6);
        Files.write(file, content);
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> sendOnOpen(conn ->
                conn.sendFile(file, 1000, 200_000)));
        Collector cl = new Collector();
        connect(s.address(), cl);
        cl.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertArrayEquals(java.util.Arrays.copyOfRange(content, 1000, 201_000), cl.bytes());
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aMissingFileClosesTheConnectionWithTheError() throws Exception {
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        Path missing = Path.of("/nonexistent-dir-" + System.nanoTime(), "file");
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection conn) {
                conn.sendFile(missing, 0, Long.MAX_VALUE);
            }

            @Override
            public void onData(TcpConnection conn, UringBuffer data) {
            }

            @Override
            public void onClose(TcpConnection conn, Throwable why) {
                cause.complete(why);
            }
        });
        Collector cl = new Collector();
        connect(s.address(), cl);
        Throwable why = cause.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(io.reactiveuring.core.linux.Errno.ENOENT, io.reactiveuring.core.UringError.errnoOf(why), why.toString());
        cl.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void whenSentTellsOnceTheFileWasSent() throws Exception {
        file = Files.createTempFile("uring-sendfile", ".bin");
        Files.write(file, pattern(100_000, 7));
        CompletableFuture<Throwable> sent = new CompletableFuture<>();
        TcpServer s = bind(LOOPBACK, TcpOptions.defaults(), c -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection conn) {
                conn.sendFile(file, 0, Long.MAX_VALUE);
                conn.whenSent((x, failure) -> sent.complete(failure));
            }

            @Override
            public void onData(TcpConnection conn, UringBuffer data) {
            }
        });
        Collector cl = new Collector();
        TcpConnection c = connect(s.address(), cl);
        assertNull(sent.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        cl.awaitBytes(100_000);
        c.close();
        s.dispose();
        s.onDispose().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
