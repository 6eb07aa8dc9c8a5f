package io.reactiveuring.core.reactive;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.linux.IoUring;
import io.reactiveuring.core.linux.Poll;
import io.reactiveuring.core.linux.Sockets;

import java.util.Objects;

/**
 * The general {@link OpCall}: a spec, how to retry it, and three small functions (result, discard, release), so each
 * op of the catalogue is a few lines in a {@code *Calls} class rather than a class of its own. Built in one step
 * with {@link #builder}; the nowait variant for USER mode is derived from the spec only when asked for.
 *
 * <p>Threading: immutable once built; one instance per subscription (or one shared by all, for calls that hold no
 * memory); used on the loop thread after submission. Ownership: memory its functions refer to is released by
 * {@link #release()}, once, after the subscription's last CQE.
 *
 * @param <T> the emitted value
 */
public final class Call<T> implements OpCall<T> {
    /** Maps a successful CQE to the emitted value. */
    @FunctionalInterface
    public interface Result<T> {
        /**
         * @param res   the CQE's result
         * @param flags its flags
         * @return the value
         */
        T map(int res, int flags);
    }

    /** Disposes of a successful CQE nobody will receive (close its fd, release its buffer). */
    @FunctionalInterface
    public interface Discard {
        /**
         * @param res   the CQE's result
         * @param flags its flags
         */
        void discard(int res, int flags);
    }

    /** How the nowait variant of a spec is made, for USER-mode retry. */
    public enum Nowait {
        /** None: the op is always submitted as it is. */
        NONE,
        /** {@code RWF_NOWAIT} in {@code rw_flags} (read, write). */
        RW_FLAGS,
        /** {@code MSG_DONTWAIT} in {@code msg_flags} (send, recv, sendmsg, recvmsg). */
        MSG_FLAGS,
        /** {@code IORING_ACCEPT_DONTWAIT} in the accept flags ({@code ioprio}). */
        ACCEPT;

        OpSpec apply(OpSpec s) {
            return switch (this) {
                case NONE -> null;
                case RW_FLAGS -> s.withOpFlags(s.opFlags() | Poll.RWF_NOWAIT);
                case MSG_FLAGS -> s.withOpFlags(s.opFlags() | Sockets.MSG_DONTWAIT);
                case ACCEPT -> s.withIoprio(s.ioprio() | IoUring.IORING_ACCEPT_DONTWAIT);
            };
        }
    }

    private static final Result<Integer> RES = (res, flags) -> res;

    private final OpSpec spec;
    private final Nowait nowait;
    private final int readiness;
    private final boolean regularFile;
    private final Result<T> result;
    private final Discard discard;
    private final Runnable release;
    private final int successErrno;
    private final boolean closesLateFd;
    private final String description;
    private final String file;
    private final java.util.function.IntSupplier fallback;

    private Call(Builder<T> b) {
        this.spec = b.spec;
        this.nowait = b.nowait;
        this.readiness = b.readiness;
        this.regularFile = b.regularFile;
        this.result = b.result;
        this.discard = b.discard;
        this.release = b.release;
        this.successErrno = b.successErrno;
        this.closesLateFd = b.closesLateFd;
        this.description = b.description;
        this.file = b.file;
        this.fallback = b.fallback;
    }

    /**
     * A call that emits what {@code result} makes of the CQE, never retried.
     *
     * @param spec   the SQE
     * @param result the value of a successful CQE
     * @param <T>    the value type
     * @return the call
     */
    public static <T> Call<T> of(OpSpec spec, Result<T> result) {
        return builder(spec, result).build();
    }

    /**
     * A call that emits {@code res}, never retried.
     *
     * @param spec the SQE
     * @return the call
     */
    public static Call<Integer> of(OpSpec spec) {
        return builder(spec).build();
    }

    /**
     * A builder for a call that emits what {@code result} makes of the CQE.
     *
     * @param spec   the SQE
     * @param result the value of a successful CQE
     * @param <T>    the value type
     * @return the builder
     */
    public static <T> Builder<T> builder(OpSpec spec, Result<T> result) {
        return new Builder<>(spec, result);
    }

    /**
     * A builder for a call that emits {@code res}.
     *
     * @param spec the SQE
     * @return the builder
     */
    public static Builder<Integer> builder(OpSpec spec) {
        return new Builder<>(spec, RES);
    }

    @Override
    public String describe() {
        return description != null ? description : spec.describe();
    }

    @Override
    public String file() {
        return file;
    }

    @Override
    public java.util.function.IntSupplier fallback() {
        return fallback;
    }

    @Override
    public boolean closesLateResult() {
        return closesLateFd;
    }

    @Override
    public boolean succeeded(int res) {
        return res >= 0 || (successErrno != 0 && res == -successErrno);
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    /** Derived on demand: only USER mode asks for it, so KERNEL mode never builds the second spec. */
    @Override
    public OpSpec nowaitSpec() {
        return nowait.apply(spec);
    }

    @Override
    public int readiness() {
        return readiness;
    }

    @Override
    public boolean regularFile() {
        return regularFile;
    }

    @Override
    public T result(int res, int flags) {
        return result.map(res, flags);
    }

    @Override
    public void discardResult(int res, int flags) {
        if (discard != null) {
            discard.discard(res, flags);
        }
    }

    @Override
    public void release() {
        if (release != null) {
            release.run();
        }
    }

    private static void closeFd(int fd, int flags) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    /**
     * Builds a {@link Call} in one step. Not thread-safe; short-lived.
     *
     * @param <T> the emitted value
     */
    public static final class Builder<T> {
        private final OpSpec spec;
        private final Result<T> result;
        private Nowait nowait = Nowait.NONE;
        private int readiness;
        private boolean regularFile;
        private Discard discard;
        private Runnable release;
        private int successErrno;
        private boolean closesLateFd;
        private String description;
        private String file;
        private java.util.function.IntSupplier fallback;

        private Builder(OpSpec spec, Result<T> result) {
            this.spec = Objects.requireNonNull(spec, "spec");
            this.result = Objects.requireNonNull(result, "result");
        }

        /**
         * Retried through readiness polls of {@code events} on a pollable fd.
         *
         * @param events {@code Poll.READABLE} or {@code Poll.WRITABLE}
         * @param how    how its USER-mode variant is made
         * @return this builder
         */
        public Builder<T> pollable(int events, Nowait how) {
            this.readiness = events;
            this.regularFile = false;
            this.nowait = Objects.requireNonNull(how, "how");
            return this;
        }

        /**
         * A regular-file op: USER mode tries the {@code RWF_NOWAIT} variant first and re-issues plainly on EAGAIN.
         *
         * @return this builder
         */
        public Builder<T> regularFile() {
            this.readiness = 0;
            this.regularFile = true;
            this.nowait = Nowait.RW_FLAGS;
            return this;
        }

        /** @param d what to do with a successful result that nobody will receive @return this builder */
        public Builder<T> onDiscard(Discard d) {
            this.discard = d;
            return this;
        }

        /** @param r what to free after the last CQE (run after what is already set) @return this builder */
        public Builder<T> onRelease(Runnable r) {
            Objects.requireNonNull(r, "release");
            Runnable first = release;
            this.release = first == null ? r : () -> {
                try {
                    first.run();
                } finally {
                    r.run();
                }
            };
            return this;
        }

        /**
         * The result ({@code res}) is a new fd owned by the subscriber: one that arrives after cancel is closed by the
         * library, never handed to a user's discard hook.
         *
         * @return this builder
         */
        public Builder<T> closingLateFd() {
            this.discard = Call::closeFd;
            this.closesLateFd = true;
            return this;
        }

        /**
         * Treats {@code -errno} as this op's normal outcome (e.g. {@code ETIME} for a timer): it becomes a value.
         *
         * @param errno the errno
         * @return this builder
         */
        public Builder<T> succeedsWith(int errno) {
            this.successErrno = Math.abs(errno);
            return this;
        }

        /**
         * What the op is, with its context, for error messages ({@code CONNECT 127.0.0.1:8080 fd=27}).
         *
         * @param what the description
         * @return this builder
         */
        public Builder<T> describedAs(String what) {
            this.description = what;
            return this;
        }

        /**
         * The file the op concerns: named in its error message and in a file-system exception's {@code getFile()}.
         *
         * @param path the path
         * @return this builder
         */
        public Builder<T> file(String path) {
            this.file = path;
            this.description = spec.describe() + " " + path;
            return this;
        }

        /**
         * The plain syscall to run instead where the kernel lacks the op (see {@link OpCall#fallback()}).
         *
         * @param syscall returns a result or {@code -errno}
         * @return this builder
         */
        public Builder<T> fallback(java.util.function.IntSupplier syscall) {
            this.fallback = syscall;
            return this;
        }

        /** @return the call */
        public Call<T> build() {
            return new Call<>(this);
        }
    }
}
