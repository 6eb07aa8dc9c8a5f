package io.reactiveuring.core.file;

import io.reactiveuring.core.engine.UringLoop;
import org.reactivestreams.Subscriber;

import java.nio.file.Path;

/**
 * The subscription of {@link RingFiles#open}: one {@code openat} through the ring, emitting the new
 * {@link FileHandle}. A handle that arrives after a cancel is closed.
 *
 * <p>Threading: see {@link LoopTask}. Ownership: the emitted handle is the subscriber's to close.
 */
final class OpenTask extends LoopTask<FileHandle> {
    private final RingFiles files;
    private final Path path;
    private final FileOpenOptions options;
    private CallbackOp op;

    OpenTask(RingFiles files, UringLoop loop, Path path, FileOpenOptions options,
             Subscriber<? super FileHandle> actual) {
        super(loop, actual);
        this.files = files;
        this.path = path;
        this.options = options;
    }

    @Override
    void start() {
        op = files.openOn(loop, path, options, (handle, error) -> {
            op = null;
            if (error != null) {
                fail(error);
            } else if (isCancelled()) {
                handle.close();
            } else {
                complete(handle);
            }
        });
    }

    @Override
    void onCancel() {
        CallbackOp o = op;
        if (o != null) {
            loop.cancel(o); // an open that waits (a FIFO) ends; one that completes anyway is closed
        }
    }

    @Override
    String describe() {
        return "OPENAT " + path;
    }
}
