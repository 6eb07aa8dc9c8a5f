/**
 * TCP (and Unix domain stream) connections on the ring, driven from callbacks: the machinery the Reactor and RxJava
 * shells and the HTTP server build on.
 *
 * <h2>The pieces</h2>
 * <ul>
 *   <li>{@link io.reactiveuring.core.tcp.TcpTransport}: the loops (one per core by default), the buffer allocator,
 *       and per loop a provided-buffer ring for receives; it binds servers and connects clients.</li>
 *   <li>{@link io.reactiveuring.core.tcp.TcpServer}: a multishot {@code ACCEPT} armed while it accepts; each socket
 *       becomes a connection on one of the loops (handed off round robin through {@code MSG_RING}, or one listener
 *       per loop with {@code SO_REUSEPORT}); connection limit; graceful disposal.</li>
 *   <li>{@link io.reactiveuring.core.tcp.TcpConnection}: one socket on one loop: receives that follow demand,
 *       gathered sends, files through {@code splice}, half-close, idle/read/write timeouts on loop timers, and a close
 *       that happens exactly once, after the final CQE of everything in flight.</li>
 *   <li>{@link io.reactiveuring.core.tcp.ConnectionHandler}: the callbacks a protocol implements;
 *       {@link io.reactiveuring.core.tcp.WriteCallback}: told when a point of the send queue was sent.</li>
 *   <li>{@link io.reactiveuring.core.tcp.ReactiveConnection}: a connection as Reactive Streams publishers, for the
 *       shells.</li>
 *   <li>Errors, of the JDK's types and carrying the errno ({@link io.reactiveuring.core.UringError}):
 *       {@link io.reactiveuring.core.UringPrematureCloseException} (a {@code SocketException}: {@code ECONNRESET},
 *       {@code EPIPE}), {@link io.reactiveuring.core.tcp.ConnectionTimeoutException},
 *       {@link io.reactiveuring.core.UringBindException} (a {@code BindException} naming the address,
 *       {@code EADDRINUSE}), {@link io.reactiveuring.core.UringConnectException} (a {@code ConnectException},
 *       {@code ECONNREFUSED}).</li>
 * </ul>
 *
 * <h2>A protocol on the callback API</h2>
 * <pre>{@code
 * TcpTransport transport = TcpTransport.create(Runtime.getRuntime().availableProcessors());
 * TcpServer server = transport.bind(new InetSocketAddress(8080), TcpOptions.defaults(), c -> new ConnectionHandler() {
 *     final Decoder decoder = new Decoder();                       // per-connection protocol state
 *     public void onOpen(TcpConnection c) { c.requestRead(Long.MAX_VALUE); }    // keep reading
 *     public void onData(TcpConnection c, UringBuffer data) {      // lent for the call: parse, do not keep
 *         Response r = decoder.feed(data);
 *         if (r != null && !c.write(r.encode(c.allocator()))) c.pauseReading(); // over the high watermark
 *     }
 *     public void onWritable(TcpConnection c) { c.requestRead(Long.MAX_VALUE); } // drained: read again
 *     public void onClose(TcpConnection c, Throwable cause) { decoder.release(); }
 * }).join();
 * }</pre>
 * Everything written during one turn of the loop leaves in one {@code send}/{@code sendmsg}, right before the
 * turn's {@code io_uring_enter}: there is no flush call. Use {@link io.reactiveuring.core.tcp.TcpConnection#whenSent}
 * to learn that a response was sent, {@link io.reactiveuring.core.tcp.TcpConnection#writeOwned} for buffers built
 * only to be sent.
 *
 * <h2>Receiving</h2>
 * No receive is in flight without demand. With a demand above one a multishot {@code RECV} over the loop's
 * provided-buffer ring stays armed for as long as the demand lasts (no cancel and re-arm per request; when the demand
 * runs out it is cancelled at the end of the turn, so a receiver that asks again from its callback keeps it armed);
 * with a demand of one, or when the ring ran dry ({@code -ENOBUFS}), a plain {@code RECV} into a pooled buffer of the
 * connection. What arrives without demand is copied out of the ring and queued, never lost, never holding the ring.
 * The buffer given to {@code onData} is lent for the call: by default the same buffer objects are reused (nothing is
 * allocated per receive); {@link io.reactiveuring.core.tcp.TcpConnection#receiveBuffersReused(boolean)} switches to
 * a new buffer per receive that is released after the call. {@code retain()} keeps the bytes (a copy for ring
 * memory); writing the buffer just received sends the ring memory in place.
 *
 * <h2>Measured choices</h2>
 * <ul>
 *   <li>Zero-copy sends ({@code SEND_ZC}) are off by default ({@link io.reactiveuring.core.tcp.TcpOptions#zeroCopySendThreshold()
 *       zeroCopySendThreshold()} 0): over loopback the kernel copies the data anyway and adds the notification.
 *       Measured ({@code benchmarks/.../ZeroCopySendRun}, one 256 KiB buffer per send): 918–1026 MiB/s at
 *       525–559 µs of server CPU per MiB with {@code SEND_ZC}, 1318–1374 MiB/s at 331–344 µs/MiB without; with
 *       64 KiB buffers the same picture. Set the threshold for a real NIC and measure there.</li>
 *   <li>Spreading connections over loops: see {@link io.reactiveuring.core.tcp.TcpOptions.AcceptSpread} and
 *       {@code benchmarks/.../AcceptSpreadRun}.</li>
 * </ul>
 *
 * <p>Threading: every callback runs on the connection's loop thread; the public methods may be called from any
 * thread (they are handed to the loop). Ownership: a connection owns its fd and buffers and is owned by its loop; the
 * loop's end closes it with a {@code UringCancelledException}.
 */
package io.reactiveuring.core.tcp;
