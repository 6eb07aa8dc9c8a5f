package io.reactiveuring.core.binding;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct iovec} (include/uapi/linux/uio.h): a base address and a length, 16 bytes on 64-bit Linux. Arrays of
 * it describe scatter/gather I/O ({@code READV}/{@code WRITEV}) and buffer registration
 * ({@code IORING_REGISTER_BUFFERS}).
 *
 * <p>Stateless; safe from any thread.
 */
public final class IovecLayout {
    private IovecLayout() {
    }

    /** {@code UIO_MAXIOV}: the kernel refuses longer iovec arrays with {@code EINVAL}. */
    public static final int UIO_MAXIOV = 1024;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long IOV_BASE = LAYOUT.byteOffset(groupElement("iov_base"));
    public static final long IOV_LEN = LAYOUT.byteOffset(groupElement("iov_len"));

    /**
     * Rejects an iovec array the kernel would refuse: none, or more than {@link #UIO_MAXIOV}.
     *
     * @param count the number of buffers
     * @throws IllegalArgumentException if {@code count} is not in {@code [1, UIO_MAXIOV]}
     */
    public static void checkCount(int count) {
        if (count < 1 || count > UIO_MAXIOV) {
            throw new IllegalArgumentException("an iovec array takes 1.." + UIO_MAXIOV + " buffers, got " + count);
        }
    }

    /** Writes entry {@code index} of the iovec array {@code array}: base address and length of {@code target}. */
    public static void set(MemorySegment array, int index, MemorySegment target) {
        long at = index * SIZE;
        array.set(JAVA_LONG, at + IOV_BASE, target.address());
        array.set(JAVA_LONG, at + IOV_LEN, target.byteSize());
    }
}
