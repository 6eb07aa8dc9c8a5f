package io.reactiveuring.core.reactive;

import io.reactiveuring.core.binding.LibC;
import io.reactiveuring.core.engine.OpSpec;

import java.util.Objects;

/**
 * The general {@link OpCall}: specs, retry shape, and three small functions (result, discard, release), so each
 * op of the catalogue is a few lines in a {@code *Calls} class rather than a class of its own. One instance per
 * subscription; used on the loop thread after submission.
 *
 * @param <T> the emitted value
 */
public final class Call<T> implements OpCall<T> {
    /** Maps a successful CQE to the emitted value. */
    @FunctionalInterface
    public interface Result<T> {
        T map(int res, int flags);
    }

    /** Disposes of a successful CQE nobody will receive (close its fd, release its buffer). */
    @FunctionalInterface
    public interface Discard {
        void discard(int res, int flags);
    }

    private final OpSpec spec;
    private final OpSpec nowait;
    private final int readiness;
    private final boolean regularFile;
    private final Result<T> result;
    private final Discard discard;
    private final Runnable release;
    private final int successErrno;
    private final boolean closesLateFd;

    private Call(OpSpec spec, OpSpec nowait, int readiness, boolean regularFile, Result<T> result, Discard discard,
                 Runnable release) {
        this(spec, nowait, readiness, regularFile, result, discard, release, 0, false);
    }

    private Call(OpSpec spec, OpSpec nowait, int readiness, boolean regularFile, Result<T> result, Discard discard,
                 Runnable release, int successErrno, boolean closesLateFd) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.nowait = nowait;
        this.readiness = readiness;
        this.regularFile = regularFile;
        this.result = Objects.requireNonNull(result, "result");
        this.discard = discard;
        this.release = release;
        this.successErrno = successErrno;
        this.closesLateFd = closesLateFd;
    }

    /** A call that emits what {@code result} makes of the CQE and is never retried. */
    public static <T> Call<T> of(OpSpec spec, Result<T> result) {
        return new Call<>(spec, null, 0, false, result, null, null);
    }

    /** A call that emits {@code res}. */
    public static Call<Integer> of(OpSpec spec) {
        return of(spec, (res, flags) -> res);
    }

    /** Retried through readiness polls of {@code events} on a pollable fd; {@code nowait} for USER mode. */
    public Call<T> pollable(int events, OpSpec nowaitSpec) {
        return new Call<>(spec, nowaitSpec, events, false, result, discard, release, successErrno, closesLateFd);
    }

    /** A regular-file op: USER mode tries {@code nowaitSpec} first and re-issues plainly on EAGAIN. */
    public Call<T> regularFile(OpSpec nowaitSpec) {
        return new Call<>(spec, nowaitSpec, 0, true, result, discard, release, successErrno, closesLateFd);
    }

    /** What to do with a successful result that nobody will receive. */
    public Call<T> onDiscard(Discard d) {
        return new Call<>(spec, nowait, readiness, regularFile, result, d, release, successErrno, closesLateFd);
    }

    /** What to free after the last CQE. */
    public Call<T> onRelease(Runnable r) {
        return new Call<>(spec, nowait, readiness, regularFile, result, discard, r, successErrno, closesLateFd);
    }

    /**
     * The result ({@code res}) is a new fd owned by the subscriber: one that arrives after cancel is closed by the
     * library, never handed to a user's discard hook.
     */
    public Call<T> closingLateFd() {
        return new Call<>(spec, nowait, readiness, regularFile, result, Call::closeFd, release, successErrno, true);
    }

    private static void closeFd(int fd, int flags) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    @Override
    public boolean closesLateResult() {
        return closesLateFd;
    }

    /** Also runs {@code r} after the last CQE, after what this call already releases. */
    public Call<T> alsoOnRelease(Runnable r) {
        if (release == null) {
            return onRelease(r);
        }
        Runnable first = release;
        return onRelease(() -> {
            try {
                first.run();
            } finally {
                r.run();
            }
        });
    }

    /** Treats {@code -errno} as this op's normal outcome (e.g. {@code ETIME} for a timer): it becomes a value. */
    public Call<T> succeedsWith(int errno) {
        return new Call<>(spec, nowait, readiness, regularFile, result, discard, release, Math.abs(errno),
                closesLateFd);
    }

    @Override
    public boolean succeeded(int res) {
        return res >= 0 || (successErrno != 0 && res == -successErrno);
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public OpSpec nowaitSpec() {
        return nowait;
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
}
