package io.reactiveuring.core.ring;

import io.reactiveuring.core.UringTestSupport;
import io.reactiveuring.core.binding.LibC;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static io.reactiveuring.core.linux.IoUring.IORING_ENTER_GETEVENTS;
import static io.reactiveuring.core.linux.IoUring.IORING_OP_NOP;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link CompletionQueue#copyOut}: the CQEs of a batch come out in ring order as {@code [user_data, res | flags]}
 * pairs, also when the batch wraps around the end of the CQ array.
 */
class CompletionQueueCopyTest {

    @Test
    void batchesComeOutInRingOrderAcrossTheWrapOfTheCqArray() {
        UringTestSupport.requireUring();
        // 8 CQ entries and batches of 3: the batches start at 0, 3, 6 (wraps), 1, 4, 7 (wraps), ...
        try (Ring ring = Ring.create(4, 8, 0)) {
            SubmissionQueue sq = ring.sq();
            CompletionQueue cq = ring.cq();
            MemorySegment errno = LibC.errnoCapture();
            long[] batch = new long[2 * 3];
            long next = 1000;
            int wrapped = 0;
            for (int round = 0; round < 40; round++) {
                for (int i = 0; i < 3; i++) {
                    long sqe = sq.claim();
                    assertTrue(sqe >= 0, "an SQE is free");
                    sq.setOpcode(sqe, IORING_OP_NOP);
                    sq.setUserData(sqe, next + i);
                }
                sq.publish();
                int submitted = LibC.ioUringEnterNoWait(errno, ring.fd(), sq.unsubmitted(), IORING_ENTER_GETEVENTS);
                assertEquals(3, submitted);
                sq.submitted(submitted);
                int head = cq.head();
                assertEquals(3, cq.ready(), "NOPs complete inline under DEFER_TASKRUN before enter returns");
                if ((head & 7) > 5) {
                    wrapped++;
                }
                cq.copyOut(head, 3, batch);
                cq.releaseHead(head + 3);
                for (int i = 0; i < 3; i++) {
                    assertEquals(next + i, batch[2 * i], "user_data of CQE " + (head + i));
                    assertEquals(0, (int) batch[2 * i + 1], "res of CQE " + (head + i));
                    assertEquals(0, (int) (batch[2 * i + 1] >>> 32), "flags of CQE " + (head + i));
                }
                next += 3;
            }
            assertTrue(wrapped >= 10, "the batches wrapped around the CQ array: " + wrapped);
            assertEquals(0, cq.ready());
        }
    }
}
