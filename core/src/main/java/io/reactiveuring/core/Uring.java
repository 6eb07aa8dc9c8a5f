package io.reactiveuring.core;

import io.reactiveuring.core.ring.Ring;
import io.reactiveuring.core.engine.RingFeatures;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether io_uring can be used here, answered without throwing: the OS and architecture are checked first (the
 * syscall numbers mean something else elsewhere), then a small ring is set up and closed. The answer is computed
 * once and cached. Safe from any thread.
 */
public final class Uring {
    private Uring() {
    }

    private static final class Probe {
        static final Throwable CAUSE;
        static final RingFeatures FEATURES;

        static {
            Throwable cause = null;
            RingFeatures features = null;
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            if (!os.startsWith("linux")) {
                cause = new UringUnavailableException("io_uring unavailable: it is a Linux API and this OS is "
                        + System.getProperty("os.name"), 0);
            } else if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
                cause = new UringUnavailableException("io_uring unavailable: architecture " + arch
                        + " is not supported (x86_64 and aarch64 are)", 0);
            } else {
                try (Ring ring = Ring.create(4, 8, 0)) {
                    features = ring.features();
                } catch (UringUnavailableException e) {
                    cause = e;
                } catch (Throwable t) {
                    cause = new UringUnavailableException("io_uring unavailable: " + t, 0);
                    cause.initCause(t);
                }
            }
            CAUSE = cause;
            FEATURES = features;
        }
    }

    /** True if a ring can be set up in this process. */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /** Why io_uring is unavailable (a {@link UringUnavailableException} saying so in words), or null. */
    public static Throwable unavailabilityCause() {
        return Probe.CAUSE;
    }

    /** Throws the cause if io_uring is unavailable. */
    public static void ensureAvailable() {
        Throwable t = Probe.CAUSE;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t != null) {
            throw new UringUnavailableException(t.toString(), 0);
        }
    }

    /** What a small probe ring got from the kernel, if io_uring is available. */
    public static Optional<RingFeatures> probeFeatures() {
        return Optional.ofNullable(Probe.FEATURES);
    }

    /** The kernel release, e.g. {@code 6.18.44}, from {@code /proc/sys/kernel/osrelease}. */
    public static String kernelRelease() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.version", "unknown");
        }
    }
}
