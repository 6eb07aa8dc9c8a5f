package io.reactiveuring.core.ops;

import io.reactiveuring.core.binding.IovecLayout;
import io.reactiveuring.core.engine.UringLoop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static io.reactiveuring.core.linux.IoUring.IORING_REGISTER_BUFFERS;
import static io.reactiveuring.core.linux.IoUring.IORING_UNREGISTER_BUFFERS;

/**
 * A ring's registered buffers ({@code IORING_REGISTER_BUFFERS}): {@code count} buffers of {@code bufferSize} bytes
 * that the kernel pins and maps once, so that {@code READ_FIXED}/{@code WRITE_FIXED} ({@link FileOps#readFixed},
 * {@link FileOps#writeFixed}) skip the per-op page pinning. The memory comes from an arena this object owns
 * (page-aligned) and is freed by {@link #unregister()}. Pinned pages count against {@code RLIMIT_MEMLOCK} unless the
 * process has {@code CAP_IPC_LOCK}: keep the total small (the limit is often 8 MiB), or expect {@code ENOMEM}.
 *
 * <p>Threads: {@link #register} and {@link #unregister} run on the ring's loop thread (from another thread, wrap
 * them in {@code loop.execute(...)}); the buffers themselves may be filled and read from any thread, as long as no
 * fixed op using the same bytes is in flight. Unregister only when no fixed op is in flight: the memory is freed
 * right after. A ring has at most one set of registered buffers.
 */
public final class RegisteredBuffers {
    /** The kernel's cap on registered buffers ({@code IORING_MAX_REG_BUFFERS}). */
    public static final int MAX_BUFFERS = 1 << 14;
    /** The kernel's cap on one registered buffer (1 GiB). */
    public static final long MAX_BUFFER_SIZE = 1L << 30;
    private static final long PAGE = 4096;

    private final UringLoop loop;
    private final Arena arena;
    private final MemorySegment[] buffers;
    private volatile boolean registered = true;

    private RegisteredBuffers(UringLoop loop, Arena arena, MemorySegment[] buffers) {
        this.loop = loop;
        this.arena = arena;
        this.buffers = buffers;
    }

    /**
     * Allocates {@code count} zeroed buffers of {@code bufferSize} bytes and registers them on {@code loop}'s ring.
     * Loop thread only.
     *
     * @throws IllegalArgumentException if {@code count} or {@code bufferSize} is out of the kernel's range
     * @throws IllegalStateException    off the loop thread, or if the ring is closed
     * @throws io.reactiveuring.core.UringException if the kernel refuses ({@code ENOMEM}: memlock limit;
     *                                  {@code EBUSY}: the ring already has registered buffers)
     */
    public static RegisteredBuffers register(UringLoop loop, int count, long bufferSize) {
        Objects.requireNonNull(loop, "loop");
        if (count < 1 || count > MAX_BUFFERS) {
            throw new IllegalArgumentException("buffer count must be in [1, " + MAX_BUFFERS + "]: " + count);
        }
        if (bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException("buffer size must be in [1, " + MAX_BUFFER_SIZE + "]: " + bufferSize);
        }
        if (!loop.inLoop()) {
            throw new IllegalStateException("io_uring_register must run on the ring's loop thread");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment[] buffers = new MemorySegment[count];
            MemorySegment iovecs = arena.allocate(IovecLayout.LAYOUT, count);
            for (int i = 0; i < count; i++) {
                buffers[i] = arena.allocate(bufferSize, PAGE);
                IovecLayout.set(iovecs, i, buffers[i]);
            }
            Registration.check(loop.register(IORING_REGISTER_BUFFERS, iovecs, count), "IORING_REGISTER_BUFFERS");
            return new RegisteredBuffers(loop, arena, buffers);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Number of registered buffers. */
    public int count() {
        return buffers.length;
    }

    /** Buffer {@code index}: the memory a fixed op with {@code buf_index = index} must lie inside. */
    public MemorySegment buffer(int index) {
        checkRegistered();
        Objects.checkIndex(index, buffers.length);
        return buffers[index];
    }

    public UringLoop loop() {
        return loop;
    }

    /** False once {@link #unregister()} ran. */
    public boolean isRegistered() {
        return registered;
    }

    /**
     * Throws unless {@code segment} lies entirely inside registered buffer {@code index} (the kernel would
     * answer {@code EFAULT}).
     */
    public void checkContains(int index, MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        MemorySegment b = buffer(index);
        long start = segment.address() - b.address();
        if (!segment.isNative() || start < 0 || start + segment.byteSize() > b.byteSize()) {
            throw new IllegalArgumentException("segment [0x" + Long.toHexString(segment.address()) + ", +"
                    + segment.byteSize() + ") is not inside registered buffer " + index + " [0x"
                    + Long.toHexString(b.address()) + ", +" + b.byteSize() + ")");
        }
    }

    /**
     * Unregisters the buffers and frees their memory. Loop thread only (any thread once the ring is closed, which
     * already dropped the registration). No fixed op using them may be in flight.
     */
    public void unregister() {
        if (!registered) {
            throw new IllegalStateException("registered buffers already unregistered");
        }
        if (!loop.isTerminated()) {
            Registration.check(loop.register(IORING_UNREGISTER_BUFFERS, null, 0), "IORING_UNREGISTER_BUFFERS");
        }
        registered = false;
        arena.close();
    }

    private void checkRegistered() {
        if (!registered) {
            throw new IllegalStateException("registered buffers were unregistered");
        }
    }
}
