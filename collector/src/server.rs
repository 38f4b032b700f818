//! Connections: HTTP/1.1 keep-alive on hyper, one task each. Any path ending in `/collect` is
//! routed as `/collect` (the tag's endpoint path is the site's choice). On shutdown: stop
//! accepting, let every connection finish its request in flight, then return.

use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Uri};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::log::Level;

/// How long shutdown waits for requests in flight.
const GRACE: Duration = Duration::from_secs(30);

/// Closes the connection a request came on without answering it: what the development
/// faults `hang`, `close` and `ack_lost` need. Set on every request as an extension.
#[derive(Debug, Clone)]
pub struct Kill(Arc<Mutex<Option<oneshot::Sender<()>>>>);

impl Kill {
    /// Drops the connection (the socket closes; no answer is written).
    pub fn fire(&self) {
        if let Some(kill) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = kill.send(());
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, app.clone(), stopping.clone()));
                }
                Err(e) => {
                    // Out of file descriptors, typically: wait a little rather than spin.
                    log!(Level::Warn, "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut shutdown => break,
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        log!(
            Level::Warn,
            "shutdown: requests still in flight after {GRACE:?}, closing them"
        );
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    app: Router,
    mut stopping: watch::Receiver<bool>,
) {
    let (kill_tx, mut killed) = oneshot::channel();
    let kill = Kill(Arc::new(Mutex::new(Some(kill_tx))));
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        if request.uri().path().ends_with("/collect") && request.uri().path() != "/collect" {
            *request.uri_mut() = collect_uri(request.uri());
        }
        request.extensions_mut().insert(kill.clone());
        let app = app.clone();
        async move {
            Ok::<_, Infallible>(
                app.oneshot(request.map(Body::new))
                    .await
                    .unwrap_or_else(|e| match e {}),
            )
        }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut draining = *stopping.borrow();
    if draining {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = &mut killed => return, // dropping the connection closes the socket unanswered
            changed = stopping.changed(), if !draining => {
                draining = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// `/v1/collect?x=1` as `/collect?x=1`.
fn collect_uri(uri: &Uri) -> Uri {
    let target = match uri.query() {
        Some(query) => format!("/collect?{query}"),
        None => "/collect".to_string(),
    };
    target
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/collect"))
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
