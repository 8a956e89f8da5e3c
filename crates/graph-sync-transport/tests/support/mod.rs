//! A tiny raw HTTP/1.1 server on `127.0.0.1:0`, scripted one connection at a time.
//!
//! Each [`Behavior`] handles exactly one accepted connection, in order; when the script is done
//! the listener is dropped and the server task ends. Every request the server reads is passed
//! back to the test through a channel, byte for byte, so tests synchronize on channels rather
//! than on sleeps.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long a test waits for the server before declaring it stuck.
const STUCK: Duration = Duration::from_secs(5);

/// What the server does with one connection.
#[derive(Debug, Clone)]
pub(crate) enum Behavior {
    /// Reads the request, writes these raw bytes, closes.
    Respond(Vec<u8>),
    /// Reads the request, then never answers; ends when the client hangs up.
    Hang,
    /// Reads the request, then closes the connection without answering.
    Close,
    /// Answers the first bytes it receives, whatever they are (a TLS client hello), with a plain
    /// `400 Bad Request`, as a plain-HTTP server would, then closes.
    PlainHttpTo400,
}

/// A request as the server read it off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Captured {
    pub(crate) method: String,
    /// The request target: path and query, exactly as sent.
    pub(crate) target: String,
    pub(crate) version: String,
    /// Header names and values in wire order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Captured {
    /// All values of a header, in wire order; names compare case-insensitively.
    pub(crate) fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A running scripted server.
#[derive(Debug)]
pub(crate) struct TestServer {
    addr: SocketAddr,
    requests: mpsc::UnboundedReceiver<Captured>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Binds `127.0.0.1:0` and serves one connection per behavior, in order.
    pub(crate) async fn start(script: Vec<Behavior>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let (tx, requests) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            for behavior in script {
                let (stream, _) = listener.accept().await.expect("accept");
                serve(stream, behavior, &tx).await;
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:port` followed by `path_and_query`.
    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.addr)
    }

    /// `https://127.0.0.1:port` followed by `path_and_query` (the server speaks plain HTTP).
    pub(crate) fn https_url(&self, path_and_query: &str) -> String {
        format!("https://{}{path_and_query}", self.addr)
    }

    /// The next request the server read.
    pub(crate) async fn next_request(&mut self) -> Captured {
        tokio::time::timeout(STUCK, self.requests.recv())
            .await
            .expect("server read no request")
            .expect("server ended without reading a request")
    }

    /// Waits for the server to finish its script, and checks it read no unexpected request.
    pub(crate) async fn finish(mut self) {
        tokio::time::timeout(STUCK, &mut self.task)
            .await
            .expect("server task did not end")
            .expect("server task panicked");
        assert_eq!(self.requests.try_recv().ok(), None, "unread request left");
    }
}

/// A port on which nothing listens: bound, read, and released again.
pub(crate) async fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("bound address").port();
    drop(listener);
    port
}

/// A complete `Connection: close` response with a `Content-Length` body.
pub(crate) fn response(status_line: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status_line}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A complete `Connection: close` response with a chunked body, one chunk per slice.
pub(crate) fn chunked_response(chunks: &[&[u8]]) -> Vec<u8> {
    let mut out =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for chunk in chunks {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

async fn serve(mut stream: TcpStream, behavior: Behavior, tx: &mpsc::UnboundedSender<Captured>) {
    if let Behavior::PlainHttpTo400 = behavior {
        let mut buf = [0; 4096];
        let n = stream.read(&mut buf).await.expect("read client hello");
        assert!(n > 0, "client sent nothing");
        let answer = response("400 Bad Request", &[], b"");
        // The client may already have given up; its side of the exchange is what is tested.
        let _ = stream.write_all(&answer).await;
        let _ = stream.shutdown().await;
        return;
    }
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    // The test may have stopped listening; the request is then of no interest.
    let _ = tx.send(request);
    match behavior {
        Behavior::Respond(bytes) => {
            // A client that rejects the body may close first; a failed write is part of the test.
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Behavior::Hang => {
            // Never answer; end when the client closes the connection (after its timeout).
            let mut buf = [0; 1024];
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        }
        Behavior::Close => drop(stream),
        Behavior::PlainHttpTo400 => unreachable!(),
    }
}

/// Reads one request with a `Content-Length` body (or none); `None` on EOF before a full head.
async fn read_request(stream: &mut TcpStream) -> Option<Captured> {
    let mut data = Vec::new();
    let mut buf = [0; 4096];
    let head_end = loop {
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8(data[..head_end].to_vec()).expect("request head is not UTF-8");
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().expect("request line").split(' ');
    let method = request_line.next().expect("method").to_owned();
    let target = request_line.next().expect("request target").to_owned();
    let version = request_line.next().expect("HTTP version").to_owned();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("header without colon");
            (name.to_owned(), value.trim().to_owned())
        })
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| {
            v.parse::<usize>().expect("numeric Content-Length")
        });
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..n]);
    }
    assert_eq!(body.len(), length, "client sent more than Content-Length");
    Some(Captured {
        method,
        target,
        version,
        headers,
        body,
    })
}
