package io.reactiveuring.core.ops;

import io.reactiveuring.core.linux.FileFlags;

/**
 * The arguments of {@code openat2}: open {@code flags} ({@code O_*}), creation {@code mode} and {@code resolve}
 * ({@code RESOLVE_*}, e.g. {@link FileFlags#RESOLVE_BENEATH} to refuse paths that leave the directory). Written to
 * a {@code struct open_how} by {@link FileOps#openat2}. {@code O_CLOEXEC} is added there, always.
 *
 * <p>Immutable; checked on construction as the kernel would check it ({@code EINVAL}).
 *
 * <p>Threading: immutable, so safe to share between threads. Ownership: a plain value; it holds no native memory.
 *
 * @param flags the open flags ({@code O_*})
 * @param mode the mode of a created file (permission bits, {@code 07777} at most); 0 unless {@code O_CREAT} or
 *             {@code O_TMPFILE} is set
 * @param resolve how the path may be resolved ({@code RESOLVE_*} bits)
 */
public record OpenHow(int flags, int mode, long resolve) {
    /**
     * Checks the arguments as the kernel would.
     *
     * @param flags the open flags ({@code O_*})
     * @param mode the mode of a created file
     * @param resolve the {@code RESOLVE_*} bits
     * @throws IllegalArgumentException for unknown {@code RESOLVE_*} bits, a mode outside {@code 07777}, or a mode
     *                                  without {@code O_CREAT}/{@code O_TMPFILE}
     */
    public OpenHow {
        if ((resolve & ~FileFlags.RESOLVE_ALL) != 0) {
            throw new IllegalArgumentException("unknown RESOLVE_* bits: 0x" + Long.toHexString(resolve));
        }
        FileOps.checkMode(flags, mode);
    }

    /** Opening an existing file: {@code flags}, no mode, {@code resolve}. */
    public static OpenHow of(int flags, long resolve) {
        return new OpenHow(flags, 0, resolve);
    }
}
