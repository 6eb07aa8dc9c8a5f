package io.reactiveuring.core.engine;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.IoUring.*;
import static org.junit.jupiter.api.Assertions.*;

/** The SQE flags not covered elsewhere: IOSQE_ASYNC, IOSQE_IO_HARDLINK, IOSQE_IO_DRAIN. */
class SqeFlagsTest {
    UringLoop loop;
    Arena arena;

    @BeforeEach
    void start() {
        UringTestSupport.requireUring();
        loop = new UringLoop(LoopOptions.defaults().withThreadName("sqe-flags-test"));
        arena = Arena.ofShared();
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            assertEquals(0, loop.inFlight());
            assertEquals(0, loop.staleCompletions());
            arena.close();
        }
    }

    @Test
    void asyncFlagPunchesAReadToTheWorkersAndItStillReadsByteExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("async");
        Files.writeString(file, "via io-wq");
        int fd = Ops.run(loop, OpSpec.builder(IORING_OP_OPENAT).fd(-100).addr(Ops.cString(arena, file.toString()).address())
                .opFlags(0x80000).build());
        assertTrue(fd >= 0, "openat: " + fd);
        try {
            MemorySegment buf = arena.allocate(32);
            assertEquals(9, Ops.run(loop, OpSpec.read(fd, buf, 0).withSqeFlags(IOSQE_ASYNC)));
            assertEquals("via io-wq", new String(Ops.bytes(buf, 9), StandardCharsets.UTF_8));
        } finally {
            assertEquals(0, Ops.run(loop, OpSpec.builder(IORING_OP_CLOSE).fd(fd).build()));
        }
    }

    @Test
    void hardLinkKeepsTheChainGoingAfterAShortRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("short");
        Files.writeString(file, "four");
        int fd = Ops.run(loop, OpSpec.builder(IORING_OP_OPENAT).fd(-100).addr(Ops.cString(arena, file.toString()).address())
                .opFlags(0x80000).build());
        try {
            MemorySegment buf = arena.allocate(64);
            RecordingOperation shortRead = new RecordingOperation(OpSpec.read(fd, buf, 0).withSqeFlags(IOSQE_IO_HARDLINK));
            RecordingOperation after = new RecordingOperation(OpSpec.nop());
            loop.submitLinked(shortRead, after);
            assertEquals(4, shortRead.awaitRes(), "short: the file holds 4 bytes");
            assertEquals(0, after.awaitRes(), "a hard link is not broken by a short result");

            RecordingOperation shortAgain = new RecordingOperation(OpSpec.read(fd, buf, 0));
            RecordingOperation broken = new RecordingOperation(OpSpec.nop());
            loop.submitLinked(shortAgain, broken);
            assertEquals(4, shortAgain.awaitRes());
            assertEquals(-Errno.ECANCELED, broken.awaitRes(), "the same chain with a soft link breaks");
        } finally {
            Ops.run(loop, OpSpec.builder(IORING_OP_CLOSE).fd(fd).build());
        }
    }

    @Test
    void drainedOpWaitsForEverythingSubmittedBeforeIt() throws Exception {
        try (TestPipe pipe = new TestPipe()) {
            List<String> order = new CopyOnWriteArrayList<>();
            MemorySegment buf = arena.allocate(8);
            RecordingOperation pendingRead = new RecordingOperation(OpSpec.read(pipe.readFd, buf, -1)) {
                @Override
                protected void onCompletion(int res, int flags) {
                    order.add("read");
                    super.onCompletion(res, flags);
                }
            };
            RecordingOperation drained = new RecordingOperation(OpSpec.nop().withSqeFlags(IOSQE_IO_DRAIN)) {
                @Override
                protected void onCompletion(int res, int flags) {
                    order.add("drained nop");
                    super.onCompletion(res, flags);
                }
            };
            loop.submit(pendingRead);
            loop.submit(drained);
            // Two snapshots in a row: between them the loop entered the kernel at least once, so an undrained NOP
            // would have completed by the second one. The engine keeps the drained NOP back (the kernel's drain
            // would also wait for the loop's own wake-up read): only the read is in flight.
            loop.inFlightSnapshot().get(10, TimeUnit.SECONDS);
            List<UringLoop.InFlightOp> inFlight = loop.inFlightSnapshot().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("READ fd=" + pipe.readFd), inFlight.stream().filter(o -> !o.internal())
                    .map(UringLoop.InFlightOp::op).toList(), "the drained NOP waits for the read");
            assertEquals(List.of(), order);
            assertEquals(1, pipe.write(new byte[] {42}));
            assertEquals(1, pendingRead.awaitRes());
            assertEquals(0, drained.awaitRes());
            assertEquals(List.of("read", "drained nop"), order);
        }
    }

    @Test
    void opsAfterADrainedOneWaitForIt() throws Exception {
        try (TestPipe pipe = new TestPipe()) {
            List<String> order = new CopyOnWriteArrayList<>();
            MemorySegment buf = arena.allocate(8);
            RecordingOperation drainedRead = new RecordingOperation(
                    OpSpec.read(pipe.readFd, buf, -1).withSqeFlags(IOSQE_IO_DRAIN)) {
                @Override
                protected void onCompletion(int res, int flags) {
                    order.add("drained read");
                    super.onCompletion(res, flags);
                }
            };
            RecordingOperation later = new RecordingOperation(OpSpec.nop()) {
                @Override
                protected void onCompletion(int res, int flags) {
                    order.add("later nop");
                    super.onCompletion(res, flags);
                }
            };
            loop.submit(drainedRead);
            loop.submit(later);
            loop.inFlightSnapshot().get(10, TimeUnit.SECONDS);
            loop.inFlightSnapshot().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), order, "the NOP waits behind the drained read");
            assertEquals(1, pipe.write(new byte[] {7}));
            assertEquals(0, later.awaitRes());
            assertEquals(List.of("drained read", "later nop"), order);
        }
    }
}
