//! `POST …/collect`: the tag's batch. Checked against the contract (400 naming the field),
//! repeats inside the batch dropped, then written to the sink; 200 only once the sink says the
//! batch is durable, 503 + `Retry-After` if it cannot (nothing acknowledged that was not stored).

use std::error::Error as _;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};

use crate::batch;
use crate::clock::now_ms;
use crate::contract;
use crate::dev::faults::Effect;
use crate::dev::store::Admission;
use crate::dev::{self, Recorded};
use crate::log::Level;
use crate::reply;
use crate::state::Shared;

/// The handler.
pub async fn collect(
    State(state): State<Shared>,
    effect: Option<Extension<Effect>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let fault = effect.map(|Extension(e)| e.name());
    let dev = state.dev.as_deref();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            // The body limit layer ends a body that outgrows it mid-stream (no Content-Length).
            let too_large = is_length_limit(&e);
            let status = if too_large { 413 } else { 400 };
            if let Some(dev) = dev {
                dev.record(dev::attempt(&headers, status, Vec::new(), 0, fault));
            }
            let reason = if too_large {
                "body: larger than 1 MiB"
            } else {
                "body: unreadable"
            };
            return recorded(reply::error(status, reason));
        }
    };
    let length = bytes.len() as u64;
    let received = now_ms();
    let parsed = contract::parse_json(&bytes);
    let found = parsed.as_ref().map(count_events).unwrap_or(0);
    let ids = match dev {
        Some(_) => parsed.as_ref().map(contract::event_ids).unwrap_or_default(),
        None => Vec::new(),
    };
    let batch = match parsed.and_then(|value| batch::accept(value, &state.schema, received)) {
        Ok(batch) => batch,
        Err(rejection) => {
            let reason = rejection.reason();
            state.metrics.rejected(found);
            log!(Level::Info, "refused a batch of {found} events: {reason}");
            if let Some(dev) = dev {
                dev.record(dev::attempt(&headers, 400, ids, length, fault));
            }
            return recorded(reply::error(400, &reason));
        }
    };

    let events = Arc::new(batch.events);
    let written = {
        let _in_flight = state.metrics.enter();
        let started = Instant::now();
        let written = state.sink.write(Arc::clone(&events)).await;
        state.metrics.sink_write(started.elapsed());
        written
    };
    let fresh = match written {
        Ok(fresh) => fresh,
        Err(e) => {
            log!(
                Level::Warn,
                "{} ({} events answered 503)",
                e.message(),
                events.len()
            );
            if let Some(dev) = dev {
                dev.record(dev::attempt(&headers, 503, ids, length, fault));
            }
            return recorded(reply::unavailable(e.message(), 1));
        }
    };
    let accepted = fresh.iter().filter(|new| **new).count();
    let duplicates = batch.repeats + (events.len() - accepted);
    state.metrics.stored(accepted, duplicates);
    if let Some(dev) = dev {
        let new_events = events
            .iter()
            .zip(&fresh)
            .filter(|(_, new)| **new)
            .map(|(e, _)| e.json.clone());
        let admission = Admission {
            accepted,
            duplicates,
            evicted: batch.evicted,
            limited: batch.limited,
        };
        dev.admit(
            new_events,
            admission,
            dev::attempt(&headers, 200, ids, length, fault),
        );
    }
    recorded(reply::json(
        200,
        &json!({ "accepted": accepted, "duplicates": duplicates }),
    ))
}

fn recorded(mut response: Response) -> Response {
    response.extensions_mut().insert(Recorded);
    response
}

fn count_events(body: &Value) -> usize {
    body.get("events")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}
