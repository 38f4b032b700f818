//! `--dev`: what the demo and the browser tests use, never for production. Static files (the
//! demo pages, the built tag, the test pages), a memory of what arrived (`/events`,
//! `/requests`, `/stats`), injected failures on collect (`/faults`) and `/reset`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};

use crate::clock::now_ms;
use crate::contract;
use crate::reply;
use crate::server::Kill;
use crate::sink::Sink;

pub mod faults;
pub mod percent;
pub mod static_files;
pub mod store;

use faults::{Effect, Fault, FaultBoard};
use store::{Admission, Attempt, Store};

/// Longest `?delay=` honoured on a static file.
pub const MAX_STATIC_DELAY_MS: u64 = 10_000;

/// The development state: the repository root, the memory of what arrived, the fault.
pub struct Dev {
    root: PathBuf,
    store: Mutex<Store>,
    faults: Mutex<FaultBoard>,
    sink: Arc<dyn Sink>,
}

impl std::fmt::Debug for Dev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dev").field("root", &self.root).finish()
    }
}

/// Marks an answer whose attempt the collect handler already recorded.
#[derive(Debug, Clone, Copy)]
pub struct Recorded;

impl Dev {
    /// Development state serving files under `root`; `sink` is reset by `/reset`.
    pub fn new(root: PathBuf, sink: Arc<dyn Sink>) -> Dev {
        Dev {
            root,
            store: Mutex::new(Store::default()),
            faults: Mutex::new(FaultBoard::default()),
            sink,
        }
    }

    /// The memory. A panic while holding it leaves it usable.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn faults(&self) -> MutexGuard<'_, FaultBoard> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a POST to collect that stored nothing.
    pub fn record(&self, attempt: Attempt) {
        self.store().record(attempt);
    }

    /// Records a stored batch and its attempt under one lock, so `/requests` and `/events`
    /// agree on arrival order (a test that sees the event also sees its acknowledgement).
    pub fn admit(
        &self,
        fresh: impl IntoIterator<Item = Value>,
        admission: Admission,
        attempt: Attempt,
    ) {
        let mut store = self.store();
        store.admit(fresh, admission);
        store.record(attempt);
    }
}

/// An attempt record for a request with these headers.
pub fn attempt(
    headers: &HeaderMap,
    status: u16,
    ids: Vec<String>,
    bytes: u64,
    fault: Option<&'static str>,
) -> Attempt {
    Attempt {
        t: now_ms(),
        status,
        ids,
        bytes,
        fault,
        fetch_mode: headers
            .get("sec-fetch-mode")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        cookie: headers.contains_key(header::COOKIE),
    }
}

/// The development routes.
pub fn routes(dev: Arc<Dev>) -> Router {
    Router::new()
        .route("/events", get(events))
        .route(
            "/stats",
            get(|State(dev): State<Arc<Dev>>| async move {
                reply::json(200, &dev.store().stats_json())
            }),
        )
        .route(
            "/requests",
            get(|State(dev): State<Arc<Dev>>| async move {
                reply::json(200, &dev.store().attempts_json())
            }),
        )
        .route(
            "/faults",
            get(show_fault).post(set_fault).delete(clear_fault),
        )
        .route("/reset", post(reset))
        .fallback(static_file)
        .with_state(dev)
}

/// Counts CORS preflights (outside the CORS layer, which answers them).
pub async fn count_preflights(
    State(dev): State<Arc<Dev>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::OPTIONS {
        dev.store().count_preflight();
    }
    next.run(request).await
}

/// The fault, applied to POSTs to collect before anything else: a status, a hang or a close
/// answers here (nothing stored); slow holds then goes on; ack_lost goes on, then drops the
/// connection instead of answering. Also records the 413s the body limit answers itself.
pub async fn intercept(State(dev): State<Arc<Dev>>, mut request: Request, next: Next) -> Response {
    let effect = dev.faults().take(Instant::now());
    let kill = request.extensions().get::<Kill>().cloned();
    match effect {
        Some(effect @ (Effect::Status { .. } | Effect::Hang { .. } | Effect::Close)) => {
            let headers = request.headers().clone();
            let body = axum::body::to_bytes(request.into_body(), crate::limits::MAX_BODY_BYTES)
                .await
                .unwrap_or_default();
            let ids = ids_in(&body);
            let status = match effect {
                Effect::Status { status, .. } => status,
                _ => 0,
            };
            dev.record(attempt(
                &headers,
                status,
                ids,
                body.len() as u64,
                Some(effect.name()),
            ));
            match effect {
                Effect::Status {
                    status,
                    retry_after,
                } => {
                    let mut response = reply::error(status, "injected fault");
                    if let Some(seconds) = retry_after {
                        response
                            .headers_mut()
                            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                    }
                    response
                }
                Effect::Hang { hold } => {
                    tokio::time::sleep(hold).await;
                    drop_connection(kill).await
                }
                _ => drop_connection(kill).await,
            }
        }
        effect => {
            if let Some(Effect::Slow { hold }) = effect {
                tokio::time::sleep(hold).await;
            }
            let headers = request.headers().clone();
            if let Some(effect) = effect {
                request.extensions_mut().insert(effect);
            }
            let response = next.run(request).await;
            if response.status() == StatusCode::PAYLOAD_TOO_LARGE
                && response.extensions().get::<Recorded>().is_none()
            {
                let declared = headers
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                dev.record(attempt(
                    &headers,
                    413,
                    Vec::new(),
                    declared,
                    effect.map(|e| e.name()),
                ));
            }
            if effect == Some(Effect::AckLost) {
                return drop_connection(kill).await;
            }
            response
        }
    }
}

/// Closes the request's connection without an answer (never returns).
async fn drop_connection(kill: Option<Kill>) -> Response {
    if let Some(kill) = kill {
        kill.fire();
    }
    std::future::pending().await
}

fn ids_in(body: &[u8]) -> Vec<String> {
    contract::parse_json(body)
        .map(|v| contract::event_ids(&v))
        .unwrap_or_default()
}

/// `GET /events[?since=N][&session=UUID]`. `X-Next-Since` is the `since` for the next poll.
async fn events(State(dev): State<Arc<Dev>>, uri: Uri) -> Response {
    let query = uri.query().unwrap_or("");
    let since = match percent::query_param(query, "since").map(|s| s.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return reply::error(400, "since: not an integer >= 0"),
    };
    let session = percent::query_param(query, "session");
    let store = dev.store();
    let mut response = reply::json(200, &json!(store.events(since, session.as_deref())));
    let headers = response.headers_mut();
    headers.insert("X-Next-Since", HeaderValue::from(store.event_count()));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn show_fault(State(dev): State<Arc<Dev>>) -> Response {
    reply::json(200, &dev.faults().describe(Instant::now()))
}

async fn set_fault(State(dev): State<Arc<Dev>>, body: Bytes) -> Response {
    let now = Instant::now();
    match Fault::parse(&body, now) {
        Ok(fault) => {
            let mut faults = dev.faults();
            faults.set(fault);
            reply::json(200, &faults.describe(now))
        }
        Err(e) => reply::error(400, e.message()),
    }
}

async fn clear_fault(State(dev): State<Arc<Dev>>) -> Response {
    dev.faults().clear();
    reply::json(200, &json!({ "fault": null }))
}

async fn reset(State(dev): State<Arc<Dev>>) -> Response {
    dev.faults().clear();
    if let Err(e) = dev.sink.reset().await {
        return reply::error(500, e.message());
    }
    dev.store().reset();
    reply::json(200, &json!({ "reset": true }))
}

/// A static file, for GET and HEAD. `?delay=MS` holds the answer that long (at most 10 s):
/// how tests make the tag load late (the snippet passes its loader URL's query on to the wasm).
async fn static_file(State(dev): State<Arc<Dev>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return reply::error(404, "not found");
    }
    let delay = percent::query_param(uri.query().unwrap_or(""), "delay")
        .and_then(|d| d.parse::<u64>().ok())
        .unwrap_or(0)
        .min(MAX_STATIC_DELAY_MS);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let Some(file) = static_files::serve(&dev.root, uri.path()) else {
        return reply::error(404, "not found");
    };
    let mut response = file.body.into_response();
    let headers = response.headers_mut();
    for (name, value) in file.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    }
    response
}
