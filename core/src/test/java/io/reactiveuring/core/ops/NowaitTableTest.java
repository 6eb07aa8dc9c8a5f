package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Sockets;
import io.reactiveuring.core.binding.LibSocket;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.net.SocketAddresses;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.reactiveuring.core.linux.IoUring.IORING_OP_READ;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_RECV;
import static io.reactiveuring.core.linux.Poll.RWF_NOWAIT;
import static io.reactiveuring.core.linux.Sockets.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * THE TABLE: what a RECV or READ does on an <em>empty</em> socket or pipe on this kernel, by fd mode (blocking or
 * {@code O_NONBLOCK}) and per-op nowait flag ({@code MSG_DONTWAIT} for RECV in msg_flags, {@code RWF_NOWAIT} for
 * READ in rw_flags); plus a regular file, whose data is in the page cache. The reactive layer's retry decisions
 * (arm a readiness poll on {@code -EAGAIN} or let the kernel wait) are built on these rows.
 *
 * <p>How "waits" is observed without sleeping: the op and then a NOP are submitted in one batch from the loop
 * thread. The kernel issues them in order, so an op that completes immediately has posted its CQE before the
 * NOP's; when the NOP's completion has arrived and the op's has not, the op is waiting. Then data is written and
 * the op must complete with exactly those bytes.
 *
 * <p>Expected values come from DESIGN.md's kernel facts (with {@code IORING_FEAT_FAST_POLL} an op on an empty
 * pollable fd waits in the kernel, {@code O_NONBLOCK} or not; only {@code MSG_DONTWAIT} / {@code RWF_NOWAIT} give
 * {@code -EAGAIN}) and were each confirmed by observation on kernel 6.18. DESIGN.md says nothing about a RECV on a
 * pipe (it fails with {@code -ENOTSOCK}: RECV needs a socket) nor about regular files beyond "never poll them"
 * (observed: a READ with {@code RWF_NOWAIT} of cached data completes with the bytes).
 */
class NowaitTableTest extends LoopTestBase {

    enum Kind { UNIX_STREAM, TCP, PIPE, REGULAR_FILE }

    enum Flag { NONE, MSG_DONTWAIT, RWF_NOWAIT }

    enum Outcome {
        /** No CQE until data arrives; then the bytes. */
        WAITS,
        /** {@code -EAGAIN} before the NOP submitted after it. */
        EAGAIN,
        /** {@code -ENOTSOCK} before the NOP. */
        ENOTSOCK,
        /** Completes with the file's bytes before the NOP (regular file, data cached). */
        COMPLETES
    }

    record Row(byte opcode, Kind kind, boolean nonBlocking, Flag flag, Outcome expected) {
        @Override
        public String toString() {
            return (opcode == IORING_OP_RECV ? "RECV" : "READ") + " on empty " + kind
                    + (nonBlocking ? " O_NONBLOCK" : " blocking") + " flag=" + flag + " -> " + expected;
        }
    }

    static List<Row> table() {
        List<Row> rows = new ArrayList<>();
        for (Kind kind : List.of(Kind.UNIX_STREAM, Kind.TCP, Kind.PIPE)) {
            for (boolean nonBlocking : new boolean[] {false, true}) {
                // RECV: a socket op; with FAST_POLL it waits whatever the fd mode, MSG_DONTWAIT alone gives EAGAIN.
                boolean socket = kind != Kind.PIPE;
                rows.add(new Row(IORING_OP_RECV, kind, nonBlocking, Flag.NONE,
                        socket ? Outcome.WAITS : Outcome.ENOTSOCK));
                rows.add(new Row(IORING_OP_RECV, kind, nonBlocking, Flag.MSG_DONTWAIT,
                        socket ? Outcome.EAGAIN : Outcome.ENOTSOCK));
                // READ: poll-retried like RECV (REQ_F_SUPPORT_NOWAIT on sockets and pipes); RWF_NOWAIT gives EAGAIN.
                rows.add(new Row(IORING_OP_READ, kind, nonBlocking, Flag.NONE, Outcome.WAITS));
                rows.add(new Row(IORING_OP_READ, kind, nonBlocking, Flag.RWF_NOWAIT, Outcome.EAGAIN));
            }
        }
        for (boolean nonBlocking : new boolean[] {false, true}) {
            rows.add(new Row(IORING_OP_READ, Kind.REGULAR_FILE, nonBlocking, Flag.NONE, Outcome.COMPLETES));
            rows.add(new Row(IORING_OP_READ, Kind.REGULAR_FILE, nonBlocking, Flag.RWF_NOWAIT, Outcome.COMPLETES));
        }
        return rows;
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void emptyFdBehavesAsTheTableSays(Row row) throws Exception {
        byte[] data = pattern(13, row.hashCode());
        int[] fds = open(row.kind, data); // {read end, write end or -1}
        int reader = fds[0];
        if (row.nonBlocking) {
            assertEquals(0, LibSocket.setNonBlocking(reader, true));
        }
        MemorySegment buffer = arena.allocate(64);
        OpSpec spec = switch (row.flag) {
            case NONE -> row.opcode == IORING_OP_RECV ? SocketOps.recv(reader, buffer, 0)
                    : OpSpec.read(reader, buffer, row.kind == Kind.REGULAR_FILE ? 0 : -1);
            case MSG_DONTWAIT -> SocketOps.recv(reader, buffer, Sockets.MSG_DONTWAIT);
            case RWF_NOWAIT -> OpSpec.read(reader, buffer, row.kind == Kind.REGULAR_FILE ? 0 : -1)
                    .withOpFlags(RWF_NOWAIT);
        };

        CqeRecorder op = new CqeRecorder(spec);
        CqeRecorder nop = new CqeRecorder(OpSpec.nop());
        CompletableFuture<Void> submitted = new CompletableFuture<>();
        loop.execute(() -> { // one batch: the op, then the NOP
            loop.submit(op);
            loop.submit(nop);
            submitted.complete(null);
        });
        submitted.get(10, TimeUnit.SECONDS);
        assertEquals(0, nop.awaitFinal().res());
        Outcome observed;
        if (!op.last.isDone()) {
            observed = Outcome.WAITS;
            assertEquals(data.length, LibC.write(fds[1], nativeBytes(data), data.length));
            assertEquals(data.length, op.awaitFinal().res(), "after the write the op completes with the bytes");
            assertArrayEquals(data, buffer.asSlice(0, data.length).toArray(JAVA_BYTE));
        } else {
            int res = op.awaitFinal().res();
            observed = switch (res) {
                case -Errno.EAGAIN -> Outcome.EAGAIN;
                case -Errno.ENOTSOCK -> Outcome.ENOTSOCK;
                default -> {
                    assertEquals(data.length, res, () -> "unexpected immediate result " + Errno.name(res));
                    assertArrayEquals(data, buffer.asSlice(0, data.length).toArray(JAVA_BYTE));
                    yield Outcome.COMPLETES;
                }
            };
        }
        assertEquals(row.expected, observed, row::toString);
        assertEquals(1, op.cqes.size(), "one CQE");
    }

    /** {read end, write end} of an empty fd of {@code kind}; a regular file holding {@code data} (write end -1). */
    private int[] open(Kind kind, byte[] data) throws Exception {
        return switch (kind) {
            case UNIX_STREAM -> socketpair(SOCK_STREAM);
            case PIPE -> pipe();
            case TCP -> tcpPair();
            case REGULAR_FILE -> {
                Path file = dir.resolve("cached");
                Files.write(file, data); // just written: in the page cache
                yield new int[] {track(openReadOnly(file)), -1};
            }
        };
    }

    private int[] tcpPair() throws Exception {
        int listener = listenTcp(InetAddress.getByName("127.0.0.1"));
        int client = track(LibSocket.socket(AF_INET, SOCK_STREAM, 0));
        FdRecorder accept = new FdRecorder(SocketOps.accept(listener));
        loop.submit(accept);
        assertEquals(0, run(SocketOps.connect(client,
                SocketAddresses.allocate(SocketAddresses.localAddress(listener), arena))).res());
        int server = track(accept.awaitFinal().res());
        closeNow(listener);
        return new int[] {server, client};
    }

    private static final MethodHandle OPEN = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));

    private static int openReadOnly(Path file) {
        try (Arena tmp = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(tmp.allocateFrom(file.toString()), LibC.O_CLOEXEC, 0); // O_RDONLY = 0
        } catch (Throwable t) {
            throw new AssertionError("open " + file, t);
        }
    }
}
