//! JSON answers: `{"error": reason}` for every refusal, as the tag and the tests read them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A JSON answer with this status.
pub fn json(status: u16, value: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `{"error": reason}` with this status.
pub fn error(status: u16, reason: &str) -> Response {
    json(status, &serde_json::json!({ "error": reason }))
}

/// 503 with `Retry-After` (seconds): the tag waits that long before it resends.
pub fn unavailable(reason: &str, retry_after: u32) -> Response {
    let mut response = error(503, reason);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}
