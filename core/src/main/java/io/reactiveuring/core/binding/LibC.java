package io.reactiveuring.core.binding;

import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.linux.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFM downcalls into libc: the raw {@code syscall(2)} entry for io_uring, plus {@code mmap}, {@code munmap},
 * {@code close}, {@code read}, {@code write} and {@code eventfd}. Nothing else native is used: no liburing, no JNI.
 * The buffer allocator also takes its memory from here ({@code mmap} of anonymous slabs, {@code posix_memalign} and
 * {@code free} for large blocks), so that freeing a block is one libc call and never a shared arena's close.
 *
 * <p>Every method returns the kernel convention: a non-negative result, or {@code -errno} (errno is captured with
 * {@link Linker.Option#captureCallState}). Each thread gets its own capture buffer, so every method is safe from
 * any thread. {@link #ioUringEnter} may block and is therefore never a critical downcall; the short calls that
 * cannot block may be.
 */
public final class LibC {
    private LibC() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(groupElement("errno")).withInvokeExactBehavior();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** {@code long syscall(long nr, ...)} with six long arguments; the kernel ignores the ones it does not use. */
    private static final FunctionDescriptor SYSCALL6 = FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SYSCALL = downcall("syscall", SYSCALL6,
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    /** Same call for an {@code io_uring_enter} that does not wait: short, so it may skip the thread transition. */
    private static final MethodHandle SYSCALL_CRITICAL = downcall("syscall", SYSCALL6,
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));

    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle PIPE2 = downcall("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    /** Returns the error number itself (it does not set errno), so nothing is captured. */
    private static final MethodHandle POSIX_MEMALIGN = downcall("posix_memalign",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FREE = downcall("free", FunctionDescriptor.ofVoid(ADDRESS));

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    /** Same value on x86_64 and aarch64 ({@code asm-generic/mman-common.h}). */
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_NONBLOCK = 0x800;

    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));
    /** Per-thread out-parameter of {@code posix_memalign} (libc writes it during the call, nothing later). */
    private static final ThreadLocal<MemorySegment> POINTER_OUT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ADDRESS));

    // The binding is where the library itself is restricted: users grant it --enable-native-access, so the
    // compiler's reminder that these calls are restricted is answered here, once per call site.
    @SuppressWarnings("restricted")
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /**
     * A new capture buffer in global memory (never freed: a few bytes per loop), for a thread that makes many calls:
     * unlike a segment of a shared or automatic arena, passing it to a downcall costs no session acquire/release.
     *
     * @return the buffer
     */
    public static MemorySegment newErrnoCapture() {
        return Arena.global().allocate(CALL_STATE);
    }

    /** A per-thread buffer for {@link Linker.Option#captureCallState}; cache it for hot loops. */
    public static MemorySegment errnoCapture() {
        return CAPTURE.get();
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** Raw {@code syscall(nr, a1..a6)}; returns the result or {@code -errno}. */
    public static long syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment capture = errnoCapture();
        try {
            long r = (long) SYSCALL.invokeExact(capture, nr, a1, a2, a3, a4, a5, a6);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioUringSetup(int entries, MemorySegment params) {
        return (int) syscall(IoUring.SYS_io_uring_setup, entries, params.address(), 0, 0, 0, 0);
    }

    /**
     * {@code io_uring_enter}; may block when {@code minComplete > 0}. Uses the caller's errno capture buffer so
     * the loop thread does not look up a thread-local per call.
     */
    public static int ioUringEnter(MemorySegment capture, int ringFd, int toSubmit, int minComplete, int flags,
                                   long arg, long argSize) {
        try {
            long r = (long) SYSCALL.invokeExact(capture, (long) IoUring.SYS_io_uring_enter, (long) ringFd,
                    (long) toSubmit, (long) minComplete, (long) flags, arg, argSize);
            return r == -1 ? -errno(capture) : (int) r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code io_uring_enter} that never waits ({@code minComplete == 0}), as a critical downcall. */
    public static int ioUringEnterNoWait(MemorySegment capture, int ringFd, int toSubmit, int flags) {
        try {
            long r = (long) SYSCALL_CRITICAL.invokeExact(capture, (long) IoUring.SYS_io_uring_enter, (long) ringFd,
                    (long) toSubmit, 0L, (long) flags, 0L, 0L);
            return r == -1 ? -errno(capture) : (int) r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioUringRegister(int ringFd, int opcode, MemorySegment arg, int nrArgs) {
        return (int) syscall(IoUring.SYS_io_uring_register, ringFd, opcode, arg.address(), nrArgs, 0, 0);
    }

    /** {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset)}. */
    @SuppressWarnings("restricted") // sizes the segment the kernel or libc returned; see downcall
    public static MemorySegment mmapShared(long length, int fd, long offset) {
        MemorySegment capture = errnoCapture();
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length,
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
            if (p.address() == -1L) {
                throw new NativeCallException("mmap", errno(capture));
            }
            return p.reinterpret(length);
        } catch (NativeCallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)}: zeroed, page-aligned
     * memory of the process, faulted in on first touch; give it back with {@link #munmap}. The segment has the
     * global scope: nothing stops an access after {@code munmap}, so the caller guards its lifetime.
     *
     * @throws NativeCallException with the errno ({@code ENOMEM}: no memory, or {@code vm.max_map_count} reached)
     */
    @SuppressWarnings("restricted") // sizes the segment the kernel or libc returned; see downcall
    public static MemorySegment mmapAnonymous(long length) {
        MemorySegment capture = errnoCapture();
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (p.address() == -1L) {
                throw new NativeCallException("mmap(" + length + ", MAP_PRIVATE|MAP_ANONYMOUS)", errno(capture));
            }
            return p.reinterpret(length);
        } catch (NativeCallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code posix_memalign(&p, alignment, size)}: {@code size} bytes of uninitialised heap memory at an address
     * that is a multiple of {@code alignment} (a power of two, at least the size of a pointer); give it back with
     * {@link #free}. The segment has the global scope: the caller guards its lifetime.
     *
     * @throws NativeCallException with the error number ({@code ENOMEM}, or {@code EINVAL} for a bad alignment)
     */
    @SuppressWarnings("restricted") // sizes the segment the kernel or libc returned; see downcall
    public static MemorySegment posixMemalign(long alignment, long size) {
        MemorySegment out = POINTER_OUT.get();
        try {
            int r = (int) POSIX_MEMALIGN.invokeExact(out, alignment, size);
            if (r != 0) {
                throw new NativeCallException("posix_memalign(" + alignment + ", " + size + ")", r);
            }
            return out.get(ADDRESS, 0).reinterpret(size);
        } catch (NativeCallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code free(p)} of memory from {@link #posixMemalign}; {@code free} reports no error. */
    public static void free(MemorySegment block) {
        try {
            FREE.invokeExact(block);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code MADV_DONTNEED}: drop the pages; the mapping stays and reads zeros until written again. */
    public static final int MADV_DONTNEED = 4;

    /**
     * {@code madvise(mapping, length, advice)}: 0, or {@code -errno}.
     *
     * @param mapping a mapping of this process
     * @param advice  e.g. {@link #MADV_DONTNEED}
     * @return 0 or {@code -errno}
     */
    public static int madvise(MemorySegment mapping, int advice) {
        MemorySegment capture = errnoCapture();
        try {
            int r = (int) MADVISE.invokeExact(capture, mapping, mapping.byteSize(), advice);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(MemorySegment mapping) {
        MemorySegment capture = errnoCapture();
        try {
            int r = (int) MUNMAP.invokeExact(capture, mapping, mapping.byteSize());
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(int fd) {
        MemorySegment capture = errnoCapture();
        try {
            int r = (int) CLOSE.invokeExact(capture, fd);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long read(int fd, MemorySegment buf, long count) {
        MemorySegment capture = errnoCapture();
        try {
            long r = (long) READ.invokeExact(capture, fd, buf, count);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(int fd, MemorySegment buf, long count) {
        MemorySegment capture = errnoCapture();
        try {
            long r = (long) WRITE.invokeExact(capture, fd, buf, count);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code eventfd(initval, flags)}; callers pass {@link #EFD_CLOEXEC}. */
    public static int eventfd(int initval, int flags) {
        MemorySegment capture = errnoCapture();
        try {
            int r = (int) EVENTFD.invokeExact(capture, initval, flags);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code pipe2(fds, flags)} into {@code fds} (two ints); callers pass {@link #O_CLOEXEC}. */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment capture = errnoCapture();
        try {
            int r = (int) PIPE2.invokeExact(capture, fds, flags);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
