package io.reactiveuring.core.file;

/** The same boundaries without registered files or buffers: plain {@code READ}/{@code WRITE} on the fd. */
class FileHandlePlainReadWriteTest extends FileHandleReadWriteTest {
    @Override
    FileOptions fileOptions() {
        return FileOptions.defaults().withRegisteredFiles(false).withRegisteredBuffers(false);
    }
}
