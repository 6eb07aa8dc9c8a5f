package io.reactiveuring.core.file;

import io.reactiveuring.core.buffer.UringBuffer;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Lines of a stream of byte chunks, decoded with a charset: a character split across two chunks (a multi-byte UTF-8
 * sequence, a surrogate pair) is put together, and lines end at {@code \n}, {@code \r} or {@code \r\n} as in
 * {@code BufferedReader.readLine} and {@code Files.readAllLines} (a last line without terminator counts, a trailing
 * terminator does not make an empty last line). Malformed or unmappable input is an error
 * ({@link java.nio.charset.MalformedInputException}), as in {@code Files.readAllLines}.
 *
 * <p>Demand is in lines: chunks are requested {@code prefetch} at a time (replenished after three quarters were
 * decoded), queued, and decoded only when the subscriber wants lines, so backpressure reaches the reads.
 *
 * <p>Threading: one drain serialised by a work-in-progress counter, on whichever thread signals (the ring's loop
 * thread for chunks, the subscriber's for requests); signals are never concurrent. Ownership: each chunk is released
 * once decoded, or when the stream ends without decoding it.
 */
final class LinesPublisher implements Publisher<String> {
    private final Publisher<UringBuffer> chunks;
    private final Charset charset;
    private final int prefetch;

    LinesPublisher(Publisher<UringBuffer> chunks, Charset charset, int prefetch) {
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        this.charset = Objects.requireNonNull(charset, "charset");
        this.prefetch = prefetch;
    }

    @Override
    public void subscribe(Subscriber<? super String> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        chunks.subscribe(new Lines(subscriber, charset, prefetch));
    }

    private static final class Lines implements Subscriber<UringBuffer>, Subscription {
        private static final VarHandle REQUESTED;
        private static final VarHandle WIP;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                REQUESTED = l.findVarHandle(Lines.class, "requested", long.class);
                WIP = l.findVarHandle(Lines.class, "wip", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Subscriber<? super String> actual;
        private final int prefetch;
        private final int limit;
        private final SpscAtomicArrayQueue<UringBuffer> queue;

        private volatile Subscription upstream;
        private volatile long requested;
        private volatile int wip;
        private volatile boolean cancelled;
        private volatile boolean upstreamDone;
        private Throwable upstreamError; // published by upstreamDone
        private volatile Throwable badRequest;

        // drain only
        private final CharsetDecoder decoder;
        private final CharBuffer chars = CharBuffer.allocate(8192);
        private final ByteBuffer carry = ByteBuffer.allocate(32);
        private final StringBuilder partial = new StringBuilder();
        private final ArrayDeque<String> lines = new ArrayDeque<>();
        private boolean lastWasCr;
        private boolean inputEnded;
        private boolean finished;
        private int consumed;

        Lines(Subscriber<? super String> actual, Charset charset, int prefetch) {
            this.actual = actual;
            this.prefetch = prefetch;
            this.limit = Math.max(1, prefetch - (prefetch >> 2));
            this.queue = new SpscAtomicArrayQueue<>(prefetch);
            this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }

        // ---------------------------------------------------------------------------------- upstream

        @Override
        public void onSubscribe(Subscription s) {
            Objects.requireNonNull(s, "subscription");
            if (upstream != null) {
                s.cancel(); // §2.5
                return;
            }
            upstream = s;
            actual.onSubscribe(this);
            s.request(prefetch);
        }

        @Override
        public void onNext(UringBuffer chunk) {
            if (finished || cancelled || !queue.offer(chunk)) {
                chunk.release(); // more than requested (a broken upstream), or nobody will decode it
            }
            drain();
        }

        @Override
        public void onError(Throwable t) {
            upstreamError = t;
            upstreamDone = true;
            drain();
        }

        @Override
        public void onComplete() {
            upstreamDone = true;
            drain();
        }

        // ---------------------------------------------------------------------------------- downstream

        @Override
        public void request(long n) {
            if (n <= 0) {
                badRequest = new IllegalArgumentException("§3.9: request must be positive, was " + n);
            } else {
                long r;
                long u;
                do {
                    r = requested;
                    if (r == Long.MAX_VALUE) {
                        break;
                    }
                    u = r + n;
                    if (u < 0) {
                        u = Long.MAX_VALUE;
                    }
                } while (!REQUESTED.compareAndSet(this, r, u));
            }
            drain();
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                upstream.cancel();
                drain();
            }
        }

        // ---------------------------------------------------------------------------------- the drain

        private void drain() {
            if ((int) WIP.getAndAdd(this, 1) != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                drainOnce();
                missed = (int) WIP.getAndAdd(this, -missed) - missed;
                if (missed == 0) {
                    return;
                }
            }
        }

        private void drainOnce() {
            if (finished) {
                releaseQueued();
                return;
            }
            if (cancelled) {
                finish();
                return;
            }
            Throwable bad = badRequest;
            if (bad != null) {
                upstream.cancel();
                fail(bad);
                return;
            }
            long r = requested;
            long emitted = 0;
            while (true) {
                if (cancelled) {
                    finish();
                    return;
                }
                if (emitted != r) {
                    String line = lines.poll();
                    if (line != null) {
                        actual.onNext(line);
                        emitted++;
                        continue;
                    }
                }
                if (inputEnded) {
                    if (lines.isEmpty()) {
                        finish();
                        actual.onComplete();
                        return;
                    }
                    break; // lines left, no demand
                }
                if (!lines.isEmpty()) {
                    break; // no demand for them yet
                }
                boolean ended = upstreamDone; // read before polling: a chunk before onComplete is then seen
                UringBuffer chunk = queue.poll();
                if (chunk != null) {
                    try {
                        decode(chunk);
                    } catch (CharacterCodingException e) {
                        upstream.cancel();
                        fail(e);
                        return;
                    } finally {
                        chunk.release();
                    }
                    if (++consumed == limit) {
                        consumed = 0;
                        upstream.request(limit);
                    }
                    continue;
                }
                if (ended) {
                    Throwable error = upstreamError;
                    if (error != null) {
                        fail(error); // cuts ahead of undelivered lines: the input is incomplete
                        return;
                    }
                    try {
                        endOfInput();
                    } catch (CharacterCodingException e) {
                        fail(e);
                        return;
                    }
                    continue;
                }
                break; // waiting for chunks
            }
            if (emitted != 0 && r != Long.MAX_VALUE) {
                REQUESTED.getAndAdd(this, -emitted);
            }
        }

        private void fail(Throwable t) {
            finish();
            actual.onError(t);
        }

        private void finish() {
            finished = true;
            lines.clear();
            releaseQueued();
        }

        private void releaseQueued() {
            UringBuffer b;
            while ((b = queue.poll()) != null) {
                b.release();
            }
        }

        @Override
        public String toString() {
            return "Lines[requested=" + requested + ", queued=" + queue.size() + ", lines=" + lines.size()
                    + ", upstreamDone=" + upstreamDone + ", finished=" + finished + ", consumed=" + consumed
                    + ", wip=" + wip + ", upstream=" + upstream + "]";
        }

        // ---------------------------------------------------------------------------------- decoding

        private void decode(UringBuffer chunk) throws CharacterCodingException {
            ByteBuffer in = chunk.asByteBuffer();
            // a character begun at the end of the previous chunk: complete it byte by byte
            while (carry.position() > 0 && in.hasRemaining()) {
                carry.put(in.get()).flip();
                decodeSome(carry, false);
                carry.compact();
            }
            decodeSome(in, false);
            if (in.hasRemaining()) {
                carry.put(in); // less than one character: kept for the next chunk
            }
        }

        private void endOfInput() throws CharacterCodingException {
            carry.flip();
            decodeSome(carry, true);
            carry.clear();
            CoderResult cr;
            do {
                cr = decoder.flush(chars);
                takeLines();
            } while (cr.isOverflow());
            if (partial.length() > 0) {
                lines.add(partial.toString());
                partial.setLength(0);
            }
            inputEnded = true;
        }

        private void decodeSome(ByteBuffer in, boolean last) throws CharacterCodingException {
            while (true) {
                CoderResult cr = decoder.decode(in, chars, last);
                if (cr.isError()) {
                    cr.throwException();
                }
                takeLines();
                if (cr.isUnderflow()) {
                    return;
                }
            }
        }

        /** Splits the decoded characters into lines; the unterminated rest stays in {@code partial}. */
        private void takeLines() {
            chars.flip();
            char[] a = chars.array();
            int end = chars.limit();
            int from = 0;
            for (int i = 0; i < end; i++) {
                char c = a[i];
                if (c == '\n' || c == '\r') {
                    if (c == '\n' && lastWasCr && i == from && partial.isEmpty()) {
                        lastWasCr = false;
                        from = i + 1; // the \n of a \r\n
                        continue;
                    }
                    lines.add(line(a, from, i));
                    lastWasCr = c == '\r';
                    from = i + 1;
                } else {
                    lastWasCr = false;
                }
            }
            if (from < end) {
                partial.append(a, from, end - from);
            }
            chars.clear();
        }

        private String line(char[] a, int from, int to) {
            if (partial.isEmpty()) {
                return new String(a, from, to - from);
            }
            String s = partial.append(a, from, to - from).toString();
            partial.setLength(0);
            return s;
        }
    }
}
