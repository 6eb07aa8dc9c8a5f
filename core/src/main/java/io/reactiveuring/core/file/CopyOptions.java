package io.reactiveuring.core.file;

import java.nio.file.CopyOption;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * How {@link RingFiles#copy} copies. By default: into a new file only ({@code FileAlreadyExistsException} if the
 * target exists, as {@code Files.copy}), through {@code splice(2)} via a pipe in chunks of up to 1 MiB (the pipe is
 * grown to the chunk size where the system allows), without a final {@code fsync}.
 *
 * <p>Threading: an immutable value, safe to share. Ownership: holds no resource.
 *
 * @param replaceExisting an existing target is truncated and overwritten ({@code REPLACE_EXISTING})
 * @param splice          move the bytes with {@code splice(2)} (no byte through user memory); false: read/write
 *                        through the ring with owned buffers (also the automatic fallback where splice is refused)
 * @param chunkSize       bytes per splice pair or per read/write
 * @param fsync           sync the target before completing
 */
public record CopyOptions(boolean replaceExisting, boolean splice, int chunkSize, boolean fsync) {
    private static final CopyOptions DEFAULTS = new CopyOptions(false, true, 1 << 20, false);

    /**
     * @param replaceExisting overwrite an existing target
     * @param splice          use splice
     * @param chunkSize       bytes per step, in {@code [4096, 1 GiB]}
     * @param fsync           sync the target at the end
     */
    public CopyOptions {
        if (chunkSize < 4096 || chunkSize > (1 << 30)) {
            throw new IllegalArgumentException("chunkSize must be in [4096, 2^30]: " + chunkSize);
        }
    }

    /** @return the defaults */
    public static CopyOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The JDK's copy options: {@code REPLACE_EXISTING}; {@code COPY_ATTRIBUTES} (the permissions are copied
     * anyway; times are not); {@code NOFOLLOW_LINKS} is refused, as is {@code ATOMIC_MOVE}.
     *
     * @param options the options
     * @return these copy options
     * @throws UnsupportedOperationException for an option that is not supported
     */
    public static CopyOptions of(CopyOption... options) {
        Objects.requireNonNull(options, "options");
        CopyOptions o = DEFAULTS;
        for (CopyOption c : options) {
            Objects.requireNonNull(c, "option");
            if (c == StandardCopyOption.REPLACE_EXISTING) {
                o = o.withReplaceExisting(true);
            } else if (c != StandardCopyOption.COPY_ATTRIBUTES) {
                throw new UnsupportedOperationException("unsupported copy option: " + c
                        + (c == LinkOption.NOFOLLOW_LINKS ? " (the source is always followed)" : ""));
            }
        }
        return o;
    }

    /**
     * @param replace overwrite an existing target
     * @return these options with it
     */
    public CopyOptions withReplaceExisting(boolean replace) {
        return new CopyOptions(replace, splice, chunkSize, fsync);
    }

    /**
     * @param on use splice (false: read/write through owned buffers)
     * @return these options with it
     */
    public CopyOptions withSplice(boolean on) {
        return new CopyOptions(replaceExisting, on, chunkSize, fsync);
    }

    /**
     * @param bytes bytes per step
     * @return these options with it
     */
    public CopyOptions withChunkSize(int bytes) {
        return new CopyOptions(replaceExisting, splice, bytes, fsync);
    }

    /**
     * @param on sync the target at the end
     * @return these options with it
     */
    public CopyOptions withFsync(boolean on) {
        return new CopyOptions(replaceExisting, splice, chunkSize, on);
    }
}
