package io.reactiveuring.core.file;

/** The same boundaries with buffered reads going through registered chunks too ({@code READ_FIXED} everywhere). */
class FileHandleCachedFixedReadWriteTest extends FileHandleReadWriteTest {
    @Override
    FileOptions fileOptions() {
        return FileOptions.defaults().withRegisteredBuffersForCachedReads(true);
    }
}
