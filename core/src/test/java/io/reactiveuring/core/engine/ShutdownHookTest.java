package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * JVM exit is one way a ring's task ends: the shutdown hook ends every live loop, so a subscriber still waiting
 * gets its ECANCELED even then. Proven in a child JVM that exits with a read pending on a pipe.
 */
class ShutdownHookTest {

    /** The child: a loop with a pending pipe read, then System.exit; the hook must deliver the completion. */
    public static void main(String[] args) throws Exception {
        UringLoop loop = new UringLoop(LoopOptions.defaults().withThreadName("hook-child"));
        TestPipe pipe = new TestPipe();
        MemorySegment buffer = Arena.global().allocate(16);
        loop.submit(new UringOperation(OpSpec.read(pipe.readFd, buffer, -1)) {
            @Override
            protected void onCompletion(int res, int flags) {
                System.out.println("completion res=" + res + " loopTerminated="
                        + ((flags & FLAG_LOOP_TERMINATED) != 0) + " onLoopThread=" + loop.inLoop());
                System.out.flush();
            }
        });
        // a NOP round trip proves the read is in flight before the exit
        java.util.concurrent.CompletableFuture<Integer> nop = new java.util.concurrent.CompletableFuture<>();
        loop.submit(new UringOperation(OpSpec.nop()) {
            @Override
            protected void onCompletion(int res, int flags) {
                nop.complete(res);
            }
        });
        nop.get(10, TimeUnit.SECONDS);
        System.out.println("exiting with inFlight=" + loop.inFlight());
        System.out.flush();
        System.exit(0);
    }

    @Test
    void jvmExitDeliversEcanceledToAPendingOperation() throws Exception {
        UringTestSupport.requireUring();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ShutdownHookTest.class.getName()))
                .redirectErrorStream(true)
                .start();
        List<String> lines;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            lines = out.lines().toList();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child exited");
        assertEquals(0, child.exitValue(), String.join("\n", lines));
        assertTrue(lines.contains("exiting with inFlight=1"), String.join("\n", lines));
        assertTrue(lines.contains("completion res=-" + Errno.ECANCELED + " loopTerminated=false onLoopThread=true"),
                "the hook's drain cancelled the read in the kernel and delivered its CQE: " + lines);
    }
}
