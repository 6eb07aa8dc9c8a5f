package io.reactiveuring.core.ops;

import io.reactiveuring.core.binding.RsrcRegisterLayout;
import io.reactiveuring.core.binding.RsrcUpdate2Layout;
import io.reactiveuring.core.UringException;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static io.reactiveuring.core.linux.IoUring.IORING_REGISTER_FILES2;
import static io.reactiveuring.core.linux.IoUring.IORING_REGISTER_FILES_SKIP;
import static io.reactiveuring.core.linux.IoUring.IORING_REGISTER_FILES_UPDATE2;
import static io.reactiveuring.core.linux.IoUring.IORING_RSRC_REGISTER_SPARSE;
import static io.reactiveuring.core.linux.IoUring.IORING_UNREGISTER_FILES;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A ring's registered-file table: {@code size} slots, all empty at first ({@code IORING_REGISTER_FILES2} with
 * {@code IORING_RSRC_REGISTER_SPARSE}). Ops with {@code IOSQE_FIXED_FILE} ({@link FileOps#onFixedFile}) name a
 * slot instead of an fd and skip the kernel's per-op fd lookup; {@code OPENAT} (and {@code ACCEPT}) can open
 * straight into a slot ({@link FileOps#openatDirect}), and {@link FileOps#closeDirect} empties one.
 *
 * <p>Each slot holds the kernel's own reference to a file: closing the fd that was put into a slot does not empty
 * the slot, and the file stays open until the slot is emptied or the table unregistered (or the ring closed).
 *
 * <p>Threads: every method that talks to the kernel runs on the ring's loop thread ({@code SINGLE_ISSUER} covers
 * {@code io_uring_register}); from another thread wrap the call in {@code loop.execute(...)}. {@link #size()} may
 * be read anywhere. A ring has at most one file table.
 */
public final class RegisteredFiles {
    /** The fd value that empties a slot in an update ({@code -1} in the kernel's fd array). */
    private static final int EMPTY = -1;
    /** The kernel's cap on registered files ({@code IORING_MAX_FIXED_FILES}). */
    public static final int MAX_SLOTS = 1 << 20;

    private final UringLoop loop;
    private final int size;
    private volatile boolean registered = true;

    private RegisteredFiles(UringLoop loop, int size) {
        this.loop = loop;
        this.size = size;
    }

    /**
     * Registers an empty table of {@code size} slots on {@code loop}'s ring. Loop thread only.
     *
     * @throws IllegalArgumentException if {@code size} is not in {@code [1, MAX_SLOTS]}
     * @throws IllegalStateException    off the loop thread, or if the ring is closed
     * @throws UringException           if the kernel refuses ({@code EBUSY}: the ring already has a table;
     *                                  {@code EMFILE}: over {@code RLIMIT_NOFILE})
     */
    public static RegisteredFiles registerSparse(UringLoop loop, int size) {
        Objects.requireNonNull(loop, "loop");
        if (size < 1 || size > MAX_SLOTS) {
            throw new IllegalArgumentException("slot count must be in [1, " + MAX_SLOTS + "]: " + size);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rr = arena.allocate(RsrcRegisterLayout.LAYOUT);
            rr.set(JAVA_INT, RsrcRegisterLayout.NR, size);
            rr.set(JAVA_INT, RsrcRegisterLayout.FLAGS, IORING_RSRC_REGISTER_SPARSE);
            Registration.check(loop.register(IORING_REGISTER_FILES2, rr, (int) RsrcRegisterLayout.SIZE),
                    "IORING_REGISTER_FILES2");
        }
        return new RegisteredFiles(loop, size);
    }

    /** Number of slots. */
    public int size() {
        return size;
    }

    public UringLoop loop() {
        return loop;
    }

    /** False once {@link #unregister()} ran. */
    public boolean isRegistered() {
        return registered;
    }

    /**
     * Puts {@code fds[i]} into slot {@code firstSlot + i} ({@code IORING_REGISTER_FILES_UPDATE2}): an fd (the slot
     * takes its own reference; the caller still owns and closes {@code fd}), {@code -1} to empty the slot, or
     * {@code IORING_REGISTER_FILES_SKIP} to leave it. Loop thread only.
     *
     * @return the number of slots updated
     * @throws UringException if the kernel refuses (e.g. {@code EBADF} for an fd that is not open)
     */
    public int update(int firstSlot, int... fds) {
        Objects.requireNonNull(fds, "fds");
        checkRegistered();
        if (fds.length == 0) {
            throw new IllegalArgumentException("no fds to update");
        }
        checkSlot(firstSlot);
        checkSlot(firstSlot + fds.length - 1);
        for (int fd : fds) {
            if (fd < 0 && fd != EMPTY && fd != IORING_REGISTER_FILES_SKIP) {
                throw new IllegalArgumentException("fd must be >= 0, -1 (empty) or IORING_REGISTER_FILES_SKIP: "
                        + fd);
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = arena.allocateFrom(JAVA_INT, fds);
            MemorySegment up = arena.allocate(RsrcUpdate2Layout.LAYOUT);
            up.set(JAVA_INT, RsrcUpdate2Layout.OFFSET, firstSlot);
            up.set(JAVA_LONG, RsrcUpdate2Layout.DATA, values.address());
            up.set(JAVA_INT, RsrcUpdate2Layout.NR, fds.length);
            return Registration.check(loop.register(IORING_REGISTER_FILES_UPDATE2, up, (int) RsrcUpdate2Layout.SIZE),
                    "IORING_REGISTER_FILES_UPDATE2");
        }
    }

    /** Puts {@code fd} into {@code slot}; see {@link #update}. Loop thread only. */
    public void set(int slot, int fd) {
        OpSpec.checkFd(fd);
        update(slot, fd);
    }

    /** Empties {@code slot} (its file is closed if nothing else refers to it). Loop thread only. */
    public void clear(int slot) {
        update(slot, EMPTY);
    }

    /**
     * Unregisters the table: every slot's file reference is dropped. Ops still in flight keep the files they
     * already resolved. Loop thread only; a no-op once the ring is closed (the kernel dropped the table with it).
     */
    public void unregister() {
        if (!registered) {
            throw new IllegalStateException("registered files already unregistered");
        }
        if (!loop.isTerminated()) {
            Registration.check(loop.register(IORING_UNREGISTER_FILES, null, 0), "IORING_UNREGISTER_FILES");
        }
        registered = false;
    }

    /** Throws if {@code slot} is outside the table. */
    public void checkSlot(int slot) {
        if (slot < 0 || slot >= size) {
            throw new IndexOutOfBoundsException("slot " + slot + " outside the registered file table of " + size);
        }
    }

    void checkRegistered() {
        if (!registered) {
            throw new IllegalStateException("registered files were unregistered");
        }
    }
}
