package io.reactiveuring.core.ops;

import io.reactiveuring.core.binding.IovecLayout;
import io.reactiveuring.core.binding.StatxLayout;
import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.LeakDetector;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.engine.OpSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.reactiveuring.core.linux.FileFlags.AT_FDCWD;
import static io.reactiveuring.core.linux.FileFlags.FALLOC_FL_KEEP_SIZE;
import static io.reactiveuring.core.linux.FileFlags.O_CLOEXEC;
import static io.reactiveuring.core.linux.FileFlags.O_CREAT;
import static io.reactiveuring.core.linux.FileFlags.O_RDONLY;
import static io.reactiveuring.core.linux.FileFlags.RESOLVE_BENEATH;
import static io.reactiveuring.core.linux.FileFlags.STATX_BASIC_STATS;
import static io.reactiveuring.core.linux.IoUring.IORING_FSYNC_DATASYNC;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_FALLOCATE;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_OPENAT;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_SPLICE;
import static io.reactiveuring.core.linux.IoUring.SPLICE_F_FD_IN_FIXED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Bad input fails in the factories with standard exceptions (nothing is submitted: no loop exists here), and good
 * input lands in the SQE fields the kernel reads for each op.
 */
class FileOpsArgumentTest {
    private final LeakDetector leaks = new LeakDetector();
    private final BufferAllocator allocator = BufferAllocator.pooled(leaks);
    private final OpMemory memory = OpMemory.of(allocator);
    private final UringBuffer buffer = allocator.allocate(64);

    @AfterEach
    void releaseAll() {
        if (!memory.isReleased()) {
            memory.release();
        }
        buffer.release();
        leaks.assertNoLeaks();
        allocator.close();
    }

    @Test
    void vectoredIoRefusesHeapClosedNullEmptyAndOversizedInput() {
        MemorySegment ok = buffer.segment();
        assertThrows(IllegalArgumentException.class, () -> FileOps.readv(3, 0, memory, MemorySegment.ofArray(
                new byte[4])));
        assertThrows(NullPointerException.class, () -> FileOps.writev(3, 0, memory, ok, null));
        assertThrows(NullPointerException.class, () -> FileOps.writev(3, 0, memory, (MemorySegment[]) null));
        assertThrows(NullPointerException.class, () -> FileOps.writev(3, 0, null, ok));
        assertThrows(IllegalArgumentException.class, () -> FileOps.readv(3, 0, memory));
        assertThrows(IllegalArgumentException.class, () -> FileOps.readv(3, 0, memory,
                new MemorySegment[IovecLayout.UIO_MAXIOV + 1]));
        assertThrows(IllegalArgumentException.class, () -> FileOps.readv(-1, 0, memory, ok));
        assertThrows(IllegalArgumentException.class, () -> FileOps.readv(3, -2, memory, ok));
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(16);
        }
        MemorySegment gone = closed;
        assertThrows(IllegalStateException.class, () -> FileOps.readv(3, 0, memory, gone));
        MemorySegment huge = MemorySegment.ofAddress(ok.address()).reinterpret(Integer.MAX_VALUE);
        assertThrows(IllegalArgumentException.class, () -> FileOps.readv(3, 0, memory, huge, ok));
    }

    @Test
    void opsNeedingStructsRefuseReleasedOpMemory() {
        memory.release();
        assertThrows(IllegalStateException.class, () -> FileOps.readv(3, 0, memory, buffer.segment()));
        assertThrows(IllegalStateException.class, () -> FileOps.openat(AT_FDCWD, "/x", O_RDONLY, 0, memory));
        assertThrows(IllegalStateException.class, memory::release);
    }

    @Test
    void openRefusesBadPathsModesDirfdsAndResolveFlags() {
        assertThrows(NullPointerException.class, () -> FileOps.openat(AT_FDCWD, null, O_RDONLY, 0, memory));
        assertThrows(IllegalArgumentException.class, () -> FileOps.openat(AT_FDCWD, "a\0b", O_RDONLY, 0, memory));
        assertThrows(IllegalArgumentException.class, () -> FileOps.openat(AT_FDCWD, "x".repeat(5000), O_RDONLY, 0,
                memory));
        assertThrows(IllegalArgumentException.class, () -> FileOps.openat(AT_FDCWD, "/x", O_RDONLY, 0644, memory));
        assertThrows(IllegalArgumentException.class, () -> FileOps.openat(AT_FDCWD, "/x", O_CREAT, 010000, memory));
        assertThrows(IllegalArgumentException.class, () -> FileOps.openat(-5, "/x", O_RDONLY, 0, memory));
        assertThrows(IllegalArgumentException.class, () -> new OpenHow(O_RDONLY, 0, 0x40));
        assertThrows(NullPointerException.class, () -> FileOps.openat2(AT_FDCWD, "/x", null, memory));
    }

    @Test
    void openatWritesPathFlagsAndModeWhereTheKernelReadsThem() {
        OpSpec s = FileOps.openat(AT_FDCWD, "/tmp/é", O_CREAT, 0600, memory);
        assertEquals(IORING_OP_OPENAT, s.opcode());
        assertEquals(AT_FDCWD, s.fd());
        assertEquals(O_CREAT | O_CLOEXEC, s.opFlags());
        assertEquals(0600, s.len());
        assertEquals("/tmp/é", MemorySegment.ofAddress(s.addr()).reinterpret(64).getString(0));
        OpSpec how = FileOps.openat2(3, "d", OpenHow.of(O_RDONLY, RESOLVE_BENEATH), memory);
        MemorySegment h = MemorySegment.ofAddress(how.off()).reinterpret(24);
        assertEquals(O_CLOEXEC, h.get(JAVA_LONG,
                0));
        assertEquals(RESOLVE_BENEATH, h.get(JAVA_LONG, 16));
        assertEquals(24, how.len());
    }

    @Test
    void fallocateSpliceFsyncAndStatxRefuseBadArgumentsAndEncodeGoodOnes() {
        assertThrows(IllegalArgumentException.class, () -> FileOps.fallocate(3, 0, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> FileOps.fallocate(3, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> FileOps.fallocate(3, 0, Long.MAX_VALUE, 10));
        assertThrows(IllegalArgumentException.class, () -> FileOps.fallocate(3, 0x100, 0, 10));
        OpSpec f = FileOps.fallocate(3, FALLOC_FL_KEEP_SIZE, 10, 20);
        assertEquals(IORING_OP_FALLOCATE, f.opcode());
        assertEquals(10, f.off());
        assertEquals(20, f.addr(), "fallocate's length travels in sqe->addr");
        assertEquals(FALLOC_FL_KEEP_SIZE, f.len(), "and its mode in sqe->len");

        assertThrows(IllegalArgumentException.class, () -> FileOps.splice(3, -2, 4, 0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> FileOps.splice(3, 0, 4, -2, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> FileOps.splice(3, 0, 4, 0, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> FileOps.splice(-1, 0, 4, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> FileOps.splice(3, 0, 4, 0, 1, 0x40));
        OpSpec sp = FileOps.splice(3, -1, 4, 7, 100, SPLICE_F_FD_IN_FIXED);
        assertEquals(IORING_OP_SPLICE, sp.opcode());
        assertEquals(4, sp.fd());
        assertEquals(7, sp.off());
        assertEquals(-1L, sp.addr(), "no input offset is all ones");
        assertEquals(SPLICE_F_FD_IN_FIXED, sp.opFlags());

        assertEquals(IORING_FSYNC_DATASYNC, FileOps.fdatasync(3).opFlags());
        assertThrows(IllegalArgumentException.class, () -> FileOps.fsync(-1));
        assertThrows(IllegalArgumentException.class, () -> FileOps.close(-1));

        MemorySegment small = memory.allocate(StatxLayout.SIZE - 1);
        assertThrows(IllegalArgumentException.class, () -> FileOps.statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, small,
                memory));
        MemorySegment stx = memory.allocate(StatxLayout.LAYOUT);
        assertThrows(IllegalArgumentException.class, () -> FileOps.statx(AT_FDCWD, "/", 0x1, STATX_BASIC_STATS, stx,
                memory));
        assertThrows(IllegalArgumentException.class, () -> FileOps.statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS,
                MemorySegment.ofArray(new byte[256]), memory));
    }

    @Test
    void statxLayoutMatchesTheKernelStruct() {
        assertEquals(256, StatxLayout.SIZE);
        assertEquals(40, StatxLayout.STX_SIZE);
        assertEquals(28, StatxLayout.STX_MODE);
        assertEquals(112, StatxLayout.STX_MTIME);
        assertEquals(144, StatxLayout.STX_MNT_ID);
    }
}
