package io.reactiveuring.core.file;

/** The same streams without registered files or buffers. */
class ChunkStreamPlainTest extends ChunkStreamTest {
    @Override
    FileOptions fileOptions() {
        return FileOptions.defaults().withRegisteredFiles(false).withRegisteredBuffers(false);
    }
}
