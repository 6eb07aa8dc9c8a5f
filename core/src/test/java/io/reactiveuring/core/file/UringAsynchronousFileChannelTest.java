package io.reactiveuring.core.file;

import io.reactiveuring.core.UringError;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The channel against the JDK's own {@code AsynchronousFileChannel}, side by side: the same calls on the same file
 * give the same results, positions, file contents and errors.
 */
class UringAsynchronousFileChannelTest extends FileTestBase {
    static final int SIZE = 3 * 4096 + 17;

    private UringAsynchronousFileChannel ours(Path p, OpenOption... options) throws Exception {
        return UringAsynchronousFileChannel.open(files, p, options);
    }

    /** What a read gives: the count, the buffer's position, its bytes. */
    private record ReadResult(int count, int position, byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ReadResult r && r.count == count && r.position == position
                    && Arrays.equals(r.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return count;
        }

        @Override
        public String toString() {
            return "read " + count + ", position " + position;
        }
    }

    private static ReadResult futureRead(AsynchronousFileChannel ch, long position, ByteBuffer dst)
            throws Exception {
        int n = ch.read(dst, position).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return new ReadResult(n, dst.position(), Arrays.copyOf(dst.array(), dst.position()));
    }

    private static ReadResult handlerRead(AsynchronousFileChannel ch, long position, ByteBuffer dst)
            throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        ch.read(dst, position, "attachment", new CompletionHandler<>() {
            @Override
            public void completed(Integer result, String attachment) {
                assertEquals("attachment", attachment);
                f.complete(result);
            }

            @Override
            public void failed(Throwable exc, String attachment) {
                f.completeExceptionally(exc);
            }
        });
        int n = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return new ReadResult(n, dst.position(), Arrays.copyOf(dst.array(), dst.position()));
    }

    @Test
    void readsGiveWhatTheJdksChannelGivesAtEveryPosition() throws Exception {
        Path p = fileOf("r", pattern(SIZE, 1));
        try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(p, StandardOpenOption.READ);
             UringAsynchronousFileChannel uring = ours(p, StandardOpenOption.READ)) {
            assertEquals(jdk.size(), uring.size());
            for (long pos : new long[] {0, 1, 4095, 4096, SIZE - 1, SIZE, SIZE + 10, 1L << 33}) {
                for (int cap : new int[] {0, 1, 100, 4096, 65536, 200_000}) {
                    for (int offset : new int[] {0, 3}) {
                        if (offset > cap) {
                            continue;
                        }
                        ByteBuffer a = ByteBuffer.allocate(cap).position(offset);
                        ByteBuffer b = ByteBuffer.allocate(cap).position(offset);
                        assertEquals(futureRead(jdk, pos, a), futureRead(uring, pos, b),
                                "Future read at " + pos + " into " + cap + " from " + offset);
                        ByteBuffer c = ByteBuffer.allocate(cap).position(offset);
                        ByteBuffer d = ByteBuffer.allocateDirect(cap).position(offset);
                        ReadResult jdkHandler = handlerRead(jdk, pos, c);
                        int n = 0;
                        CompletableFuture<Integer> f = new CompletableFuture<>();
                        uring.read(d, pos, null, new CompletionHandler<Integer, Object>() {
                            @Override
                            public void completed(Integer result, Object attachment) {
                                f.complete(result);
                            }

                            @Override
                            public void failed(Throwable exc, Object attachment) {
                                f.completeExceptionally(exc);
                            }
                        });
                        n = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        byte[] got = new byte[d.position()];
                        d.duplicate().flip().get(got);
                        assertEquals(jdkHandler, new ReadResult(n, d.position(), got),
                                "handler read (direct buffer) at " + pos + " into " + cap);
                    }
                }
            }
        }
    }

    @Test
    void writesMakeTheSameFileAsTheJdksChannel() throws Exception {
        Path a = fileOf("a", pattern(SIZE, 2));
        Path b = fileOf("b", pattern(SIZE, 2));
        byte[] data = pattern(70_000, 3);
        try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(a, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
             UringAsynchronousFileChannel uring = ours(b, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            for (long pos : new long[] {0, 5, SIZE, SIZE + 100_000}) {
                for (int len : new int[] {0, 1, 4096, 70_000}) {
                    ByteBuffer x = ByteBuffer.wrap(data, 0, len);
                    ByteBuffer y = ByteBuffer.wrap(data, 0, len);
                    assertEquals(jdk.write(x, pos).get(), uring.write(y, pos).get(), "write at " + pos);
                    assertEquals(x.position(), y.position());
                    assertEquals(jdk.size(), uring.size());
                }
            }
            CompletableFuture<Integer> f = new CompletableFuture<>();
            uring.write(ByteBuffer.wrap(data, 10, 20), 1, null, handler(f));
            assertEquals(20, f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(20, jdk.write(ByteBuffer.wrap(data, 10, 20), 1).get());
            jdk.force(true);
            uring.force(true);
            uring.force(false);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
            assertSame(jdk, jdk.truncate(1000));
            assertSame(uring, uring.truncate(1000));
            assertEquals(jdk.size(), uring.size());
            jdk.truncate(5000); // larger than the file: no change
            uring.truncate(5000);
            assertEquals(1000, uring.size());
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        }
    }

    private static <V> CompletionHandler<V, Object> handler(CompletableFuture<V> f) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V result, Object attachment) {
                f.complete(result);
            }

            @Override
            public void failed(Throwable exc, Object attachment) {
                f.completeExceptionally(exc);
            }
        };
    }

    @Test
    void badInputFailsLikeTheJdksChannel() throws Exception {
        Path p = fileOf("x", pattern(100, 4));
        ByteBuffer buf = ByteBuffer.allocate(10);
        try (AsynchronousFileChannel jdkRead = AsynchronousFileChannel.open(p, StandardOpenOption.READ);
             UringAsynchronousFileChannel uringRead = ours(p, StandardOpenOption.READ);
             AsynchronousFileChannel jdkWrite = AsynchronousFileChannel.open(p, StandardOpenOption.WRITE);
             UringAsynchronousFileChannel uringWrite = ours(p, StandardOpenOption.WRITE)) {
            for (AsynchronousFileChannel ch : new AsynchronousFileChannel[] {jdkRead, uringRead}) {
                assertThrows(IllegalArgumentException.class, () -> ch.read(buf, -1), ch.toString());
                assertThrows(IllegalArgumentException.class, () -> ch.read(buf.asReadOnlyBuffer(), 0));
                assertThrows(NonWritableChannelException.class, () -> ch.write(buf, 0));
                assertThrows(NonWritableChannelException.class, () -> ch.truncate(0));
                assertThrows(NullPointerException.class, () -> ch.read(null, 0));
            }
            for (AsynchronousFileChannel ch : new AsynchronousFileChannel[] {jdkWrite, uringWrite}) {
                assertThrows(IllegalArgumentException.class, () -> ch.write(buf, -1), ch.toString());
                assertThrows(NonReadableChannelException.class, () -> ch.read(buf, 0));
                assertThrows(IllegalArgumentException.class, () -> ch.truncate(-1));
            }
        }
        for (OpenOption[] options : new OpenOption[][] {{StandardOpenOption.READ}}) {
            Path missing = dir.resolve("missing");
            NoSuchFileException jdk = assertThrows(NoSuchFileException.class,
                    () -> AsynchronousFileChannel.open(missing, options));
            NoSuchFileException ours = assertThrows(NoSuchFileException.class, () -> ours(missing, options));
            assertEquals(jdk.getFile(), ours.getFile());
            assertEquals(Errno.ENOENT, UringError.errnoOf(ours));
        }
        assertThrows(UnsupportedOperationException.class, () -> AsynchronousFileChannel.open(p,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        assertThrows(UnsupportedOperationException.class, () -> ours(p, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
    }

    @Test
    void opsOnAClosedChannelFailWithClosedChannelExceptionLikeTheJdks() throws Exception {
        Path p = fileOf("c", pattern(100, 5));
        AsynchronousFileChannel jdk = AsynchronousFileChannel.open(p, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        UringAsynchronousFileChannel uring = ours(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        jdk.close();
        uring.close();
        assertFalse(uring.isOpen());
        uring.close(); // again: nothing
        for (AsynchronousFileChannel ch : new AsynchronousFileChannel[] {jdk, uring}) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> ch.read(ByteBuffer.allocate(10), 0).get());
            assertInstanceOf(ClosedChannelException.class, e.getCause(), ch.toString());
            e = assertThrows(ExecutionException.class, () -> ch.write(ByteBuffer.allocate(10), 0).get());
            assertInstanceOf(ClosedChannelException.class, e.getCause());
            CompletableFuture<Integer> f = new CompletableFuture<>();
            ch.read(ByteBuffer.allocate(1), 0, null, handler(f));
            e = assertThrows(ExecutionException.class, f::get);
            assertInstanceOf(ClosedChannelException.class, e.getCause());
            assertThrows(ClosedChannelException.class, ch::size);
            assertThrows(ClosedChannelException.class, () -> ch.force(true));
        }
    }

    @Test
    void handlersRunOnTheGivenExecutorAndFileLocksAreHonestlyUnsupported() throws Exception {
        Path p = fileOf("e", pattern(100, 6));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "handler-thread"));
        try (UringAsynchronousFileChannel ch = UringAsynchronousFileChannel.open(files, p,
                new HashSet<>(Arrays.asList(StandardOpenOption.READ)), executor)) {
            CompletableFuture<String> thread = new CompletableFuture<>();
            ch.read(ByteBuffer.allocate(10), 0, null, new CompletionHandler<Integer, Object>() {
                @Override
                public void completed(Integer result, Object attachment) {
                    thread.complete(Thread.currentThread().getName() + ":" + result);
                }

                @Override
                public void failed(Throwable exc, Object attachment) {
                    thread.completeExceptionally(exc);
                }
            });
            assertEquals("handler-thread:10", thread.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, ch::lock);
            assertTrue(e.getMessage().contains("FileChannel.lock"));
            assertThrows(UnsupportedOperationException.class, ch::tryLock);
            Future<Integer> f = ch.read(ByteBuffer.allocate(1000), 50);
            assertEquals(50, f.get());
        } finally {
            executor.shutdownNow();
        }
    }
}
