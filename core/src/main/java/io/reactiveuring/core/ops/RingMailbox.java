package io.reactiveuring.core.ops;

import io.reactiveuring.core.engine.OpSpec;
import io.reactiveuring.core.engine.UringLoop;
import io.reactiveuring.core.engine.UringOperation;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * The receiving end of {@code MSG_RING}: a request kept armed on the target loop whose user_data other rings post
 * CQEs to ({@link ControlOps#message}). This is how the target loop routes a message CQE: the engine dispatches a
 * CQE by the user_data's slot and generation, so a message must name a request that is in flight on the target;
 * the mailbox is such a request (a {@code TIMEOUT} that never expires, i.e. an anchor that only a cancel ends), and
 * every message CQE carries {@code IORING_CQE_F_MORE}, so the engine keeps the mailbox's slot armed.
 *
 * <p>Lifecycle: {@link #open(UringLoop)} submits the anchor on the target loop and yields the mailbox's
 * {@link Address} (ring fd + user_data), which senders on any other loop use. {@link #close()} cancels the anchor;
 * {@link #closed()} completes (with the anchor's final res, {@code -ECANCELED}) when the slot is free again. A
 * message sent after that names a retired generation and is dropped by the target loop as a stale completion: stop
 * the senders before closing. A mailbox is opened once.
 *
 * <p>Threading: {@code open}, {@code close}, {@code address} and {@code closed} from any thread; the message
 * handler runs on the target loop thread, once per message, in the order the target ring posted the CQEs. An
 * exception from the handler goes to the loop's error hook.
 */
public final class RingMailbox extends UringOperation {
    /**
     * Where senders post: the target ring's fd and the mailbox's user_data on it. Immutable.
     *
     * @param ringFd the fd of the target ring, which a sender's {@code MSG_RING} names
     * @param userData the user_data of the mailbox's operation on the target ring
     */
    public record Address(int ringFd, long userData) {
    }

    /** Never fires in practice (the kernel saturates it to ~292 years): only a cancel ends the anchor. */
    private static final OpSpec ANCHOR = OpSpec.timeout(Duration.ofSeconds(Long.MAX_VALUE), 0);

    private final IntConsumer onMessage;
    private final CompletableFuture<Address> opened = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile UringLoop loop;

    /** A mailbox whose {@code onMessage} receives each message's value on the target loop thread. */
    public RingMailbox(IntConsumer onMessage) {
        super(ANCHOR);
        this.onMessage = Objects.requireNonNull(onMessage, "onMessage");
    }

    /**
     * Arms the mailbox on {@code target}; the future completes with its address once the anchor is in flight, or
     * exceptionally if the loop refused it (ended, or no free slot).
     *
     * @throws IllegalStateException if already opened
     */
    public CompletableFuture<Address> open(UringLoop target) {
        Objects.requireNonNull(target, "target");
        synchronized (this) {
            if (loop != null) {
                throw new IllegalStateException("a mailbox is opened once");
            }
            loop = target;
        }
        Runnable arm = () -> {
            target.submit(this);
            if (isInFlight()) {
                opened.complete(new Address(target.ringFd(), userData()));
            } else if (!opened.isDone()) {
                // Queued behind a full in-flight table: a sender could not name it yet; give up cleanly.
                target.cancel(this);
                opened.completeExceptionally(new IllegalStateException("the loop has no free slot for a mailbox"));
            }
        };
        if (target.inLoop()) {
            arm.run();
        } else {
            target.execute(arm);
        }
        return opened;
    }

    /** The address, once {@link #open} has completed; otherwise an {@link IllegalStateException}. */
    public Address address() {
        Address a = opened.getNow(null);
        if (a == null) {
            throw new IllegalStateException("the mailbox is not open");
        }
        return a;
    }

    /** Cancels the anchor; {@link #closed()} completes when its final CQE has arrived. */
    public void close() {
        UringLoop l = loop;
        if (l != null) {
            l.cancel(this);
        }
    }

    /** Completes with the anchor's final res once the mailbox's slot is free. */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    @Override
    protected void onCompletion(int res, int flags) {
        if (hasMore(flags)) {
            onMessage.accept(res);
            return;
        }
        opened.completeExceptionally(new IllegalStateException("mailbox ended before it was open: res " + res));
        closed.complete(res);
    }
}
