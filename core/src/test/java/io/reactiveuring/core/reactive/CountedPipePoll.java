package io.reactiveuring.core.reactive;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.engine.OpSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A multishot poll that yields exactly {@code elements} items, then completes: a test fixture for the TCK.
 *
 * <p>Why a fixture: the kernel posts one multishot-poll CQE per wake-up, but merges wake-ups that come before the
 * previous one was processed, so N writes from another thread give between 1 and N CQEs. Here the source is a
 * pipe that holds at most one byte at a time: each {@link #item} (on the loop thread, in CQE order) reads the
 * byte and only then writes the next one, so every byte makes exactly one CQE, whether the poll is armed at that
 * moment (a wake-up) or disarmed (the next arm finds the pipe readable). After the last byte the write end is
 * closed; the resulting {@code POLLHUP} ends the stream through {@link PollCall#untilHangup}.
 * {@code Long.MAX_VALUE} elements: never ends. Created at the subscription's first arm; fds closed in
 * {@link #release()}.
 */
final class CountedPipePoll implements MultishotCall<Integer> {
    private final long elements;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment oneByte = arena.allocate(1);
    private final int readFd;
    private int writeFd;
    private final PollCall poll;
    private long written;

    CountedPipePoll(long elements) {
        this.elements = elements;
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        int r = LibC.pipe2(fds, LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        if (r < 0) {
            arena.close();
            throw new IllegalStateException("pipe2: " + r);
        }
        readFd = fds.get(JAVA_INT, 0);
        writeFd = fds.get(JAVA_INT, 4);
        poll = PollCall.untilHangup(readFd, Poll.POLLIN);
        produceNext();
    }

    /** The next byte, or the hang-up once every element was produced. */
    private void produceNext() {
        if (elements == Long.MAX_VALUE || written < elements) {
            written++;
            if (LibC.write(writeFd, oneByte, 1) != 1) {
                throw new IllegalStateException("pipe write failed");
            }
        } else if (writeFd >= 0) {
            LibC.close(writeFd);
            writeFd = -1;
        }
    }

    @Override
    public OpSpec spec() {
        return poll.spec();
    }

    @Override
    public boolean endOfStream(int res, int flags) {
        return poll.endOfStream(res, flags);
    }

    @Override
    public Integer item(int res, int flags) {
        if (LibC.read(readFd, oneByte, 1) != 1) {
            throw new IllegalStateException("a ready mask without its byte: 0x" + Integer.toHexString(res));
        }
        produceNext();
        return poll.item(res, flags);
    }

    @Override
    public void release() {
        LibC.close(readFd);
        if (writeFd >= 0) {
            LibC.close(writeFd);
            writeFd = -1;
        }
        arena.close();
    }
}
