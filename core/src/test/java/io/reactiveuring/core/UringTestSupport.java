package io.reactiveuring.core;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers: io_uring availability (fail instead of skip under CI) and fd counting. */
public final class UringTestSupport {
    private UringTestSupport() {
    }

    /** Skips the test when io_uring is unavailable, except under CI, where that is a failure. */
    public static void requireUring() {
        if (Uring.isAvailable()) {
            return;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equals("false")) {
            fail("CI is set but io_uring is unavailable: " + Uring.unavailabilityCause());
        }
        Assumptions.abort("io_uring unavailable: " + Uring.unavailabilityCause());
    }

    /** Open file descriptors of this process ({@code /proc/self/fd}). */
    public static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
