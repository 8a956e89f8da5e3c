//! The accept loop: serves the router on each connection with hyper directly, so that a fault
//! can close a connection without answering (which `axum::serve` cannot do), over plain TCP or
//! TLS (the handshake runs in the connection's own task, bounded in time, so a slow or broken
//! client never holds up the loop).
//!
//! A response marked [`DropConnection`] is never written: the connection's task is told to stop
//! and drops the connection, which closes the socket with the request unanswered. Shutdown
//! stops accepting at once and lets every open connection finish the request it is serving.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::faults::DropConnection;
use crate::http::reply::Scheme;

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `stop` resolves, then waits for open connections to
/// finish their request in flight.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
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
        let (router, shutting_down) = (router.clone(), shutting_down.clone());
        match tls.clone() {
            None => connections.spawn(connection(stream, router, Scheme::Http, shutting_down)),
            Some(acceptor) => connections.spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => {
                        connection(stream, router, Scheme::Https, shutting_down).await;
                    }
                    Ok(Err(error)) => {
                        tracing::debug!(%error, "graph-sync-emulator TLS handshake failed");
                    }
                    Err(_) => tracing::debug!("graph-sync-emulator TLS handshake timed out"),
                }
            }),
        };
    }
    shutdown.send(true).ok();
    while connections.join_next().await.is_some() {}
}

/// Serves one connection until the client closes it, a fault drops it, or shutdown.
async fn connection<S>(
    stream: S,
    router: Router,
    scheme: Scheme,
    mut shutting_down: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let drop_now = Arc::new(Notify::new());
    let signal = Arc::clone(&drop_now);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(scheme);
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
