package io.reactiveuring.reactor.file;

import io.reactiveuring.core.Uring;
import io.reactiveuring.core.UringError;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.LoopOptions;
import io.reactiveuring.core.file.CopyOptions;
import io.reactiveuring.core.file.FileClosedException;
import io.reactiveuring.core.file.FileHandle;
import io.reactiveuring.core.file.FileOptions;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.reactor.ReactorUring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The Reactor shape of files: Monos and Fluxes over core's file machinery, with the same guarantees. */
class UringFilesTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    ReactorUring ring;
    UringFiles files;
    LeakDetector leaks;
    Path dir;
    long fdsBefore;

    @BeforeEach
    void start() throws IOException {
        if (!Uring.isAvailable()) {
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equals("false")) {
                fail("CI is set but io_uring is unavailable: " + Uring.unavailabilityCause());
            }
            Assumptions.abort("io_uring unavailable: " + Uring.unavailabilityCause());
        }
        Path shm = Path.of("/dev/shm");
        Path root = Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                : Path.of(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(root, "uring-reactor-files-");
        fdsBefore = ioFds();
        leaks = new LeakDetector();
        ring = ReactorUring.create(1, LoopOptions.defaults().withThreadName("reactor-files"),
                BufferAllocator.pooled(leaks));
        files = ring.files();
    }

    @AfterEach
    void stop() throws Exception {
        if (ring == null) {
            return;
        }
        for (FileHandle h : files.core().openHandles()) {
            h.closeFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        ring.dispose();
        assertTrue(ring.awaitTermination(TIMEOUT));
        leaks.assertNoLeaks();
        assertEquals(fdsBefore, ioFds(), "fds of files, pipes and rings back to where they were");
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Fds on the scratch directory, pipes and anonymous inodes (rings, eventfds); jars the JVM opens are not. */
    long ioFds() {
        String d = dir.toString();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "";
                }
            }).filter(t -> t.startsWith(d) || t.startsWith("pipe:") || t.startsWith("anon_inode:")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] drain(UringBuffer b) {
        try {
            return b.toByteArray();
        } finally {
            b.release();
        }
    }

    @Test
    void openReadWriteSyncStatAndCloseAsMonos() throws Exception {
        Path p = dir.resolve("f");
        byte[] content = bytes(10_000, 1);
        UringFile f = files.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE).block(TIMEOUT);
        assertNotNull(f);
        StepVerifier.create(f.write(0, content)).expectNext(10_000).verifyComplete();
        StepVerifier.create(f.fsync()).verifyComplete();
        StepVerifier.create(f.size()).expectNext(10_000L).verifyComplete();
        StepVerifier.create(f.read(100, 50).map(UringFilesTest::drain))
                .assertNext(b -> assertArrayEquals(Arrays.copyOfRange(content, 100, 150), b)).verifyComplete();
        StepVerifier.create(f.read(9_990, 50).map(UringFilesTest::drain))
                .assertNext(b -> assertEquals(10, b.length, "short at the end")).verifyComplete();
        StepVerifier.create(f.read(20_000, 50).map(UringFilesTest::drain))
                .assertNext(b -> assertEquals(0, b.length, "empty past the end")).verifyComplete();
        StepVerifier.create(f.write(10_000, ByteBuffer.wrap(new byte[] {1, 2}))).expectNext(2).verifyComplete();
        StepVerifier.create(f.truncate(5000)).verifyComplete();
        StepVerifier.create(f.stat()).assertNext(st -> {
            assertEquals(5000, st.size());
            assertTrue(st.isRegularFile());
        }).verifyComplete();
        StepVerifier.create(f.close()).verifyComplete();
        assertFalse(f.isOpen());
        StepVerifier.create(f.read(0, 1)).expectErrorSatisfies(e -> {
            assertInstanceOf(FileClosedException.class, e);
            assertTrue(e.getMessage().contains(p.toString()));
        }).verify(TIMEOUT);
        assertArrayEquals(Arrays.copyOf(content, 5000), Files.readAllBytes(p));
    }

    @Test
    void errorsNameThePathAndCarryTheErrno() {
        Path missing = dir.resolve("missing");
        StepVerifier.create(files.open(missing)).expectErrorSatisfies(e -> {
            assertInstanceOf(NoSuchFileException.class, e);
            assertEquals(Errno.ENOENT, UringError.errnoOf(e));
            assertTrue(e.getMessage().contains(missing.toString()));
        }).verify(TIMEOUT);
        StepVerifier.create(files.open(dir, StandardOpenOption.WRITE)).expectErrorSatisfies(e -> {
            assertInstanceOf(FileSystemException.class, e);
            assertEquals(21, UringError.errnoOf(e), "EISDIR");
        }).verify(TIMEOUT);
        assertThrows(IllegalArgumentException.class, () -> files.read(missing, 0));
    }

    @Test
    void theReadFluxOfAMillionLineFileMatchesReadAllLines() throws Exception {
        Path p = dir.resolve("million");
        try (Writer w = Files.newBufferedWriter(p)) {
            for (int i = 0; i < 1_000_000; i++) {
                w.write("line " + i + (i % 5 == 0 ? " – ünïcödé €" : "") + "\n");
            }
        }
        byte[] all = files.read(p, 64 * 1024).map(UringFilesTest::drain)
                .reduce(new ByteArrayOutputStream(), (out, b) -> {
                    out.writeBytes(b);
                    return out;
                }).map(ByteArrayOutputStream::toByteArray).block(TIMEOUT);
        assertArrayEquals(Files.readAllBytes(p), all);
        List<String> expected = Files.readAllLines(p);
        assertEquals(expected, new String(all, StandardCharsets.UTF_8).lines().toList());
        assertEquals(expected, files.lines(p).collectList().block(TIMEOUT));
    }

    @Test
    void linesPutTogetherACharacterSplitAtAChunkBoundary() throws Exception {
        Path p = dir.resolve("split");
        StringBuilder text = new StringBuilder();
        text.append("a".repeat(65535)).append("€\n"); // the € starts one byte before the 64 KiB boundary
        text.append("b".repeat(65534)).append("😀\r\n");
        text.append("end");
        Files.writeString(p, text);
        assertEquals(Files.readAllLines(p), files.lines(p).collectList().block(TIMEOUT));
    }

    @Test
    void takingAFewChunksCancelsTheStreamAndClosesItsFile() throws Exception {
        Path p = dir.resolve("big");
        Files.write(p, bytes(8 << 20, 3));
        StepVerifier.create(files.read(p, 64 * 1024, 8).take(3).map(UringFilesTest::drain))
                .expectNextCount(3).verifyComplete();
        for (FileHandle h : files.core().openHandles()) {
            h.closeFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(files.core().openHandles().isEmpty());
        leaks.assertNoLeaks(); // the chunks read ahead were released
    }

    @Test
    void aFluxOfBuffersIsWrittenInOrderAndSynced() throws Exception {
        Path p = dir.resolve("w");
        List<byte[]> parts = Flux.range(0, 300).map(i -> bytes(i * 37 % 9000, i)).collectList().block();
        Flux<UringBuffer> data = Flux.fromIterable(parts).map(b -> ring.allocator().copyOf(b));
        StepVerifier.create(files.write(p, data, true)).expectNext(parts.stream().mapToLong(b -> b.length).sum())
                .verifyComplete();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        parts.forEach(expected::writeBytes);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(p));
    }

    @Test
    void aCopyReportsItsProgressAndEndsWithTheTotal() throws Exception {
        Path src = dir.resolve("src");
        Files.write(src, bytes(20 << 20, 4));
        Path dst = dir.resolve("dst");
        List<Long> progress = files.copyWithProgress(src, dst, CopyOptions.defaults().withChunkSize(1 << 20))
                .collectList().block(TIMEOUT);
        assertNotNull(progress);
        assertEquals(20L << 20, progress.getLast());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1));
        }
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        StepVerifier.create(files.copy(src, dst)).expectError(java.nio.file.FileAlreadyExistsException.class)
                .verify(TIMEOUT);
        StepVerifier.create(files.copy(src, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING))
                .expectNext(20L << 20).verifyComplete();
    }

    @Test
    void withoutRegistrationTheSameBytes() throws Exception {
        UringFiles plain = ring.files(FileOptions.defaults().withRegisteredBuffers(false)
                .withRegisteredFiles(false));
        Path p = dir.resolve("p");
        byte[] content = bytes(200_000, 5);
        Files.write(p, content);
        byte[] got = plain.open(p).flatMap(f -> Flux.range(0, 50)
                        .concatMap(i -> f.read(i * 4000L, 4000).map(UringFilesTest::drain))
                        .reduce(new ByteArrayOutputStream(), (out, b) -> {
                            out.writeBytes(b);
                            return out;
                        }).map(ByteArrayOutputStream::toByteArray).flatMap(b -> f.close().thenReturn(b)))
                .block(TIMEOUT);
        assertArrayEquals(content, got);
    }

    @Test
    void theChannelOfTheJdksApiWorksOnTheRing() throws Exception {
        Path p = dir.resolve("c");
        Files.write(p, bytes(1000, 6));
        try (var ch = files.openChannel(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(2000);
            assertEquals(1000, ch.read(b, 0).get());
            assertEquals(-1, ch.read(b, 1000).get());
            assertEquals(1000, ch.size());
        }
    }
    @Test
    void readAllBytesAndReadStringAreOneLinersThatReleaseTheirReads() throws Exception {
        byte[] content = new byte[300_000]; // several chunks, the last one short
        new Random(7).nextBytes(content);
        Path binary = Files.write(dir.resolve("binary"), content);
        String text = "h\u00e9llo, w\u00f6rld \u2603\n".repeat(20_000); // multi-byte characters across chunk edges
        Path utf8 = Files.writeString(dir.resolve("text"), text);
        Path latin1 = Files.write(dir.resolve("latin1"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        long liveBefore = ring.allocator().liveBuffers();

        StepVerifier.create(ring.readAllBytes(binary))
                .assertNext(b -> assertArrayEquals(content, b)).verifyComplete();
        StepVerifier.create(ring.readString(utf8, StandardCharsets.UTF_8))
                .assertNext(s -> assertEquals(text, s)).verifyComplete();
        StepVerifier.create(files.readString(latin1, StandardCharsets.ISO_8859_1))
                .expectNext("caf\u00e9").verifyComplete();
        StepVerifier.create(files.readAllBytes(Files.write(dir.resolve("empty"), new byte[0])))
                .assertNext(b -> assertEquals(0, b.length)).verifyComplete();
        // Not UTF-8: an error as Files.readString gives it, not replacement characters.
        StepVerifier.create(files.readString(latin1))
                .expectError(java.nio.charset.CharacterCodingException.class).verify(TIMEOUT);
        StepVerifier.create(ring.readAllBytes(dir.resolve("missing")))
                .expectError(NoSuchFileException.class).verify(TIMEOUT);
        assertEquals(liveBefore, ring.allocator().liveBuffers(), "every read buffer was released");
        assertSame(files, ring.files(), "the default view is made once");
    }
}
