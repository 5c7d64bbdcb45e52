//! Accepting connections: the listen backlog, a cap on open connections with a clear refusal
//! beyond it, a time limit for reading a request's headers (a client sending one byte a second
//! must not hold a connection, and its memory, forever), and graceful shutdown. Slow bodies are
//! bounded by the request timeout in [`crate::router`].

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, watch};

/// The address a request's connection comes from (a proxy's, behind one): see
/// [`crate::access::client`] for which address counts as the client's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// How connections are accepted.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Longest time to receive a request's headers.
    pub header_read_timeout: Duration,
    /// Most connections open at once; beyond, a connection is answered 503 and closed.
    pub max_connections: usize,
}

/// Binds `addr` with `backlog` connections queued by the kernel before they are accepted.
pub fn bind(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(backlog)
}

/// Serves `app` on `listener` until `shutdown` turns true, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            // Only whether it stopped: the guard `wait_for` returns must not outlive this branch.
            () = async { drop(shutdown.wait_for(|stop| *stop).await) } => break,
        };
        // Answers go out at once, not held back to coalesce with more (Nagle).
        let _ = tcp.set_nodelay(true);
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            metrics::counter!("frontdesk_connections_refused_total").increment(1);
            tokio::spawn(refuse(tcp));
            continue;
        };
        let service =
            tower::ServiceExt::map_request(app.clone().into_service::<Incoming>(), move |mut r: Request<Incoming>| {
                r.extensions_mut().insert(PeerAddr(peer));
                r
            });
        let service = TowerToHyperService::new(service);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            // A connection ending in an error (a client gone, headers too slow) is the client's.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The answer beyond the connection cap: 503 with the JSON error shape, then close.
async fn refuse(mut tcp: TcpStream) {
    let body =
        r#"{"error":{"code":"too_many_connections","message":"the server has too many open connections; retry"}}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), tcp.write_all(answer.as_bytes())).await;
    let _ = tcp.shutdown().await;
}
