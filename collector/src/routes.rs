//! Which path does what. Every handler returns an [`Outcome`] (an answer, or a fault's
//! silence) and a note for the request log on stderr.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::app::App;
use crate::clock::now_ms;
use crate::contract::{self, Rejection};
use crate::cors;
use crate::faults::{Effect, Fault};
use crate::http::{Body, Head, Response};
use crate::static_files;
use crate::store::Attempt;

/// Largest request body read, in bytes (1 MiB); a larger one is answered 413 unread.
pub const MAX_BODY_BYTES: u64 = 1 << 20;

/// What the connection does with a request.
#[derive(Debug)]
pub enum Outcome {
    /// Answer.
    Respond(Response),
    /// Say nothing for this long, then close (the hang fault).
    Hang(Duration),
    /// Close without answering (the close and ack_lost faults).
    Close,
}

/// An outcome and what to say about it in the request log (may be empty).
#[derive(Debug)]
pub struct Handled {
    /// What the connection does.
    pub outcome: Outcome,
    /// A few words for the log line.
    pub note: String,
}

impl Handled {
    fn respond(response: Response) -> Handled {
        Handled {
            outcome: Outcome::Respond(response),
            note: String::new(),
        }
    }

    fn json(status: u16, value: &Value) -> Handled {
        Handled::respond(Response::json(status, value))
    }

    fn error(status: u16, reason: &str) -> Handled {
        Handled::respond(Response::error(status, reason)).noted(reason.to_string())
    }

    fn noted(mut self, note: String) -> Handled {
        self.note = note;
        self
    }
}

/// Routes one request.
pub fn handle(app: &App, head: &Head, body: &Body) -> Handled {
    let method = head.method.as_str();
    let path = head.path.as_str();
    if method == "OPTIONS" {
        app.store().count_preflight();
        return Handled::respond(cors::preflight());
    }
    // The tag may be configured with any endpoint path, e.g. /v1/collect.
    if path.ends_with("/collect") {
        return match method {
            "POST" => collect(app, head, body),
            _ => not_allowed("POST, OPTIONS"),
        };
    }
    if let Body::TooLarge(_) = body {
        return Handled::error(413, "body: larger than 1 MiB");
    }
    let get = method == "GET" || method == "HEAD";
    match path {
        "/events" if get => events(app, head),
        "/stats" if get => Handled::json(200, &app.store().stats_json()),
        "/requests" if get => Handled::json(200, &app.store().attempts_json()),
        "/faults" if get => Handled::json(200, &app.faults().describe(Instant::now())),
        "/faults" if method == "POST" => set_fault(app, body),
        "/faults" if method == "DELETE" => {
            app.faults().clear();
            Handled::json(200, &json!({ "fault": null })).noted("faults cleared".to_string())
        }
        "/reset" if method == "POST" => reset(app),
        "/events" | "/stats" | "/requests" => not_allowed("GET, HEAD, OPTIONS"),
        "/faults" => not_allowed("GET, POST, DELETE, OPTIONS"),
        "/reset" => not_allowed("POST, OPTIONS"),
        _ if get => static_file(app, head),
        _ => Handled::error(404, "not found"),
    }
}

/// Longest `?delay=` honoured on a static file.
pub const MAX_STATIC_DELAY_MS: u64 = 10_000;

/// A static file. `?delay=MS` holds the answer that long (at most 10 s): how tests make the
/// tag load late, to click before the wasm is ready (the snippet passes its loader URL's query
/// on to the wasm URL, so both are delayed).
fn static_file(app: &App, head: &Head) -> Handled {
    let delay = head
        .query_param("delay")
        .and_then(|d| d.parse::<u64>().ok())
        .unwrap_or(0);
    if delay > 0 {
        std::thread::sleep(Duration::from_millis(delay.min(MAX_STATIC_DELAY_MS)));
    }
    let handled = Handled::respond(static_files::serve(app.root(), &head.path));
    if delay > 0 {
        handled.noted(format!("delayed {} ms", delay.min(MAX_STATIC_DELAY_MS)))
    } else {
        handled
    }
}

fn not_allowed(allow: &str) -> Handled {
    let mut handled = Handled::error(405, "method not allowed");
    if let Outcome::Respond(response) = &mut handled.outcome {
        response.set_header("Allow", allow);
    }
    handled
}

/// `POST …/collect`: the tag's batch. Oversized bodies are refused first; then a fault, if
/// one is set, decides; otherwise the batch is checked against the contract and stored.
fn collect(app: &App, head: &Head, body: &Body) -> Handled {
    let t = now_ms();
    let attempt =
        |status: u16, ids: Vec<String>, bytes: u64, fault: Option<&'static str>| Attempt {
            t,
            status,
            ids,
            bytes,
            fault,
            fetch_mode: head.header("sec-fetch-mode").map(str::to_string),
            cookie: head.header("cookie").is_some(),
        };

    let bytes = match body {
        Body::TooLarge(length) => {
            app.store().record(attempt(413, Vec::new(), *length, None));
            return Handled::error(413, "body: larger than 1 MiB");
        }
        Body::Bytes(bytes) => bytes,
    };
    let length = bytes.len() as u64;
    let parsed = contract::parse_json(bytes);
    let ids = parsed.as_ref().map(contract::event_ids).unwrap_or_default();

    let effect = app.faults().take(Instant::now());
    let fault_name = effect.map(|e| e.name());
    if let Some(Effect::Slow { hold }) = effect {
        std::thread::sleep(hold); // one thread per connection: only this answer waits
    }
    match effect {
        Some(Effect::Status {
            status,
            retry_after,
        }) => {
            app.store().record(attempt(status, ids, length, fault_name));
            let mut response = Response::error(status, "injected fault");
            if let Some(seconds) = retry_after {
                response.set_header("Retry-After", &seconds.to_string());
            }
            Handled::respond(response).noted(format!("fault status {status}, nothing stored"))
        }
        Some(Effect::Hang { hold }) => {
            app.store().record(attempt(0, ids, length, fault_name));
            Handled {
                outcome: Outcome::Hang(hold),
                note: format!("fault hang {} ms, no answer", hold.as_millis()),
            }
        }
        Some(Effect::Close) => {
            app.store().record(attempt(0, ids, length, fault_name));
            Handled {
                outcome: Outcome::Close,
                note: "fault close, no answer".to_string(),
            }
        }
        Some(Effect::AckLost | Effect::Slow { .. }) | None => {
            let handled = store_batch(app, parsed, |status| {
                attempt(status, ids, length, fault_name)
            });
            match effect {
                Some(Effect::AckLost) => Handled {
                    outcome: Outcome::Close,
                    note: format!("fault ack_lost: {}, answer dropped", handled.note),
                },
                _ => handled,
            }
        }
    }
}

/// Validates and stores a parsed body, recording the attempt under the same lock so that
/// `/requests` and `/events` agree on arrival order.
fn store_batch(
    app: &App,
    parsed: Result<Value, Rejection>,
    attempt: impl FnOnce(u16) -> Attempt,
) -> Handled {
    let checked = parsed.and_then(|batch| contract::validate_batch(&batch).map(|()| batch));
    let mut store = app.store();
    let batch = match checked {
        Ok(batch) => batch,
        Err(rejection) => {
            store.record(attempt(400));
            return Handled::error(400, &rejection.reason());
        }
    };
    match store.admit(&batch, now_ms()) {
        Ok(admission) => {
            store.record(attempt(200));
            Handled::json(
                200,
                &json!({ "accepted": admission.accepted, "duplicates": admission.duplicates }),
            )
            .noted(format!(
                "accepted {} duplicates {}",
                admission.accepted, admission.duplicates
            ))
        }
        Err(e) => {
            store.record(attempt(500));
            Handled::error(500, "event log write failed")
                .noted(format!("event log write failed: {e}"))
        }
    }
}

/// `GET /events[?since=N][&session=UUID]`. `X-Next-Since` is the `since` for the next poll.
fn events(app: &App, head: &Head) -> Handled {
    let since = match head.query_param("since").map(|s| s.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Handled::error(400, "since: not an integer >= 0"),
    };
    let session = head.query_param("session");
    let store = app.store();
    let mut response = Response::json(200, &json!(store.events(since, session.as_deref())))
        .with_header("X-Next-Since", &store.event_count().to_string());
    response.set_header("Cache-Control", "no-store");
    Handled::respond(response)
}

fn set_fault(app: &App, body: &Body) -> Handled {
    let Body::Bytes(bytes) = body else {
        return Handled::error(413, "body: larger than 1 MiB");
    };
    let now = Instant::now();
    match Fault::parse(bytes, now) {
        Ok(fault) => {
            let mut faults = app.faults();
            faults.set(fault);
            let shown = faults.describe(now);
            Handled::json(200, &shown).noted(format!("fault set {}", shown["fault"]))
        }
        Err(e) => Handled::error(400, e.message()),
    }
}

fn reset(app: &App) -> Handled {
    app.faults().clear();
    match app.store().reset() {
        Ok(()) => Handled::json(200, &json!({ "reset": true }))
            .noted("events, requests, stats and faults cleared".to_string()),
        Err(e) => Handled::error(500, "event log truncate failed")
            .noted(format!("event log truncate failed: {e}")),
    }
}
