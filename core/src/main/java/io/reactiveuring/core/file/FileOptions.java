package io.reactiveuring.core.file;

/**
 * How {@link RingFiles} uses a ring's registered resources, and the defaults of its streams. Each registration is used
 * by default where it pays and can be switched off; the benchmark ({@code benchmarks/run-files.sh}) measures each way.
 * <ul>
 *   <li><b>Registered files</b>: a handle that has issued {@link #fixedFileThreshold()} ops is put into its ring's
 *       sparse file table ({@code IORING_REGISTER_FILES2}, {@link #fileTableSlots()} slots, registered at the first
 *       use), and its later ops name the slot ({@code IOSQE_FIXED_FILE}): the kernel skips the fd lookup and the
 *       file reference count per op. A ring whose table is taken by someone else, or full, just goes without.</li>
 *   <li><b>Registered buffers</b>: one region of {@link #registeredBufferBytes()} per ring is registered once
 *       ({@code IORING_REGISTER_BUFFERS}) and carved into power-of-two chunks of 4 KiB to 64 KiB; reads into a new
 *       buffer of at most 64 KiB use a free chunk with {@code READ_FIXED} and emit it as a borrowed
 *       {@code UringBuffer} (its release gives the chunk back; its {@code retain()} copies). Handles opened with
 *       {@code O_DIRECT} ({@link UringOpenOption#DIRECT}) always read this way when it is on (the kernel would
 *       otherwise pin the user pages for every op); buffered reads too unless
 *       {@link #withRegisteredBuffersForCachedReads(boolean) registeredBuffersForCachedReads} is off. Measured
 *       (4 KiB random reads, median of 5 alternated rounds, {@code benchmarks/README.md}): on a cached ext4 file,
 *       where the read completes inline, registered chunks gave 1.06&times; (depth 1) and 1.09&times; (depth 32) the
 *       IOPS of pooled buffers; on tmpfs, where io_uring hands every read to an io-wq worker, 1.02&times; and
 *       0.94&times;. Most files live on disk file systems, so it is on; switch it off for a tmpfs-heavy load.
 *       Without a free chunk, or if the registration is refused ({@code ENOMEM}: the
 *       memlock limit), reads use ordinary buffers.</li>
 * </ul>
 *
 * <p>Threading: an immutable value, safe to share. Ownership: holds no resource.
 *
 * @param registeredFiles       put busy handles into the ring's file table
 * @param fixedFileThreshold    ops a handle issues before it is registered (1: at its first op)
 * @param fileTableSlots        slots of each ring's sparse file table
 * @param registeredBuffers     read into chunks of a registered region with {@code READ_FIXED} ({@code O_DIRECT}
 *                              handles, unless {@code registeredBuffersForCachedReads})
 * @param registeredBuffersForCachedReads with {@code registeredBuffers}: buffered (page-cache) reads too
 * @param registeredBufferBytes bytes of each ring's registered region (a multiple of 64 KiB)
 * @param streamWindow          default reads in flight of a chunk stream
 * @param writeWindow           writes in flight of a stream written to a file
 */
public record FileOptions(boolean registeredFiles, int fixedFileThreshold, int fileTableSlots,
                          boolean registeredBuffers, boolean registeredBuffersForCachedReads,
                          int registeredBufferBytes, int streamWindow,
                          int writeWindow) {
    /** The largest chunk a registered region hands out; larger reads use ordinary buffers. */
    public static final int MAX_FIXED_CHUNK = 64 * 1024;

    private static final FileOptions DEFAULTS = new FileOptions(true, 8, 256, true, true, 2 * 1024 * 1024, 4, 4);

    /**
     * @param registeredFiles       put busy handles into the ring's file table
     * @param fixedFileThreshold    ops before registration
     * @param fileTableSlots        slots per ring
     * @param registeredBuffers     read with {@code READ_FIXED}
     * @param registeredBuffersForCachedReads also when the handle reads through the page cache
     * @param registeredBufferBytes bytes per ring
     * @param streamWindow          default reads in flight of a chunk stream
     * @param writeWindow           writes in flight of a stream written to a file
     */
    public FileOptions {
        if (fixedFileThreshold < 1) {
            throw new IllegalArgumentException("fixedFileThreshold must be >= 1: " + fixedFileThreshold);
        }
        if (fileTableSlots < 1 || fileTableSlots > (1 << 20)) {
            throw new IllegalArgumentException("fileTableSlots must be in [1, 2^20]: " + fileTableSlots);
        }
        if (registeredBufferBytes < MAX_FIXED_CHUNK || registeredBufferBytes % MAX_FIXED_CHUNK != 0) {
            throw new IllegalArgumentException("registeredBufferBytes must be a positive multiple of 64 KiB: "
                    + registeredBufferBytes);
        }
        checkWindow(streamWindow, "streamWindow");
        checkWindow(writeWindow, "writeWindow");
    }

    /** @return registered files and buffers on (for every read), 2 MiB of registered buffers per ring, windows of 4 */
    public static FileOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param on use the ring's file table
     * @return these options with it
     */
    public FileOptions withRegisteredFiles(boolean on) {
        return new FileOptions(on, fixedFileThreshold, fileTableSlots, registeredBuffers,
                registeredBuffersForCachedReads, registeredBufferBytes, streamWindow, writeWindow);
    }

    /**
     * @param ops ops a handle issues before it is registered
     * @return these options with it
     */
    public FileOptions withFixedFileThreshold(int ops) {
        return new FileOptions(registeredFiles, ops, fileTableSlots, registeredBuffers,
                registeredBuffersForCachedReads, registeredBufferBytes, streamWindow, writeWindow);
    }

    /**
     * @param on read into registered buffers
     * @return these options with it
     */
    public FileOptions withRegisteredBuffers(boolean on) {
        return new FileOptions(registeredFiles, fixedFileThreshold, fileTableSlots, on,
                registeredBuffersForCachedReads, registeredBufferBytes, streamWindow, writeWindow);
    }

    /**
     * @param on with registered buffers on, read buffered (page-cache) files into registered chunks too, not only
     *           {@code O_DIRECT} ones
     * @return these options with it
     */
    public FileOptions withRegisteredBuffersForCachedReads(boolean on) {
        return new FileOptions(registeredFiles, fixedFileThreshold, fileTableSlots, registeredBuffers, on,
                registeredBufferBytes, streamWindow, writeWindow);
    }

    /**
     * @param openOptions how a handle was opened
     * @return true if its reads of at most {@link #MAX_FIXED_CHUNK} go into registered chunks
     */
    public boolean readsIntoRegisteredBuffers(FileOpenOptions openOptions) {
        return registeredBuffers && (registeredBuffersForCachedReads || openOptions.direct());
    }

    /**
     * @param window default reads in flight of a chunk stream
     * @return these options with it
     */
    public FileOptions withStreamWindow(int window) {
        return new FileOptions(registeredFiles, fixedFileThreshold, fileTableSlots, registeredBuffers,
                registeredBuffersForCachedReads, registeredBufferBytes, window, writeWindow);
    }

    /**
     * @param window writes in flight of a stream written to a file
     * @return these options with it
     */
    public FileOptions withWriteWindow(int window) {
        return new FileOptions(registeredFiles, fixedFileThreshold, fileTableSlots, registeredBuffers,
                registeredBuffersForCachedReads, registeredBufferBytes, streamWindow, window);
    }

    static void checkWindow(int window, String what) {
        if (window < 1 || window > 1024) {
            throw new IllegalArgumentException(what + " must be in [1, 1024]: " + window);
        }
    }
}
