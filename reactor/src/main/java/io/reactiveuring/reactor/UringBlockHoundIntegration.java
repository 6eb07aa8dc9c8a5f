package io.reactiveuring.reactor;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.scheduler.NonBlocking;

/**
 * Teaches BlockHound about io_uring loop threads; loaded by {@code BlockHound.install()} through
 * {@code ServiceLoader} whenever this module is present.
 * <ul>
 *   <li>Loop threads are non-blocking: every thread that carries Reactor's {@link NonBlocking} marker, which
 *       includes every loop thread made by {@link NonBlockingLoopThreads} (so also by
 *       {@link ReactorUring#create()}). A blocking JDK call there ({@code Thread.sleep}, a lock wait, stream
 *       I/O) raises {@code BlockingOperationError} in the caller.</li>
 *   <li>The loop's own wait is allowed. It is {@code io_uring_enter} through an FFM downcall
 *       ({@code UringLoop#enter}): a generated method-handle stub, not one of the JDK methods BlockHound
 *       instruments (it hooks JDK natives and park/sleep/wait, found by name), so today BlockHound does not see
 *       it at all. It is allowed explicitly anyway, so that the loop keeps working should an agent ever
 *       intercept FFM downcalls.</li>
 *   <li>Reporting an error nobody can receive may write to a log: allowed inside the loop's error path
 *       ({@code UringLoop#callbackError}, {@code LoopShutdown#run}, where it logs why it ended) and inside this
 *       module's {@code ErrorReporting} and the TCP shell's log of a failed connection handler. Code called from there (a user's error hook, a subscriber's final
 *       {@code onError} while the loop shuts down) is therefore not checked.</li>
 * </ul>
 * Stateless; safe from any thread.
 */
@SuppressWarnings("exports") // BlockHound is optional (requires static); only BlockHound itself loads this class
public final class UringBlockHoundIntegration implements BlockHoundIntegration {
    private static final String LOOP = "io.reactiveuring.core.engine.UringLoop";
    /** The end of a loop's task, which logs why the loop ended. */
    private static final String SHUTDOWN = "io.reactiveuring.core.engine.LoopShutdown";

    /** For {@code ServiceLoader}. */
    public UringBlockHoundIntegration() {
    }

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.nonBlockingThreadPredicate(current -> current.or(t -> t instanceof NonBlocking));
        builder.allowBlockingCallsInside(LOOP, "enter");
        builder.allowBlockingCallsInside(LOOP, "callbackError");
        builder.allowBlockingCallsInside(SHUTDOWN, "run");
        builder.allowBlockingCallsInside(ErrorReporting.class.getName(), "dropped");
        builder.allowBlockingCallsInside(ErrorReporting.class.getName(), "taskFailed");
        builder.allowBlockingCallsInside("io.reactiveuring.reactor.tcp.Handling", "log");
    }
}
