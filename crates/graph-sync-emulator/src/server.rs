//! Serving the router on a socket: [`Emulator::start`] and [`RunningEmulator`], which stops
//! its server when shut down or dropped, so a test never leaks one.

use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::emulator::Emulator;
use crate::tls::{TlsCertificate, TlsError};

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
        RunningEmulator::bind(self.clone(), addr, None).await
    }

    /// Serves the API over HTTPS on `127.0.0.1` at an ephemeral port, with a certificate for
    /// `127.0.0.1`, `localhost` and `::1` signed by a development authority generated now
    /// ([`RunningEmulator::ca_certificate_pem`] is what a client must trust).
    ///
    /// # Errors
    ///
    /// The I/O error of binding the socket, or of generating the certificate.
    pub async fn start_tls(&self) -> std::io::Result<RunningEmulator> {
        let certificate = TlsCertificate::generate().map_err(std::io::Error::other)?;
        self.start_tls_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), certificate)
            .await
    }

    /// Serves the API over HTTPS on `addr` with `certificate`.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the socket, or an unusable certificate.
    pub async fn start_tls_on(
        &self,
        addr: SocketAddr,
        certificate: TlsCertificate,
    ) -> std::io::Result<RunningEmulator> {
        RunningEmulator::bind(self.clone(), addr, Some(certificate)).await
    }
}

/// An emulator serving HTTP or HTTPS on a local socket, in a background tokio task.
///
/// [`shutdown`](Self::shutdown) stops it gracefully (requests in flight are answered);
/// dropping it aborts the server task, after which open connections finish their current
/// request and close.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    emulator: Emulator,
    certificate: Option<TlsCertificate>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// Binds `addr` and spawns the server task.
    async fn bind(
        emulator: Emulator,
        addr: SocketAddr,
        certificate: Option<TlsCertificate>,
    ) -> std::io::Result<Self> {
        let tls = certificate
            .as_ref()
            .map(TlsCertificate::server_config)
            .transpose()
            .map_err(|e: TlsError| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?
            .map(tokio_rustls::TlsAcceptor::from);
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let router = emulator.router();
        let task = tokio::spawn(crate::accept::serve(listener, router, tls, async {
            // Either a stop signal or the sender dropped: stop in both cases.
            stopped.await.ok();
        }));
        tracing::debug!(%addr, "graph-sync-emulator listening");
        Ok(Self {
            addr,
            emulator,
            certificate,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The socket address served.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, or `https://…` when serving HTTPS.
    #[must_use]
    pub fn base_url(&self) -> String {
        let scheme = if self.certificate.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Whether it serves HTTPS.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.certificate.is_some()
    }

    /// The PEM certificate of the development authority a client must trust, when serving
    /// HTTPS with a generated certificate.
    #[must_use]
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.certificate
            .as_ref()
            .and_then(TlsCertificate::ca_certificate_pem)
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
