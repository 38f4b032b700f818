//! Operations: `/healthz` (the process answers), `/readyz` (the sink answers; 503 if not, so a
//! load balancer sends the tag elsewhere), `/metrics` (Prometheus text).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::reply;
use crate::state::Shared;

/// `GET /healthz`.
pub async fn healthz() -> Response {
    reply::json(200, &json!({ "status": "up" }))
}

/// `GET /readyz`.
pub async fn readyz(State(state): State<Shared>) -> Response {
    if state.sink.ready().await {
        reply::json(200, &json!({ "status": "ready" }))
    } else {
        reply::unavailable("sink: not answering", 1)
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<Shared>) -> Response {
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}
