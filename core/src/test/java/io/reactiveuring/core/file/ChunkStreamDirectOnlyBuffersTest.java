package io.reactiveuring.core.file;

/** The same streams with registered buffers for {@code O_DIRECT} handles only: buffered reads use pooled ones. */
class ChunkStreamDirectOnlyBuffersTest extends ChunkStreamTest {
    @Override
    FileOptions fileOptions() {
        return FileOptions.defaults().withRegisteredBuffersForCachedReads(false);
    }
}
