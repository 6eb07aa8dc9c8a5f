package io.reactiveuring.core.file;

import io.reactiveuring.core.buffer.UringBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** Chunk streams with a read-ahead window that follows demand, and the lines decoded from them. */
class ChunkStreamTest extends FileTestBase {
    static final String MIXED = "plain ascii\n" + "zwei Bytes: äöü ß\r\n" + "drei: € ✓ 漢字\r" + "\n"
            + "vier: 😀 🎉 𝄞\n" + "\r\n" + "\r" + "Ende ohne Zeilenende: ΩΩΩ 😀";

    private Path millionLines() throws IOException {
        Path p = dir.resolve("million.txt");
        try (Writer w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 1_000_000; i++) {
                w.write("line ");
                w.write(Integer.toString(i));
                w.write(i % 7 == 0 ? " ÄÖÜ €\n" : " abc\n");
            }
        }
        return p;
    }

    @Test
    void theReadStreamOfAMillionLineFileIsTheFileAndItsLinesAreReadAllLines() throws Exception {
        Path p = millionLines();
        List<UringBuffer> chunks = collect(files.read(p, 64 * 1024));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (UringBuffer b : chunks) {
            all.write(b.toByteArray());
            b.release();
        }
        byte[] expected = Files.readAllBytes(p);
        assertArrayEquals(expected, all.toByteArray());
        assertEquals((expected.length + 65535) / 65536, chunks.size());
        assertEquals(Files.readAllLines(p, StandardCharsets.UTF_8),
                new String(all.toByteArray(), StandardCharsets.UTF_8).lines().toList());
        assertEquals(Files.readAllLines(p, StandardCharsets.UTF_8), collect(files.lines(p, StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 5, 7, 13, 4096, 65536})
    void linesPutTogetherCharactersSplitAcrossChunks(int chunk) throws Exception {
        for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE)) {
            Path p = dir.resolve("mixed-" + cs.name());
            Files.writeString(p, MIXED.repeat(3), cs);
            FileHandle h = open(p);
            List<String> lines = collect(new LinesPublisher(h.chunks(0, chunk, 3), cs, 3));
            assertEquals(Files.readAllLines(p, cs), lines, cs + ", chunk " + chunk);
            await(h.close());
        }
    }

    @Test
    void linesOfEdgeCasesMatchReadAllLines() throws Exception {
        for (String text : List.of("", "\n", "\n\n", "a", "a\n", "a\r\nb", "a\r\rb\n\r\n", "\r", "x\r\n")) {
            Path p = dir.resolve("edge");
            Files.writeString(p, text);
            assertEquals(Files.readAllLines(p), collect(files.lines(p, StandardCharsets.UTF_8)),
                    "text " + text.replace("\r", "\\r").replace("\n", "\\n"));
        }
    }

    @Test
    void malformedInputIsAnErrorAsInReadAllLines() throws Exception {
        Path p = fileOf("bad", new byte[] {'o', 'k', '\n', (byte) 0xC3, '(', '\n'});
        assertThrows(MalformedInputException.class, () -> Files.readAllLines(p));
        assertInstanceOf(MalformedInputException.class, awaitError(toSingle(files.lines(p, StandardCharsets.UTF_8))));
        Path cut = fileOf("cut", new byte[] {'o', 'k', '\n', (byte) 0xE2, (byte) 0x82});
        assertThrows(MalformedInputException.class, () -> Files.readAllLines(cut));
        assertInstanceOf(MalformedInputException.class,
                awaitError(toSingle(files.lines(cut, StandardCharsets.UTF_8))));
    }

    /** The stream as a publisher that fails or completes (its items are dropped). */
    private static <T> org.reactivestreams.Publisher<T> toSingle(org.reactivestreams.Publisher<T> p) {
        return s -> p.subscribe(new Subscriber<T>() {
            @Override
            public void onSubscribe(Subscription sub) {
                s.onSubscribe(sub);
            }

            @Override
            public void onNext(T t) {
            }

            @Override
            public void onError(Throwable t) {
                s.onError(t);
            }

            @Override
            public void onComplete() {
                s.onComplete();
            }
        });
    }

    /**
     * A stream reads ahead past the end of the file (its window does not know where the end is): by the time its
     * terminal signal arrives, those reads have ended, every buffer it did not deliver is released and the file it
     * opened is closed, seen from inside {@code onComplete}/{@code onError}, where a user checks it.
     */
    @ParameterizedTest(name = "{0} bytes in chunks of 4096")
    @ValueSource(ints = {0, 100, 4096, 4096 * 10, 4096 * 10 + 1, 4096 * 37 + 5})
    void atItsTerminalSignalAStreamHasNoReadInFlightNoUndeliveredBufferAndNoOpenFile(int size) throws Exception {
        Path p = fileOf("ahead-" + size, pattern(size, size));
        long fdsIdle = io.reactiveuring.core.UringTestSupport.openFds();
        long liveIdle = allocator.liveBuffers();
        CompletableFuture<long[]> atEnd = new CompletableFuture<>();
        AtomicLong bytes = new AtomicLong();
        files.read(p, 4096, 8).subscribe(new Subscriber<UringBuffer>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(UringBuffer b) {
                bytes.addAndGet(b.readableBytes());
                b.release();
            }

            @Override
            public void onError(Throwable t) {
                atEnd.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                atEnd.complete(new long[] {allocator.liveBuffers(), io.reactiveuring.core.UringTestSupport.openFds(),
                        loop.inFlight()});
            }
        });
        long[] seen = atEnd.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(size, bytes.get(), "bytes delivered");
        assertEquals(liveIdle, seen[0], "live buffers at onComplete");
        assertEquals(fdsIdle, seen[1], "open fds at onComplete");
        assertEquals(0, seen[2], "ops in flight at onComplete");
    }

    /**
     * A stream over a missing file fails at its open: the open's own memory (the path) is back in the allocator when
     * the error arrives, and a handle closed with {@code DELETE_ON_CLOSE} has given back its unlink's path when its
     * close future completes.
     */
    @Test
    void theMemoryOfAnOpenAndOfAnUnlinkIsReleasedBeforeTheirOutcomeIsSignalled() throws Exception {
        long liveIdle = allocator.liveBuffers();
        CompletableFuture<Long> atError = new CompletableFuture<>();
        files.read(dir.resolve("missing"), 4096).subscribe(new Subscriber<UringBuffer>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(UringBuffer b) {
                b.release();
                atError.completeExceptionally(new AssertionError("a missing file had bytes"));
            }

            @Override
            public void onError(Throwable t) {
                atError.complete(t instanceof java.nio.file.NoSuchFileException ? allocator.liveBuffers() : -1L);
            }

            @Override
            public void onComplete() {
                atError.completeExceptionally(new AssertionError("a missing file completed"));
            }
        });
        assertEquals(liveIdle, atError.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "live buffers at the NoSuchFileException (-1: another error)");

        Path doomed = fileOf("doomed", pattern(10, 1));
        FileHandle h = open(doomed, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.DELETE_ON_CLOSE);
        long liveAtClose = h.close().thenApply(ignored -> allocator.liveBuffers())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertFalse(Files.exists(doomed), "deleted on close");
        assertEquals(liveIdle, liveAtClose, "live buffers when the close (with its unlink) completed");
    }

    /** The same for a stream that fails: its error comes after the reads in flight, with nothing left live. */
    @Test
    void atItsErrorAStreamOverAClosedHandleHasNoUndeliveredBufferLive() throws Exception {
        Path p = fileOf("closing", pattern(4096 * 64, 3));
        FileHandle h = open(p);
        long liveIdle = allocator.liveBuffers();
        CompletableFuture<Long> atError = new CompletableFuture<>();
        h.chunks(0, 4096, 8).subscribe(new Subscriber<UringBuffer>() {
            private boolean closed;

            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(UringBuffer b) {
                b.release();
                if (!closed) {
                    closed = true;
                    h.close(); // the next read is refused: the stream fails with reads of its window in flight
                }
            }

            @Override
            public void onError(Throwable t) {
                atError.complete(allocator.liveBuffers());
            }

            @Override
            public void onComplete() {
                atError.completeExceptionally(new AssertionError("completed over a closed handle"));
            }
        });
        assertEquals(liveIdle, atError.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "live buffers at onError");
        await(h.closeFuture());
    }

    @Test
    void emptySmallAndExactMultipleFiles() throws Exception {
        assertTrue(collect(files.read(fileOf("empty", new byte[0]), 4096)).isEmpty());
        for (int size : new int[] {1, 4095, 4096, 8192, 8193}) {
            byte[] content = pattern(size, size);
            List<UringBuffer> chunks = collect(files.read(fileOf("f" + size, content), 4096));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (UringBuffer b : chunks) {
                assertTrue(b.readableBytes() > 0, "no empty chunk");
                all.write(b.toByteArray());
                b.release();
            }
            assertArrayEquals(content, all.toByteArray(), "size " + size);
        }
    }

    @Test
    void readsInFlightFollowDemand() throws Exception {
        byte[] content = pattern(40 * 4096, 3);
        FileHandle h = open(fileOf("d", content));
        int window = 4;
        long base = loop.submittedOperations();
        AtomicInteger received = new AtomicInteger();
        AtomicLong maxInFlight = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        h.chunks(0, 4096, window).subscribe(new Subscriber<>() {
            Subscription s;

            @Override
            public void onSubscribe(Subscription s) {
                this.s = s;
                s.request(1);
            }

            @Override
            public void onNext(UringBuffer b) {
                int n = received.incrementAndGet();
                got.writeBytes(b.toByteArray());
                b.release();
                maxInFlight.accumulateAndGet(loop.inFlight(), Math::max);
                if (n <= 10) {
                    // one at a time: exactly one read per chunk asked for, none ahead of demand
                    if (loop.submittedOperations() - base != n) {
                        done.completeExceptionally(new AssertionError("chunk " + n + ": "
                                + (loop.submittedOperations() - base) + " reads issued"));
                    }
                    s.request(n == 10 ? Long.MAX_VALUE : 1);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertArrayEquals(content, got.toByteArray());
        assertTrue(maxInFlight.get() <= window, "at most the window in flight: " + maxInFlight.get());
        await(h.close());
    }

    @Test
    void cancelInTheMiddleLeavesNoReadInFlightAndNoFdOpen() throws Exception {
        Path p = fileOf("big", pattern(16 << 20, 4));
        CompletableFuture<Subscription> third = new CompletableFuture<>();
        AtomicInteger after = new AtomicInteger();
        files.read(p, 64 * 1024, 8).subscribe(new Subscriber<>() {
            int n;
            Subscription s;

            @Override
            public void onSubscribe(Subscription s) {
                this.s = s;
                s.request(100);
            }

            @Override
            public void onNext(UringBuffer b) {
                b.release();
                if (third.isDone()) {
                    after.incrementAndGet();
                } else if (++n == 3) {
                    s.cancel();
                    third.complete(s);
                }
            }

            @Override
            public void onError(Throwable t) {
                third.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                third.completeExceptionally(new AssertionError("completed although cancelled"));
            }
        });
        third.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<FileHandle> open = files.openHandles();
        assertTrue(open.size() <= 1, "at most the stream's own handle: " + open);
        for (FileHandle h : open) {
            h.closeFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // closed after the last read's CQE
            assertEquals(0, h.opsInFlight());
        }
        CompletableFuture<Integer> inFlight = new CompletableFuture<>();
        loop.execute(() -> inFlight.complete(loop.inFlight()));
        assertEquals(0, inFlight.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "no read in flight");
        assertEquals(0, after.get(), "nothing delivered after the cancel");
        leaks.assertNoLeaks(); // the chunks read ahead were released
    }

    @Test
    void aStreamOverAHandleClosedMidwayFailsWithTheClearError() throws Exception {
        FileHandle h = open(fileOf("c", pattern(64 * 4096, 1)));
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        h.chunks(0, 4096, 2).subscribe(new Subscriber<>() {
            Subscription s;

            @Override
            public void onSubscribe(Subscription s) {
                this.s = s;
                s.request(1);
            }

            @Override
            public void onNext(UringBuffer b) {
                b.release();
                h.close();
                s.request(10);
            }

            @Override
            public void onError(Throwable t) {
                error.complete(t);
            }

            @Override
            public void onComplete() {
                error.complete(null);
            }
        });
        assertInstanceOf(FileClosedException.class, error.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        h.closeFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
