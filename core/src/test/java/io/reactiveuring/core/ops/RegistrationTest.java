package io.reactiveuring.core.ops;

import io.reactiveuring.core.UringException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.engine.OpSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.reactiveuring.core.linux.FileFlags.O_RDONLY;
import static io.reactiveuring.core.linux.IoUring.IORING_ENTER_REGISTERED_RING;
import static io.reactiveuring.core.linux.IoUring.IORING_REGISTER_FILES_SKIP;
import static io.reactiveuring.core.linux.IoUring.IO_RINGFD_REG_MAX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registered files, registered buffers and registered ring fds: kernel answers, thread rules, bad input. */
class RegistrationTest extends FileOpsFixture {
    @TempDir
    Path dir;

    @Test
    void registrationOffTheLoopThreadIsRefused() {
        assertThrows(IllegalStateException.class, () -> RegisteredFiles.registerSparse(loop, 4));
        assertThrows(IllegalStateException.class, () -> RegisteredBuffers.register(loop, 1, 4096));
        assertThrows(IllegalStateException.class, () -> RegisteredRingFds.register(loop));
    }

    @Test
    void aSecondFileTableOnTheSameRingIsRefusedWithEbusy() throws Exception {
        RegisteredFiles files = onLoop(() -> RegisteredFiles.registerSparse(loop, 2));
        UringException e = assertThrows(UringException.class, () -> onLoop(() -> RegisteredFiles.registerSparse(loop,
                2)));
        assertEquals(Errno.EBUSY, e.errno());
        onLoop(() -> {
            files.unregister();
            return null;
        });
        assertFalse(files.isRegistered());
        // unregistered: a new table may be registered again
        RegisteredFiles again = onLoop(() -> RegisteredFiles.registerSparse(loop, 2));
        onLoop(() -> {
            again.unregister();
            return null;
        });
    }

    @Test
    void updateCountsSlotsAndSkipLeavesASlotAlone() throws Exception {
        Path file = dir.resolve("f");
        Files.write(file, new byte[] {1});
        int fd = open(file, O_RDONLY, 0);
        RegisteredFiles files = onLoop(() -> RegisteredFiles.registerSparse(loop, 4));
        try {
            assertEquals(3, (int) onLoop(() -> files.update(1, fd, IORING_REGISTER_FILES_SKIP, fd)));
            var target = buffer(16);
            for (int slot = 0; slot < 4; slot++) {
                int res = run(FileOps.onFixedFile(OpSpec.read(slot, target.writableSegment(), 0), files));
                assertEquals(slot == 1 || slot == 3 ? 1 : -Errno.EBADF, res, "slot " + slot);
            }
            UringException bad = assertThrows(UringException.class, () -> onLoop(() -> files.update(0, 999_999)));
            assertEquals(Errno.EBADF, bad.errno());
            assertThrows(IndexOutOfBoundsException.class, () -> files.update(3, fd, fd));
            assertThrows(IndexOutOfBoundsException.class, () -> files.update(-1, fd));
            assertThrows(IllegalArgumentException.class, () -> files.update(0, -3));
            assertThrows(IllegalArgumentException.class, () -> files.update(0));
            assertThrows(IllegalArgumentException.class, () -> RegisteredFiles.registerSparse(loop, 0));
        } finally {
            onLoop(() -> {
                files.unregister();
                return null;
            });
        }
        assertThrows(IllegalStateException.class, () -> files.update(0, fd));
        assertThrows(IllegalStateException.class, () -> FileOps.closeDirect(files, 0));
        assertThrows(IllegalStateException.class, files::unregister);
    }

    @Test
    void registeredBuffersAreExposedAndSegmentsOutsideThemAreRefused() throws Exception {
        RegisteredBuffers buffers = onLoop(() -> RegisteredBuffers.register(loop, 3, 8192));
        try {
            assertEquals(3, buffers.count());
            for (int i = 0; i < 3; i++) {
                assertEquals(8192, buffers.buffer(i).byteSize());
                assertEquals(0, buffers.buffer(i).address() % 4096, "page aligned");
            }
            MemorySegment inside = buffers.buffer(2).asSlice(8000, 192);
            buffers.checkContains(2, inside);
            assertThrows(IllegalArgumentException.class, () -> buffers.checkContains(1, inside));
            MemorySegment straddling = MemorySegment.ofAddress(buffers.buffer(0).address() + 8000).reinterpret(500);
            assertThrows(IllegalArgumentException.class, () -> FileOps.readFixed(0, buffers, 0, straddling, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> buffers.buffer(3));
            assertThrows(IllegalArgumentException.class, () -> FileOps.writeFixed(0, buffers, 0,
                    MemorySegment.ofArray(new byte[8]), 0));
            assertThrows(IllegalArgumentException.class, () -> RegisteredBuffers.register(loop, 0, 8192));
            assertThrows(IllegalArgumentException.class, () -> RegisteredBuffers.register(loop, 1, 0));
        } finally {
            onLoop(() -> {
                buffers.unregister();
                return null;
            });
        }
        assertThrows(IllegalStateException.class, () -> buffers.buffer(0));
    }

    /**
     * The registered index is an fd table entry of the registering thread: io_uring_enter with
     * IORING_ENTER_REGISTERED_RING accepts it on the loop thread, another thread cannot use it, and after
     * unregistering the loop thread cannot either.
     */
    @Test
    void ringFdRegistrationIsPerThread() throws Exception {
        int index = onLoop(() -> RegisteredRingFds.register(loop));
        assertTrue(index >= 0 && index < IO_RINGFD_REG_MAX, "index " + index);

        int onLoopThread = onLoop(() -> LibC.ioUringEnterNoWait(LibC.errnoCapture(), index, 0,
                IORING_ENTER_REGISTERED_RING));
        assertEquals(0, onLoopThread);
        int onThisThread = LibC.ioUringEnterNoWait(LibC.errnoCapture(), index, 0, IORING_ENTER_REGISTERED_RING);
        assertTrue(onThisThread == -Errno.EINVAL || onThisThread == -Errno.EBADF,
                "another thread must not reach the ring through the index: " + Errno.name(-onThisThread));

        onLoop(() -> {
            RegisteredRingFds.unregister(loop, index);
            return null;
        });
        int afterUnregister = onLoop(() -> LibC.ioUringEnterNoWait(LibC.errnoCapture(), index, 0,
                IORING_ENTER_REGISTERED_RING));
        assertEquals(-Errno.EBADF, afterUnregister);
        assertThrows(IllegalArgumentException.class, () -> RegisteredRingFds.unregister(loop, IO_RINGFD_REG_MAX));
    }
}
