package io.reactiveuring.core.file;

import java.nio.file.OpenOption;

/**
 * Open options beyond {@link java.nio.file.StandardOpenOption}, for {@link RingFiles#open} and the channels built on
 * it. {@code StandardOpenOption.SYNC} and {@code DSYNC} already give {@code O_SYNC} and {@code O_DSYNC}.
 *
 * <p>Threading: constants, safe everywhere. Ownership: nothing to own.
 */
public enum UringOpenOption implements OpenOption {
    /**
     * {@code O_DIRECT}: I/O bypasses the page cache. The kernel then wants the buffer address, the length and the
     * file offset aligned to the device's logical block size (often 512 or 4096): reads and writes that are not
     * fail with {@code EINVAL}. Buffers of the library's allocator are aligned to {@code min(size class, 4096)}.
     */
    DIRECT,
    /** {@code O_NOATIME}: reads do not update the access time (only for the file's owner, else {@code EPERM}). */
    NOATIME
}
