package io.reactiveuring.samples;

import io.reactiveuring.core.Uring;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@link RxEcho} sample end to end, as a user runs it: its {@code main} in a JVM of its own (this test's JDK and
 * class path, port 0), its ready line read from stdout, several JDK sockets echoed byte-exact at once, then SIGTERM:
 * the drain runs and the process exits with 143 after printing that it stopped.
 */
class RxEchoTest {
    private static final Pattern READY = Pattern.compile("rx-echo: listening on .* port (\\d+) ");

    @Test
    void echoesSeveralConnectionsByteExactAndDrainsOnSigterm() throws Exception {
        requireUring();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process echo = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), RxEcho.class.getName(), "0")
                .redirectErrorStream(true).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>(); // taken by the wait for the ready line
        List<String> output = new CopyOnWriteArrayList<>(); // everything
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(echo.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "rx-echo-output");
        reader.setDaemon(true);
        reader.start();
        ExecutorService peers = Executors.newFixedThreadPool(4);
        try {
            int port = awaitReadyPort(lines);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] payload = new byte[200_000 + i * 1_001];
                new Random(i).nextBytes(payload);
                done.add(peers.submit(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                        s.setSoTimeout(15_000);
                        CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                            try {
                                return s.getInputStream().readAllBytes();
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        OutputStream out = s.getOutputStream();
                        out.write(payload);
                        s.shutdownOutput();
                        assertArrayEquals(payload, echoed.get(20, TimeUnit.SECONDS));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            echo.toHandle().destroy(); // SIGTERM (Process.destroy would also close its output): the hook drains
            assertTrue(echo.waitFor(20, TimeUnit.SECONDS), "the sample ended after SIGTERM");
            assertEquals(143, echo.exitValue());
            reader.join(5_000);
            assertTrue(output.contains("rx-echo: stopped"), "the drain ran: " + output);
        } finally {
            peers.shutdownNow();
            echo.destroyForcibly();
        }
    }

    private static int awaitReadyPort(LinkedBlockingQueue<String> lines) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            seen.add(line);
            Matcher m = READY.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return fail("no ready line from the sample within 30 s: " + seen);
    }

    private static void requireUring() {
        if (Uring.isAvailable()) {
            return;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equals("false")) {
            fail("CI is set but io_uring is unavailable: " + Uring.unavailabilityCause());
        }
        Assumptions.abort("io_uring unavailable: " + Uring.unavailabilityCause());
    }
}
