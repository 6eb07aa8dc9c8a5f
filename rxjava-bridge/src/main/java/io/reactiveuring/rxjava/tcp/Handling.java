package io.reactiveuring.rxjava.tcp;

import io.reactiveuring.core.tcp.ConnectionHandler;
import io.reactiveuring.core.tcp.ReactiveConnection;
import io.reactiveuring.core.tcp.TcpConnection;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.CompletableSource;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.functions.Function;

import java.util.function.Consumer;

/**
 * The glue between a core connection and an RxJava handler: each connection becomes a {@link ReactiveConnection}
 * wrapped as an {@link RxConnection}; the connection hook runs, then the handler, whose {@code Completable} is
 * subscribed: its completion closes the connection in order (what was queued is sent first), its error (or an
 * exception from the handler itself) closes it with that error and goes to {@code RxJavaPlugins.onError}, since no
 * subscriber waits for it. Only that connection is affected. When the connection closes first, the handler's
 * subscription is disposed (and an error it then raises is the close's consequence, not reported).
 *
 * <p>Threading: runs on the connection's loop thread. Stateless apart from the functions it is given.
 */
final class Handling {
    private Handling() {
    }

    /** The handler factory for a server or client with these hooks. */
    static java.util.function.Function<TcpConnection, ConnectionHandler> handlers(
            Consumer<? super RxConnection> onConnection,
            Function<? super RxConnection, ? extends CompletableSource> handler) {
        return c -> new ReactiveConnection(rc -> run(new RxConnection(rc), onConnection, handler));
    }

    static void run(RxConnection connection, Consumer<? super RxConnection> onConnection,
                    Function<? super RxConnection, ? extends CompletableSource> handler) {
        TcpConnection core = connection.connection();
        CompletableSource result;
        try {
            if (onConnection != null) {
                onConnection.accept(connection);
            }
            if (handler == null) {
                return; // no handler: the connection stays open until a side closes it
            }
            result = handler.apply(connection);
            if (result == null) {
                throw new NullPointerException("the connection handler returned null");
            }
        } catch (Throwable e) {
            io.reactivex.rxjava3.exceptions.Exceptions.throwIfFatal(e);
            failed(core, e);
            return;
        }
        Disposable handling = Completable.wrap(result).subscribe(
                core::close,
                error -> {
                    if (core.isOpen()) {
                        failed(core, error);
                    } else {
                        core.close(error);
                    }
                });
        connection.onDispose().subscribe(handling::dispose, ignored -> handling.dispose());
    }

    private static void failed(TcpConnection core, Throwable error) {
        core.close(error);
        TcpErrors.undeliverable(new ConnectionHandlerException(core.describe(), error));
    }
}
