package io.reactiveuring.core.file;

/** The same boundaries with registered buffers for {@code O_DIRECT} handles only: buffered reads use pooled ones. */
class FileHandleDirectOnlyBuffersReadWriteTest extends FileHandleReadWriteTest {
    @Override
    FileOptions fileOptions() {
        return FileOptions.defaults().withRegisteredBuffersForCachedReads(false);
    }
}
