//! The accept loop: serves the router on each connection with hyper directly, so that a fault
//! can close a connection without answering (which `axum::serve` cannot do).
//!
//! A response marked [`DropConnection`] is never written: the connection's task is told to stop
//! and drops the connection, which closes the socket with the request unanswered. Shutdown
//! stops accepting at once and lets every open connection finish the request it is serving.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::faults::DropConnection;

/// Serves `router` on `listener` until `stop` resolves, then waits for open connections to
/// finish their request in flight.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    stop: impl Future<Output = ()> + Send,
) {
    let (shutdown, shutting_down) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
            // Reap finished connection tasks so the set stays small.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::debug!(%error, "graph-sync-emulator could not accept a connection");
                continue;
            }
        };
        // Small requests and answers: send them at once.
        stream.set_nodelay(true).ok();
        connections.spawn(connection(stream, router.clone(), shutting_down.clone()));
    }
    shutdown.send(true).ok();
    while connections.join_next().await.is_some() {}
}

/// Serves one connection until the client closes it, a fault drops it, or shutdown.
async fn connection(
    stream: tokio::net::TcpStream,
    router: Router,
    mut shutting_down: watch::Receiver<bool>,
) {
    let drop_now = Arc::new(Notify::new());
    let signal = Arc::clone(&drop_now);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let router = router.clone();
        let signal = Arc::clone(&signal);
        async move {
            let response = router
                .oneshot(request.map(axum::body::Body::new))
                .await
                .unwrap_or_else(|never: Infallible| match never {});
            if response.extensions().get::<DropConnection>().is_some() {
                signal.notify_one();
                // Never answered: the connection is dropped first.
                std::future::pending::<()>().await;
            }
            Ok::<_, Infallible>(response)
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    loop {
        tokio::select! {
            served = connection.as_mut() => {
                if let Err(error) = served {
                    tracing::debug!(%error, "graph-sync-emulator connection ended with an error");
                }
                return;
            }
            () = drop_now.notified() => return,
            changed = shutting_down.changed() => {
                if changed.is_err() || *shutting_down.borrow() {
                    connection.as_mut().graceful_shutdown();
                    // Finish the request in flight, then stop.
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        () = drop_now.notified() => {}
                    }
                    return;
                }
            }
        }
    }
}
