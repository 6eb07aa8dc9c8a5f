package io.reactiveuring.core.file;

/** The same streams with buffered reads going through registered chunks too ({@code READ_FIXED} everywhere). */
class ChunkStreamCachedFixedTest extends ChunkStreamTest {
    @Override
    FileOptions fileOptions() {
        return FileOptions.defaults().withRegisteredBuffersForCachedReads(true);
    }
}
