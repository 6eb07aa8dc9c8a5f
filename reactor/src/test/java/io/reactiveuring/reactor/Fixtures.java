package io.reactiveuring.reactor;

import io.reactiveuring.core.Uring;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.engine.OpSpec;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers: io_uring availability, native memory, pipes and files, fd counting. Close after the rings. */
final class Fixtures implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int AT_FDCWD = -100;
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0x40;

    final Arena arena = Arena.ofShared();
    private final List<Integer> fds = new ArrayList<>();

    /** Skips the test when io_uring is unavailable, except under CI, where that is a failure. */
    static void requireUring() {
        if (Uring.isAvailable()) {
            return;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equals("false")) {
            fail("CI is set but io_uring is unavailable: " + Uring.unavailabilityCause());
        }
        Assumptions.abort("io_uring unavailable: " + Uring.unavailabilityCause());
    }

    /**
     * Open fds of this process that tests and rings create: pipes, sockets, anonymous inodes (rings, eventfds) and
     * files under the temp directory. Jars the JVM opens lazily while loading classes are not counted.
     */
    static long openIoFds() {
        String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(Fixtures::target)
                    .filter(t -> t.startsWith("pipe:") || t.startsWith("socket:") || t.startsWith("anon_inode:")
                            || t.startsWith(tmp))
                    .count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed meanwhile (e.g. the directory stream's own fd)
        }
    }

    /** A CLOEXEC pipe: {read end, write end}, closed by {@link #close()}. */
    int[] pipe() {
        MemorySegment two = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LibC.pipe2(two, LibC.O_CLOEXEC));
        int[] p = {two.get(JAVA_INT, 0), two.get(JAVA_INT, 4)};
        fds.add(p[0]);
        fds.add(p[1]);
        return p;
    }

    /** Writes {@code text} with a plain write(2), not through a ring. */
    void writeAll(int fd, String text) {
        MemorySegment m = bytes(text);
        assertEquals(m.byteSize(), LibC.write(fd, m, m.byteSize()));
    }

    /** {@code text} as UTF-8 in native memory (no terminating NUL). */
    MemorySegment bytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment m = arena.allocate(b.length);
        m.copyFrom(MemorySegment.ofArray(b));
        return m;
    }

    static String text(MemorySegment buf, int len) {
        return new String(buf.asSlice(0, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Opens {@code file} through the ring itself ({@code IORING_OP_OPENAT} via the generic op path). */
    int open(ReactorUring ring, Path file, int flags) {
        MemorySegment path = arena.allocateFrom(file.toString());
        Integer fd = ring.op(OpSpec.builder(IoUring.IORING_OP_OPENAT).fd(AT_FDCWD).addr(path.address())
                .opFlags(flags | LibC.O_CLOEXEC).len(0600).build()).block(TIMEOUT);
        assertTrue(fd != null && fd >= 0, "openat " + file + ": " + fd);
        fds.add(fd);
        return fd;
    }

    /** Forgets {@code fd} (the test closed it itself). */
    void forget(int fd) {
        fds.remove(Integer.valueOf(fd));
    }

    @Override
    public void close() {
        fds.forEach(LibC::close);
        fds.clear();
        arena.close();
    }
}
