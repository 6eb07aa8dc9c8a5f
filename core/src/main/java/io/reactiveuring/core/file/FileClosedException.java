package io.reactiveuring.core.file;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An op was asked of a {@link FileHandle} that is closed (or closing): it never reaches the kernel, so it can never
 * hit another file that reused the fd number. The message names the file and the op.
 *
 * <p>Threading: immutable, safe to share. Ownership: holds no resource.
 */
public final class FileClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    /**
     * @param path the file
     * @param op   what was asked, e.g. {@code "read"}
     */
    public FileClosedException(Path path, String op) {
        super("file " + path + " is closed: " + op + " refused");
        this.path = Objects.requireNonNull(path, "path");
    }

    /** @return the file the closed handle was open on */
    public Path path() {
        return path;
    }
}
