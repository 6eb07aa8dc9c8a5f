package io.reactiveuring.core.engine;

import io.reactiveuring.core.linux.IoUring;

import java.util.Objects;

/**
 * One submission to a {@link UringLoop} and the receiver of its completions: the callback-level API that the
 * reactive layer is built on. Subclass it (a Reactive Streams subscription typically <em>is</em> one), give it an
 * {@link OpSpec}, and {@link UringLoop#submit submit} it.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #onCompletion(int, int)} is called on the loop thread, once per CQE: with
 *       {@code IORING_CQE_F_MORE} in {@code flags} while a multishot op stays armed, and exactly once without it
 *       (the final completion). When the loop ends before the kernel answered, the final completion is a
 *       synthetic {@code -ECANCELED} with {@link #FLAG_LOOP_TERMINATED} set.</li>
 *   <li>From {@link UringLoop#submit} until the final completion the operation belongs to the engine: do not
 *       change its spec or attachment. Afterwards it may be submitted again (e.g. from inside its own
 *       {@code onCompletion}); reuse costs no allocation.</li>
 *   <li>{@link #attach(OwnedResource)} hands memory to the engine, which releases it after the final
 *       completion.</li>
 * </ul>
 * A {@link RuntimeException} thrown by {@code onCompletion} goes to the loop's error hook and the loop goes on; an
 * {@link Error} ends the loop (every other pending operation then gets its final {@code -ECANCELED}).
 */
public abstract class UringOperation {
    /**
     * Set in {@code flags} of a synthetic final completion that the engine delivers itself because the loop ended
     * (or the op was never submitted); a bit the kernel does not use in {@code cqe->flags}' low half.
     */
    public static final int FLAG_LOOP_TERMINATED = 1 << 15;

    /**
     * Set, together with {@link #FLAG_LOOP_TERMINATED}, when the loop ended while the kernel still held the op: no
     * final CQE came within the shutdown grace, so the kernel may still read or write the memory the op points at.
     * The engine keeps its own attached resource; a receiver that manages memory itself must not free it either.
     */
    public static final int FLAG_QUARANTINED = 1 << 14;

    /** True if {@code flags} of a final completion say the op's memory must never be freed. */
    public static boolean quarantined(int flags) {
        return (flags & FLAG_QUARANTINED) != 0;
    }

    // Written by the submitter before submit(); the queue hand-off publishes them to the loop thread.
    OpSpec spec;
    OwnedResource resource;

    // Loop thread only.
    int slot = -1;
    long userData;
    /** Extra SQE flags for this submission only (IOSQE_IO_LINK inside a chain). */
    byte chainFlags;
    /** Part of a submission with IOSQE_IO_DRAIN that is in flight (the engine keeps the drain). */
    boolean drainMember;
    /** The next op of a linked chain, for this submission only. */
    UringOperation chainNext;
    /** The op before this one in its linked chain, for this submission only (a cancel finds it in O(1)). */
    UringOperation chainPrev;
    /** The one-shot POLL_ADD linked before this op as its readiness guard, for this submission only. */
    UringOperation guard;
    /** For a readiness-guard poll: the op it guards. */
    UringOperation guarded;
    /** Waiting in the loop's backlog as the head of its submission; the links of that intrusive list. */
    boolean inBacklog;
    UringOperation backlogPrev;
    UringOperation backlogNext;
    /** Part of a linked chain of two or more ops in the current submission (its SQE cannot be rewritten alone). */
    boolean chainMember;
    /** Where its SQE sits in the SQ (a free-running position), while it may not have been submitted yet. */
    int sqePosition;
    /** Cancelled after its SQE was written but before the kernel saw it: the SQE became a NOP, the op ends ECANCELED. */
    boolean cancelledBeforeEnter;

    protected UringOperation() {
    }

    protected UringOperation(OpSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /**
     * Changes this submission's SQE after the engine wrote the spec into it (loop thread, just before the SQE goes to
     * the kernel): for a long-lived operation whose fields differ per submission (a new buffer address and length),
     * so that re-submitting it needs no new spec and allocates nothing. The default changes nothing. Write only
     * through {@code sqe}, and do not keep it.
     *
     * @param sqe the SQE being prepared, already holding the spec's fields
     */
    protected void prepare(SqeWriter sqe) {
    }

    /** Sets what to submit; not while in flight. */
    public final UringOperation spec(OpSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        return this;
    }

    public final OpSpec spec() {
        return spec;
    }

    /** Hands {@code resource} to the engine for this submission: released after the final completion. */
    public final UringOperation attach(OwnedResource resource) {
        this.resource = resource;
        return this;
    }

    /**
     * The user_data of the current submission (slot, generation, opcode), or 0 if not in flight. Loop thread only.
     */
    public final long userData() {
        return slot >= 0 ? userData : 0L;
    }

    /**
     * The user_data of the latest submission, also after its final completion (for traces and events); 0 before the
     * first one. Loop thread only.
     */
    public final long lastUserData() {
        return userData;
    }

    /** True between preparation of the SQE and the final completion. Loop thread only. */
    public final boolean isInFlight() {
        return slot >= 0;
    }

    /**
     * One CQE for this operation, on the loop thread. {@code res >= 0} is the op's result, {@code res < 0} is
     * {@code -errno}; {@code flags} are the CQE flags ({@code IORING_CQE_F_MORE}, buffer id, ...) plus
     * {@link #FLAG_LOOP_TERMINATED} for a completion the engine made up because the loop ended.
     */
    protected abstract void onCompletion(int res, int flags);

    /** For messages and snapshots: {@code READ fd=42}. */
    public String describe() {
        return spec != null ? spec.describe() : IoUring.opName(0) + " (no spec)";
    }

    /** True if {@code flags} of a completion say that more CQEs follow for the same submission. */
    public static boolean hasMore(int flags) {
        return (flags & IoUring.IORING_CQE_F_MORE) != 0;
    }
}
