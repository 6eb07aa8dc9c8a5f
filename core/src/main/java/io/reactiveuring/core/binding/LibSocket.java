package io.reactiveuring.core.binding;

import static io.reactiveuring.core.linux.Sockets.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Plain socket syscalls that the io_uring ops do not cover (or that are simpler done synchronously once, at
 * setup): {@code socket}, {@code bind}, {@code listen}, {@code setsockopt}/{@code getsockopt}, {@code getsockname},
 * {@code getpeername}, {@code socketpair}, {@code shutdown} and {@code fcntl}, as FFM downcalls; their constants
 * are in {@link io.reactiveuring.core.linux.Sockets}. Internal to the library.
 *
 * <p>Every method returns the kernel convention like {@link LibC}: a non-negative result or {@code -errno}. Every
 * socket this class creates is {@code SOCK_CLOEXEC}, whatever the caller passes. Address memory is the caller's and
 * is only used during the call (these calls are synchronous). Stateless; safe from any thread.
 */
public final class LibSocket {
    private LibSocket() {
    }

    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = LibC.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle BIND = LibC.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle LISTEN = LibC.downcall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SETSOCKOPT = LibC.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKOPT = LibC.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKNAME = LibC.downcall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle GETPEERNAME = LibC.downcall("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SOCKETPAIR = LibC.downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SHUTDOWN = LibC.downcall("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** {@code int fcntl(int fd, int cmd, ...)} with one int argument (the commands used here take an int). */
    private static final MethodHandle FCNTL = LibC.downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));

    /** {@code socket(domain, type | SOCK_CLOEXEC, protocol)}: the new fd, or {@code -errno}. */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment capture = LibC.errnoCapture();
        try {
            return result(capture, (int) SOCKET.invokeExact(capture, domain, type | SOCK_CLOEXEC, protocol));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code bind(fd, sockaddr, sockaddr.byteSize())}; encode the address with {@code net.SocketAddresses}. */
    public static int bind(int fd, MemorySegment sockaddr) {
        MemorySegment capture = LibC.errnoCapture();
        try {
            return result(capture, (int) BIND.invokeExact(capture, fd, sockaddr, (int) sockaddr.byteSize()));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    public static int listen(int fd, int backlog) {
        MemorySegment capture = LibC.errnoCapture();
        try {
            return result(capture, (int) LISTEN.invokeExact(capture, fd, backlog));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code setsockopt} of an int-valued option ({@link #SO_REUSEADDR}, {@link #SO_RCVBUF}, {@link #TCP_NODELAY}). */
    public static int setsockopt(int fd, int level, int name, int value) {
        MemorySegment capture = LibC.errnoCapture();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            return result(capture, (int) SETSOCKOPT.invokeExact(capture, fd, level, name, v, (int) v.byteSize()));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code getsockopt} of an int-valued option: its value, or {@code -errno}. Only for options whose values are
     * never negative (flags, buffer sizes, {@link #SO_ERROR}).
     */
    public static int getsockopt(int fd, int level, int name) {
        MemorySegment capture = LibC.errnoCapture();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, (int) v.byteSize());
            int r = result(capture, (int) GETSOCKOPT.invokeExact(capture, fd, level, name, v, len));
            return r < 0 ? r : v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code getsockname} into {@code storage}: the address length written, or {@code -errno}. */
    public static int getsockname(int fd, MemorySegment storage) {
        return nameCall(GETSOCKNAME, fd, storage);
    }

    /** {@code getpeername} into {@code storage}: the address length written, or {@code -errno}. */
    public static int getpeername(int fd, MemorySegment storage) {
        return nameCall(GETPEERNAME, fd, storage);
    }

    private static int nameCall(MethodHandle call, int fd, MemorySegment storage) {
        MemorySegment capture = LibC.errnoCapture();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, (int) Math.min(storage.byteSize(), Integer.MAX_VALUE));
            int r = result(capture, (int) call.invokeExact(capture, fd, storage, len));
            // The kernel reports the full length even when it truncated to the buffer.
            return r < 0 ? r : len.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code socketpair(domain, type | SOCK_CLOEXEC, protocol, fds)}: two fds into {@code fds} (two ints). */
    public static int socketpair(int domain, int type, int protocol, MemorySegment fds) {
        MemorySegment capture = LibC.errnoCapture();
        try {
            return result(capture, (int) SOCKETPAIR.invokeExact(capture, domain, type | SOCK_CLOEXEC, protocol, fds));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    public static int shutdown(int fd, int how) {
        MemorySegment capture = LibC.errnoCapture();
        try {
            return result(capture, (int) SHUTDOWN.invokeExact(capture, fd, how));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code fcntl(fd, cmd, arg)} for the int-argument commands ({@link #F_GETFL}, {@link #F_SETFL}, ...). */
    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment capture = LibC.errnoCapture();
        try {
            return result(capture, (int) FCNTL.invokeExact(capture, fd, cmd, arg));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Sets or clears {@code O_NONBLOCK} on {@code fd}; 0 or {@code -errno}. */
    public static int setNonBlocking(int fd, boolean nonBlocking) {
        int flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0) {
            return flags;
        }
        int updated = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        return updated == flags ? 0 : fcntl(fd, F_SETFL, updated);
    }

    private static int result(MemorySegment capture, int r) {
        return r == -1 ? -LibC.errno(capture) : r;
    }
}
