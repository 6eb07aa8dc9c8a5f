package io.reactiveuring.reactor;

import io.reactiveuring.core.Pipe;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.buffer.UringBuffer;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The user-facing write and send complete only when every byte is out (short counts continued from where the kernel
 * stopped); the raw one-syscall ops ({@code writeOnce}, {@code writeStreamOnce}, {@code sendOnce}) report the short
 * count.
 */
class WriteAllTest extends CatalogueTestBase {

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Reads {@code n} bytes from {@code fd} with plain blocking reads on another thread. */
    private static CompletableFuture<byte[]> drain(int fd, int n) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment chunk = arena.allocate(8192);
                while (out.size() < n) {
                    long r = LibC.read(fd, chunk, 8192);
                    if (r <= 0) {
                        break;
                    }
                    out.write(chunk.asSlice(0, r).toArray(JAVA_BYTE), 0, (int) r);
                }
            }
            return out.toByteArray();
        });
    }

    @Test
    void aWriteLargerThanThePipeCompletesWithEveryByteWhileTheRawWriteIsShort() throws Exception {
        byte[] data = pattern(256 * 1024); // four times the default pipe capacity
        try (Pipe pipe = Pipe.open()) {
            UringBuffer buf = allocator.copyOf(data);
            try {
                StepVerifier.create(ring.writeStreamOnce(pipe.writeFd(), buf))
                        .assertNext(n -> assertTrue(n > 0 && n < data.length, "one write(2) is short: " + n))
                        .expectComplete().verify(TIMEOUT);
            } finally {
                buf.release();
            }
        }
        try (Pipe pipe = Pipe.open()) {
            CompletableFuture<byte[]> received = drain(pipe.readFd(), data.length);
            StepVerifier.create(ring.writeStream(pipe.writeFd(), data))
                    .expectNext(data.length).as("the total, once every byte is out")
                    .expectComplete().verify(TIMEOUT);
            assertArrayEquals(data, received.get(10, TimeUnit.SECONDS), "byte-exact, in order");
        }
    }

    @Test
    void aSendLargerThanTheSocketBufferCompletesWithEveryByte() throws Exception {
        byte[] data = pattern(4 * 1024 * 1024);
        int[] pair = unixSocketPair();
        CompletableFuture<byte[]> received = drain(pair[1], data.length);
        StepVerifier.create(ring.send(pair[0], data))
                .expectNext(data.length)
                .expectComplete().verify(TIMEOUT);
        assertArrayEquals(data, received.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFileWriteEmitsTheTotalAndTheFileHoldsEveryByte(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] data = pattern(3 * 1024 * 1024 + 17);
        Path file = dir.resolve("all");
        Files.write(file, new byte[0]);
        int fd = fx.open(ring, file, Fixtures.O_RDWR);
        StepVerifier.create(ring.write(fd, data, 4096)).expectNext(data.length).expectComplete().verify(TIMEOUT);
        byte[] back = Files.readAllBytes(file);
        assertEquals(4096 + data.length, back.length);
        assertArrayEquals(data, java.util.Arrays.copyOfRange(back, 4096, back.length));
    }
}
