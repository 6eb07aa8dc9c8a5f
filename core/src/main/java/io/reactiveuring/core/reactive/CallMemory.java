package io.reactiveuring.core.reactive;

import io.reactiveuring.core.buffer.BufferAllocator;
import io.reactiveuring.core.buffer.UringBuffer;
import io.reactiveuring.core.ops.OpMemory;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The two ownership patterns the op catalogue's calls share, written once: per-subscription struct memory
 * ({@link #withMemory}), and a result buffer that either goes to the subscriber, goes to the discard hook, or is
 * released with the call ({@link ResultBuffer}). Package-private helpers; used on the requesting thread to build a
 * call and on the loop thread afterwards.
 */
final class CallMemory {
    private CallMemory() {
    }

    /**
     * Builds a call over fresh {@link OpMemory} that is released with the call; if building fails, the memory is
     * released at once and the failure propagates (the subscriber gets it as {@code onError}).
     */
    static <T> Call<T> withMemory(BufferAllocator allocator, Function<OpMemory, Call.Builder<T>> build) {
        OpMemory memory = OpMemory.of(allocator);
        try {
            return build.apply(memory).onRelease(memory::release).build();
        } catch (RuntimeException | Error e) {
            memory.release();
            throw e;
        }
    }

    /**
     * A buffer the kernel fills: handed to the subscriber with {@link #take}, or to the discard hook with
     * {@link #discard}, and otherwise released by {@link #releaseIfKept} when the call ends.
     */
    static final class ResultBuffer {
        final UringBuffer buffer;
        private final Consumer<? super UringBuffer> discard;
        private boolean handedOut;

        ResultBuffer(UringBuffer buffer, Consumer<? super UringBuffer> discard) {
            this.buffer = buffer;
            this.discard = discard != null ? discard : UringBuffer::release;
        }

        /** The buffer with {@code res} bytes written, now owned by the subscriber. */
        UringBuffer take(int res) {
            handedOut = true;
            return buffer.advanceWriterIndex(res);
        }

        /** A result nobody will receive: the buffer with its bytes goes to the discard hook. */
        void discard(int res, int flags) {
            discard.accept(take(res));
        }

        void releaseIfKept() {
            if (!handedOut) {
                buffer.release();
            }
        }
    }
}
