//! Serving the router on a socket: [`Emulator::start`] and [`RunningEmulator`], which stops
//! its server when shut down or dropped, so a test never leaks one.

use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::emulator::Emulator;

impl Emulator {
    /// Serves the API on `127.0.0.1` at an ephemeral port, in a background tokio task.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the socket.
    pub async fn start(&self) -> std::io::Result<RunningEmulator> {
        self.start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
    }

    /// Serves the API on `addr` in a background tokio task.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the socket (address in use, permission denied, …).
    pub async fn start_on(&self, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
        RunningEmulator::bind(self.clone(), addr).await
    }
}

/// An emulator serving HTTP on a local socket, in a background tokio task.
///
/// [`shutdown`](Self::shutdown) stops it gracefully (requests in flight are answered);
/// dropping it aborts the server task, after which open connections finish their current
/// request and close.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    emulator: Emulator,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// Binds `addr` and spawns the server task.
    async fn bind(emulator: Emulator, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let router = emulator.router();
        let task = tokio::spawn(crate::accept::serve(listener, router, async {
            // Either a stop signal or the sender dropped: stop in both cases.
            stopped.await.ok();
        }));
        tracing::debug!(%addr, "graph-sync-emulator listening");
        Ok(Self {
            addr,
            emulator,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The socket address served.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Graph root to give a client: `http://127.0.0.1:PORT/v1.0`.
    #[must_use]
    pub fn graph_root(&self) -> String {
        format!("{}/v1.0", self.base_url())
    }

    /// The emulator being served (its state is shared with the server).
    #[must_use]
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for the server
    /// task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            // The task may already have ended; then there is nothing to stop.
            stop.send(()).ok();
        }
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::error!(%error, "graph-sync-emulator server task did not end cleanly");
        }
        tracing::debug!(addr = %self.addr, "graph-sync-emulator stopped");
    }
}

impl Drop for RunningEmulator {
    /// Aborts the server task if [`shutdown`](Self::shutdown) was not awaited. The accept
    /// loop stops at once; open connections are then told to close gracefully.
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
