package io.reactiveuring.core;

import io.reactiveuring.core.linux.Errno;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

/** Errno names and the {@link UringException} family: subtype by errno, and the message format. */
class ErrnoAndExceptionTest {

    @Test
    void errnoNamesMatchTheLinuxHeaders() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("EBADF", Errno.name(Errno.EBADF));
        assertEquals(11, Errno.EAGAIN);
        assertEquals("EAGAIN", Errno.name(11));
        assertEquals(125, Errno.ECANCELED);
        assertEquals("ECANCELED", Errno.name(125));
        assertEquals(62, Errno.ETIME);
        assertEquals("ETIME", Errno.name(62));
        assertEquals(114, Errno.EALREADY);
        assertEquals("EALREADY", Errno.name(114));
        assertEquals(105, Errno.ENOBUFS);
        assertEquals("ENOBUFS", Errno.name(105));
        assertEquals(53, Errno.EBADR);
        assertEquals("EBADR", Errno.name(53));
        assertEquals("EHWPOISON", Errno.name(133));
        assertEquals("ECANCELED", Errno.name(-125), "a CQE's negative res is named too");
        assertEquals("E41", Errno.name(41), "no errno 41 on Linux");
        assertEquals("E999", Errno.name(999));
    }

    @Test
    void ecanceledIsACancellation() {
        UringException e = UringException.of(-125, "READ fd=3");
        assertInstanceOf(UringCancelledException.class, e);
        assertEquals(125, e.errno());
        assertEquals("ECANCELED", e.errnoName());
        assertTrue(UringCancelledException.isCancellation(e));
        assertTrue(UringCancelledException.isCancellation(new CancellationException()));
        assertFalse(UringCancelledException.isCancellation(UringException.of(-9, "READ fd=3")));
    }

    @Test
    void otherErrnosAreAPlainUringExceptionWithTheDocumentedMessage() {
        UringException e = UringException.of(-9, "READ fd=42");
        assertEquals(UringException.class, e.getClass());
        assertEquals("EBADF (9) from READ fd=42", e.getMessage());
        assertEquals(9, e.errno());
        assertEquals("EBADF", e.errnoName());
        assertEquals("READ fd=42", e.operation());
        assertEquals(e.getMessage(), UringException.of(9, "READ fd=42").getMessage(), "sign does not matter");
    }

    @Test
    void brokenLinkIsNotACancellation() {
        UringLinkBrokenException e = new UringLinkBrokenException("WRITE fd=5");
        assertEquals(Errno.ECANCELED, e.errno());
        assertFalse(UringCancelledException.isCancellation(e));
        assertTrue(e.getMessage().startsWith("ECANCELED (125) from WRITE fd=5"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void kernelErrorsAreTheJdksOwnTypesWhereItHasOneAndAllTellTheirErrno() {
        record Case(int errno, Class<?> type) {
        }
        java.util.List<Case> cases = java.util.List.of(
                new Case(Errno.ENOENT, java.nio.file.NoSuchFileException.class),
                new Case(Errno.EEXIST, java.nio.file.FileAlreadyExistsException.class),
                new Case(Errno.EACCES, java.nio.file.AccessDeniedException.class),
                new Case(Errno.EPERM, java.nio.file.AccessDeniedException.class),
                new Case(Errno.ENOTDIR, java.nio.file.NotDirectoryException.class),
                new Case(Errno.ENOTEMPTY, java.nio.file.DirectoryNotEmptyException.class),
                new Case(Errno.EISDIR, java.nio.file.FileSystemException.class),
                new Case(Errno.ECONNREFUSED, java.net.ConnectException.class),
                new Case(Errno.EADDRINUSE, java.net.BindException.class),
                new Case(Errno.EHOSTUNREACH, java.net.NoRouteToHostException.class),
                new Case(Errno.ETIMEDOUT, java.net.SocketTimeoutException.class),
                new Case(Errno.ECONNRESET, java.net.SocketException.class),
                new Case(Errno.EPIPE, java.net.SocketException.class),
                new Case(Errno.ECANCELED, UringCancelledException.class),
                new Case(Errno.EBADF, UringException.class));
        for (Case c : cases) {
            Exception e = UringErrors.of(-c.errno(), "OPENAT /x", "/x");
            assertTrue(c.type().isInstance(e), () -> Errno.name(c.errno()) + " is " + e.getClass());
            UringError u = assertInstanceOf(UringError.class, e);
            assertEquals(c.errno(), u.errno());
            assertEquals(Errno.name(c.errno()), u.errnoName());
            assertEquals("OPENAT /x", u.operation());
            assertTrue(e.getMessage().contains(Errno.name(c.errno()) + " (" + c.errno() + ") from OPENAT /x"),
                    e.getMessage());
            assertEquals(c.errno(), UringError.errnoOf(new RuntimeException("wrapped", e)));
        }
        assertTrue(UringCancelledException.isCancellation(UringErrors.of(-Errno.ECANCELED, "READ")));
        assertInstanceOf(java.io.IOException.class, UringErrors.of(-Errno.ENOENT, "OPENAT"));
    }
}
