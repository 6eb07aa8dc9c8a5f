package io.reactiveuring.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What the samples share: their arguments (Maven's {@code -Dsample.args="a b"} arrives as one argument, so each is
 * split at whitespace: paths with spaces need a direct {@code java} run) and whether stderr is a terminal.
 * Stateless.
 */
final class SampleArgs {
    private SampleArgs() {
    }

    static List<String> of(String[] args) {
        return Arrays.stream(args).flatMap(a -> Arrays.stream(a.trim().split("\\s+"))).filter(s -> !s.isEmpty())
                .toList();
    }

    /**
     * True if fd 2 is a terminal: where {@code /proc/self/fd/2} points ({@code /dev/pts/N} or {@code /dev/ttyN}),
     * and {@code TERM} is not {@code dumb}. {@code System.console()} would not do: it tells about stdin and stdout
     * (and since JDK 22 is non-null even when they are redirected), not stderr, and stderr is what the progress goes
     * to; {@code /proc} is Linux's own answer, with no native call.
     */
    static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
