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
}
