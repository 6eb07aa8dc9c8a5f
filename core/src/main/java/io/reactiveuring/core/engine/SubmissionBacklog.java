package io.reactiveuring.core.engine;

/**
 * Submissions (single ops or the heads of linked chains) that wait for room — a free slot, free SQEs, the in-flight
 * bound, or the end of an engine-kept {@code IOSQE_IO_DRAIN} — in the order they were submitted. An intrusive
 * doubly-linked list through the operations themselves, so adding, taking the head and removing a cancelled one
 * are all O(1) and allocate nothing.
 *
 * <p>Threading: loop thread only. Ownership: a backlogged operation belongs to the engine; it leaves the backlog
 * when it is prepared into the SQ or ends without reaching the kernel.
 */
final class SubmissionBacklog {
    private UringOperation head;
    private UringOperation tail;
    private int size;

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    UringOperation peek() {
        return head;
    }

    void addLast(UringOperation op) {
        op.inBacklog = true;
        op.backlogPrev = tail;
        op.backlogNext = null;
        if (tail == null) {
            head = op;
        } else {
            tail.backlogNext = op;
        }
        tail = op;
        size++;
    }

    void addFirst(UringOperation op) {
        op.inBacklog = true;
        op.backlogPrev = null;
        op.backlogNext = head;
        if (head == null) {
            tail = op;
        } else {
            head.backlogPrev = op;
        }
        head = op;
        size++;
    }

    UringOperation poll() {
        UringOperation op = head;
        if (op != null) {
            remove(op);
        }
        return op;
    }

    /** Removes {@code op} if it is backlogged (as a head); true if it was. */
    boolean remove(UringOperation op) {
        if (!op.inBacklog) {
            return false;
        }
        UringOperation prev = op.backlogPrev;
        UringOperation next = op.backlogNext;
        if (prev == null) {
            head = next;
        } else {
            prev.backlogNext = next;
        }
        if (next == null) {
            tail = prev;
        } else {
            next.backlogPrev = prev;
        }
        op.inBacklog = false;
        op.backlogPrev = null;
        op.backlogNext = null;
        size--;
        return true;
    }
}
