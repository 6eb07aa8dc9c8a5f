package io.reactiveuring.core.ring;

import io.reactiveuring.core.engine.RingFeatures;
import io.reactiveuring.core.UringUnavailableException;
import io.reactiveuring.core.linux.Errno;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.binding.IoUringParamsLayout;
import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.binding.NativeCallException;
import io.reactiveuring.core.binding.ProbeLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;

import static io.reactiveuring.core.linux.IoUring.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One io_uring instance: its fd, the mapped SQ and CQ rings and SQE array, and what the kernel granted.
 *
 * <p>Setup flags are chosen by what the kernel accepts, trying the richest set first and dropping flags on
 * {@code EINVAL} ({@link #SETUP_CHAIN}); never by kernel version. Because the preferred flags include
 * {@code IORING_SETUP_SINGLE_ISSUER}, the thread that calls {@link #create} owns the ring: only that thread may
 * enter or register on it, and it must be the one that closes it. Not thread-safe.
 */
public final class Ring implements AutoCloseable {

    /** Flags always asked for: CQ sized by us, and sizes clamped rather than refused. */
    private static final int BASE = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;

    /**
     * The fallback chain, richest first. DEFER_TASKRUN needs SINGLE_ISSUER (6.1); COOP_TASKRUN is the
     * replacement where DEFER_TASKRUN is refused; NO_SQARRAY is 6.6; SUBMIT_ALL 5.18.
     */
    static final int[] SETUP_CHAIN = {
        BASE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG
                | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_NO_SQARRAY,
        BASE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG
                | IORING_SETUP_SUBMIT_ALL,
        BASE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG
                | IORING_SETUP_SUBMIT_ALL,
        BASE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL,
        BASE | IORING_SETUP_SUBMIT_ALL,
        BASE,
    };

    private final int fd;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing; // same mapping as sqRing with FEAT_SINGLE_MMAP
    private final MemorySegment sqes;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    private final RingFeatures features;
    private boolean closed;

    private Ring(int fd, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqes, SubmissionQueue sq,
                 CompletionQueue cq, RingFeatures features) {
        this.fd = fd;
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.sq = sq;
        this.cq = cq;
        this.features = features;
    }

    /**
     * Creates a ring on the calling thread, which becomes its owner.
     *
     * @param sqEntries   submission queue size (rounded up to a power of two by the kernel)
     * @param cqEntries   completion queue size, at least {@code sqEntries}
     * @param refusedFlags setup flags never to ask for (to exercise the fallback chain); usually 0
     * @throws UringUnavailableException if the kernel refuses every candidate, saying why
     */
    public static Ring create(int sqEntries, int cqEntries, int refusedFlags) {
        if (sqEntries < 1 || cqEntries < sqEntries) {
            throw new IllegalArgumentException("need 1 <= sqEntries <= cqEntries, got sq=" + sqEntries
                    + " cq=" + cqEntries);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(IoUringParamsLayout.LAYOUT);
            int lastError = -Errno.EINVAL;
            for (int candidate : SETUP_CHAIN) {
                int flags = candidate & ~refusedFlags;
                params.fill((byte) 0);
                params.set(JAVA_INT, IoUringParamsLayout.FLAGS, flags);
                params.set(JAVA_INT, IoUringParamsLayout.CQ_ENTRIES, cqEntries);
                int fd = LibC.ioUringSetup(sqEntries, params);
                if (fd >= 0) {
                    return map(fd, params, flags);
                }
                lastError = fd;
                if (fd != -Errno.EINVAL) {
                    break; // not a flag problem: no point in trying fewer flags
                }
            }
            throw unavailable(lastError);
        }
    }

    private static Ring map(int fd, MemorySegment params, int flags) {
        MemorySegment sqRing = null;
        MemorySegment cqRing = null;
        MemorySegment sqes = null;
        try {
            int features = params.get(JAVA_INT, IoUringParamsLayout.FEATURES);
            int sqEntries = params.get(JAVA_INT, IoUringParamsLayout.SQ_ENTRIES);
            int cqEntries = params.get(JAVA_INT, IoUringParamsLayout.CQ_ENTRIES);
            long sqSize = params.get(JAVA_INT, IoUringParamsLayout.SQ_OFF_ARRAY) + 4L * sqEntries;
            long cqSize = params.get(JAVA_INT, IoUringParamsLayout.CQ_OFF_CQES) + 16L * cqEntries;
            if ((features & IORING_FEAT_SINGLE_MMAP) != 0) {
                // One mapping holds both rings; it must cover the larger of the two layouts.
                sqRing = LibC.mmapShared(Math.max(sqSize, cqSize), fd, IORING_OFF_SQ_RING);
                cqRing = sqRing;
            } else {
                sqRing = LibC.mmapShared(sqSize, fd, IORING_OFF_SQ_RING);
                cqRing = LibC.mmapShared(cqSize, fd, IORING_OFF_CQ_RING);
            }
            sqes = LibC.mmapShared(64L * sqEntries, fd, IORING_OFF_SQES);
            SubmissionQueue sq = new SubmissionQueue(sqRing, sqes, params, (flags & IORING_SETUP_NO_SQARRAY) != 0);
            CompletionQueue cq = new CompletionQueue(cqRing, params);
            BitSet ops = new BitSet();
            int lastOp = probe(fd, ops);
            return new Ring(fd, sqRing, cqRing, sqes, sq, cq,
                    new RingFeatures(features, flags, sqEntries, cqEntries, ops, lastOp));
        } catch (RuntimeException | Error e) {
            if (sqes != null) {
                LibC.munmap(sqes);
            }
            if (cqRing != null && cqRing != sqRing) {
                LibC.munmap(cqRing);
            }
            if (sqRing != null) {
                LibC.munmap(sqRing);
            }
            LibC.close(fd);
            if (e instanceof NativeCallException n) {
                throw unavailable(-n.errno());
            }
            throw e;
        }
    }

    private static int probe(int fd, BitSet ops) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment probe = arena.allocate(ProbeLayout.SIZE, 8);
            int r = LibC.ioUringRegister(fd, IORING_REGISTER_PROBE, probe, ProbeLayout.OPS);
            if (r < 0) {
                return -1; // pre-5.6 kernels have no probe; report nothing as supported
            }
            int len = Byte.toUnsignedInt(probe.get(JAVA_BYTE, ProbeLayout.OPS_LEN));
            for (int i = 0; i < len; i++) {
                long op = ProbeLayout.OPS_START + i * ProbeLayout.OP_SIZE;
                short flags = probe.get(JAVA_SHORT, op + ProbeLayout.OP_FLAGS);
                if ((flags & IO_URING_OP_SUPPORTED) != 0) {
                    ops.set(Byte.toUnsignedInt(probe.get(JAVA_BYTE, op)));
                }
            }
            return Byte.toUnsignedInt(probe.get(JAVA_BYTE, ProbeLayout.LAST_OP));
        }
    }

    /** The setup failure in words a user can act on. */
    public static UringUnavailableException unavailable(int res) {
        int errno = Math.abs(res);
        String why = switch (errno) {
            case Errno.ENOSYS -> "the kernel has no io_uring (older than 5.1, or built without CONFIG_IO_URING)";
            case Errno.EPERM -> disabledReason();
            case Errno.ENOMEM -> "not enough locked memory for the rings (raise RLIMIT_MEMLOCK with ulimit -l, or "
                    + "the memory cgroup limit)";
            case Errno.EINVAL -> "the kernel refused every setup flag combination (kernel too old for the "
                    + "requested queue sizes?)";
            case Errno.EMFILE -> "too many open files (raise the file descriptor limit)";
            default -> "io_uring_setup failed";
        };
        return new UringUnavailableException("io_uring unavailable: " + why + " [" + Errno.name(errno) + " ("
                + errno + ") from io_uring_setup]", errno);
    }

    private static String disabledReason() {
        try {
            String v = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/io_uring_disabled"))
                    .trim();
            if (v.equals("2")) {
                return "disabled for all processes by the sysctl kernel.io_uring_disabled=2";
            }
            if (v.equals("1")) {
                return "restricted by the sysctl kernel.io_uring_disabled=1 to the group in "
                        + "kernel.io_uring_group (or CAP_SYS_ADMIN)";
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // no sysctl: an older kernel, so the refusal comes from elsewhere
        }
        return "refused by a seccomp or container policy (EPERM; e.g. Docker's default profile blocks io_uring)";
    }

    public int fd() {
        return fd;
    }

    public SubmissionQueue sq() {
        return sq;
    }

    public CompletionQueue cq() {
        return cq;
    }

    public RingFeatures features() {
        return features;
    }

    /** Unmaps the rings and closes the fd. The caller must make sure the kernel no longer writes user memory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibC.munmap(sqes);
        if (cqRing != sqRing) {
            LibC.munmap(cqRing);
        }
        LibC.munmap(sqRing);
        LibC.close(fd);
    }

    public boolean isClosed() {
        return closed;
    }
}
