package io.reactiveuring.core.engine;

import io.reactiveuring.core.linux.Errno;

import java.util.function.IntConsumer;

import static io.reactiveuring.core.engine.Handoff.RUNNING;
import static io.reactiveuring.core.engine.Handoff.TERMINATED;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_NOP;

/**
 * What {@link UringLoop#cancel} does on the loop thread, wherever the target is: still in the hand-off queue, in the
 * backlog (alone or inside a chain), written into this turn's SQ batch but not yet seen by the kernel, or in flight.
 * Every case is O(1) (bar taking in the hand-offs queued so far, which the loop would do anyway), so a multishot op
 * that disarms each time its demand runs out costs the same however long the backlog is.
 *
 * <p>Threading: loop thread only. Ownership: the target keeps its memory until its own final completion, whatever
 * the cancel's answer.
 */
final class LoopCancellation {
    private final UringLoop loop;

    LoopCancellation(UringLoop loop) {
        this.loop = loop;
    }

    void cancel(UringOperation target, IntConsumer onResult) {
        SlotTable slots = loop.slots;
        UringOperation guard = target.guard;
        if (guard != null && guard.guarded == target && slots.holds(guard)) {
            // The op waits behind its readiness poll (linked after it, where the kernel's cancel cannot find it, or
            // not submitted until the poll fires): cancel the poll; the op ends with -ECANCELED or never starts.
            cancelInFlight(guard, onResult);
            return;
        }
        if (loop.handoff.state() == RUNNING && !slots.holds(target) && !inBacklog(target)) {
            // Submitted from another thread and still in the hand-off queue (this cancel runs on the loop thread
            // before the loop drained it): take in everything handed off so far; the target itself (with the rest of
            // its chain) ends there without reaching the kernel, instead of running after its cancel.
            if (loop.takeInHandoffs(target)) {
                loop.notifyCancel(onResult, 1);
                return;
            }
        }
        if (slots.holds(target)) {
            cancelInFlight(target, onResult);
            return;
        }
        UringOperation head = headOf(target);
        if (head.inBacklog) {
            if (target == head) {
                loop.backlog.remove(head);
            } else {
                // cut the chain here: the ops before it go to the kernel alone, with no link to a later SQE
                UringOperation predecessor = target.chainPrev;
                predecessor.chainNext = null;
                predecessor.chainFlags = 0;
            }
            // never seen by the kernel: the target and the rest of its chain end now
            loop.rejectChain(target, 0);
            loop.notifyCancel(onResult, 1);
            return;
        }
        loop.notifyCancel(onResult, -Errno.ENOENT);
    }

    private void cancelInFlight(UringOperation target, IntConsumer onResult) {
        if (loop.handoff.state() == TERMINATED) {
            return;
        }
        SlotTable slots = loop.slots;
        if (!target.chainMember && !slots.isInternal(target.slot) && loop.sq.isUnsubmitted(target.sqePosition)) {
            // Written in this turn's batch but not yet seen by the kernel: it must not run (a recv would consume
            // data nobody receives). Its SQE becomes a NOP; the op still gets its own final CQE, as ECANCELED.
            loop.sq.rewriteAsNop(target.sqePosition, IORING_OP_NOP);
            target.cancelledBeforeEnter = true;
            loop.notifyCancel(onResult, 0);
            return;
        }
        loop.stats.cancelIssued();
        loop.submitCancelOf(target, onResult);
    }

    /** True if {@code op} waits in the backlog, as a head or inside a backlogged chain. */
    private static boolean inBacklog(UringOperation op) {
        return headOf(op).inBacklog;
    }

    /** The first op of {@code op}'s chain (itself if it is alone): chains are short, so this is a few steps. */
    private static UringOperation headOf(UringOperation op) {
        UringOperation h = op;
        while (h.chainPrev != null && h.chainPrev.chainNext == h) {
            h = h.chainPrev;
        }
        return h;
    }
}
