//! Accepting connections: HTTP/1.1 with a deadline for a request's headers, a bound on their
//! size, and a graceful end.
//!
//! `axum::serve` sets no timer, so a client trickling its headers byte by byte (slow loris)
//! or keeping an idle connection open would hold it for ever. Here every connection must
//! deliver each request's headers within the header timeout (`[server] header_timeout_ms`;
//! the clock also runs while a kept-alive connection is idle) or it is closed; the body and
//! the answer are bounded by the request timeout of the router.
//!
//! What is not HTTP at all (a garbled request line, more than [`MAX_HEADERS`] headers, a
//! head over [`MAX_HEAD_BYTES`]) never reaches the router: hyper answers a bare `400` or
//! `431` without a body and closes the connection.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Largest request head (request line and headers) read, in bytes; a larger one is
/// answered `431` by hyper and the connection closed. Generous for a portal's cookies,
/// which a browser sends along when Sophia is served under the portal's origin.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most headers a request may have; more are answered `431` by hyper and the connection
/// closed.
pub const MAX_HEADERS: usize = 100;

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, lets every
/// connection finish the request it is answering, and returns. Each request carries the
/// peer's address as [`ConnectInfo`]`<SocketAddr>` (what the rate limit keys on).
pub async fn serve_http(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS);
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers are small and written at once: no reason to wait for more.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that goes away, sends garbage or is too slow ends its connection;
            // nothing to do about it but note it.
            if let Err(error) = connection.await {
                tracing::debug!(%peer, "connection ended: {error}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// A failed accept: a client that gave up is nothing; anything else (too many open files)
/// is logged and followed by a pause, so the loop does not spin.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!("cannot accept a connection: {error}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
