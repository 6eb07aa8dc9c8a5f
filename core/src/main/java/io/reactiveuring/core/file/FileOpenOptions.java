package io.reactiveuring.core.file;

import io.reactiveuring.core.linux.FileFlags;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * What a set of {@link OpenOption}s and {@link FileAttribute}s means for {@code openat(2)}: the {@code O_*} flags,
 * the permission bits of a created file, and what the handle may do. The rules are the JDK's own for
 * {@code FileChannel.open} on Linux, so that the same options behave the same way: with neither {@code READ},
 * {@code WRITE} nor {@code APPEND} the file is opened for reading; {@code CREATE}, {@code CREATE_NEW} and
 * {@code TRUNCATE_EXISTING} count only when writing; {@code READ} with {@code APPEND}, and {@code APPEND} with
 * {@code TRUNCATE_EXISTING}, are refused; {@code CREATE_NEW} does not follow a symbolic link; a created file gets
 * {@code 0666} (minus the umask) unless a {@code posix:permissions} attribute says otherwise; {@code SPARSE} is a
 * hint without effect. Extras: {@link UringOpenOption#DIRECT} ({@code O_DIRECT}) and {@link UringOpenOption#NOATIME};
 * {@code SYNC}/{@code DSYNC} give {@code O_SYNC}/{@code O_DSYNC}, {@link LinkOption#NOFOLLOW_LINKS} {@code O_NOFOLLOW}.
 *
 * <p>Threading: an immutable value, safe to share. Ownership: holds no resource.
 *
 * @param flags         the {@code O_*} flags for {@code openat} ({@code O_CLOEXEC} is added by the op itself)
 * @param mode          the permission bits for a created file, or 0 when the open cannot create one
 * @param readable      opened for reading
 * @param writable      opened for writing
 * @param append        {@code O_APPEND}: every write goes to the end, whatever its position
 * @param deleteOnClose {@code DELETE_ON_CLOSE}: the file is unlinked once the handle has closed
 */
public record FileOpenOptions(int flags, int mode, boolean readable, boolean writable, boolean append,
                              boolean deleteOnClose) {
    /** The permissions of a file created without a {@code posix:permissions} attribute, before the umask. */
    public static final int DEFAULT_MODE = 0666;

    /** Reading only: {@code O_RDONLY}. */
    public static final FileOpenOptions READ = of(StandardOpenOption.READ);

    /**
     * The options of {@code Files.write} and {@code Files.newOutputStream} without options: {@code CREATE},
     * {@code TRUNCATE_EXISTING}, {@code WRITE}.
     */
    public static final FileOpenOptions WRITE_NEW_OR_TRUNCATE = of(StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);

    /**
     * @param flags         the {@code O_*} flags
     * @param mode          permission bits, or 0
     * @param readable      opened for reading
     * @param writable      opened for writing
     * @param append        {@code O_APPEND}
     * @param deleteOnClose unlink after close
     */
    public FileOpenOptions {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode must be in [0, 07777]: 0" + Integer.toOctalString(mode));
        }
    }

    /** @return true if the file was opened with {@code O_DIRECT}: I/O bypasses the page cache */
    public boolean direct() {
        return (flags & FileFlags.O_DIRECT) != 0;
    }

    /**
     * @param options the options
     * @return what they mean
     * @throws IllegalArgumentException      for a combination the JDK refuses too
     * @throws UnsupportedOperationException for an option this library does not know
     */
    public static FileOpenOptions of(OpenOption... options) {
        Objects.requireNonNull(options, "options");
        return of(Arrays.asList(options));
    }

    /**
     * @param options    the options
     * @param attributes initial attributes of a created file: only {@code posix:permissions}
     * @return what they mean
     * @throws IllegalArgumentException      for a combination the JDK refuses too
     * @throws UnsupportedOperationException for an option or attribute this library does not know
     */
    public static FileOpenOptions of(Set<? extends OpenOption> options, FileAttribute<?>... attributes) {
        Objects.requireNonNull(options, "options");
        return of((Collection<? extends OpenOption>) options, attributes);
    }

    private static FileOpenOptions of(Collection<? extends OpenOption> options, FileAttribute<?>... attributes) {
        boolean read = false;
        boolean write = false;
        boolean append = false;
        boolean truncate = false;
        boolean create = false;
        boolean createNew = false;
        boolean deleteOnClose = false;
        int extra = 0;
        for (OpenOption o : options) {
            Objects.requireNonNull(o, "option");
            if (o instanceof StandardOpenOption s) {
                switch (s) {
                    case READ -> read = true;
                    case WRITE -> write = true;
                    case APPEND -> append = true;
                    case TRUNCATE_EXISTING -> truncate = true;
                    case CREATE -> create = true;
                    case CREATE_NEW -> createNew = true;
                    case DELETE_ON_CLOSE -> deleteOnClose = true;
                    case SPARSE -> { } // a hint; Linux files are sparse anyway
                    case SYNC -> extra |= FileFlags.O_SYNC;
                    case DSYNC -> extra |= FileFlags.O_DSYNC;
                }
            } else if (o == LinkOption.NOFOLLOW_LINKS) {
                extra |= FileFlags.O_NOFOLLOW;
            } else if (o == UringOpenOption.DIRECT) {
                extra |= FileFlags.O_DIRECT;
            } else if (o == UringOpenOption.NOATIME) {
                extra |= FileFlags.O_NOATIME;
            } else {
                throw new UnsupportedOperationException("unsupported open option: " + o);
            }
        }
        if (read && append) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (append && truncate) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        if (append) {
            write = true;
        }
        if (!read && !write) {
            read = true;
        }
        int flags = read && write ? FileFlags.O_RDWR : write ? FileFlags.O_WRONLY : FileFlags.O_RDONLY;
        boolean creates = false;
        if (write) {
            if (truncate) {
                flags |= FileFlags.O_TRUNC;
            }
            if (append) {
                flags |= FileFlags.O_APPEND;
            }
            if (createNew) {
                // as the JDK: a new file is never reached through a symbolic link
                flags |= FileFlags.O_CREAT | FileFlags.O_EXCL | FileFlags.O_NOFOLLOW;
                creates = true;
            } else if (create) {
                flags |= FileFlags.O_CREAT;
                creates = true;
            }
        }
        int mode = permissions(attributes);
        return new FileOpenOptions(flags | extra, creates ? mode : 0, read, write, append, deleteOnClose);
    }

    /** The mode of a {@code posix:permissions} (or {@code unix:permissions}) attribute, else {@link #DEFAULT_MODE}. */
    private static int permissions(FileAttribute<?>... attributes) {
        Objects.requireNonNull(attributes, "attributes");
        int mode = DEFAULT_MODE;
        for (FileAttribute<?> a : attributes) {
            Objects.requireNonNull(a, "attribute");
            String name = a.name();
            if (!name.equals("posix:permissions") && !name.equals("unix:permissions")) {
                throw new UnsupportedOperationException("'" + name + "' not supported as initial attribute");
            }
            mode = 0;
            for (Object p : (Set<?>) a.value()) {
                mode |= bit((PosixFilePermission) p);
            }
        }
        return mode;
    }

    private static int bit(PosixFilePermission p) {
        return switch (p) {
            case OWNER_READ -> 0400;
            case OWNER_WRITE -> 0200;
            case OWNER_EXECUTE -> 0100;
            case GROUP_READ -> 040;
            case GROUP_WRITE -> 020;
            case GROUP_EXECUTE -> 010;
            case OTHERS_READ -> 04;
            case OTHERS_WRITE -> 02;
            case OTHERS_EXECUTE -> 01;
        };
    }

    /**
     * @param permissions permission bits ({@code 0644})
     * @return these options creating files with them
     */
    public FileOpenOptions withMode(int permissions) {
        boolean creates = (flags & FileFlags.O_CREAT) != 0;
        return new FileOpenOptions(flags, creates ? permissions : 0, readable, writable, append, deleteOnClose);
    }
}
