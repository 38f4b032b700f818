//! Injected failures for POSTs to collect, set by tests through `/faults`, so the tag's
//! retry, backoff and no-resend behaviour can be observed against a real server.
//!
//! A fault lasts for `count` requests, or for `ms` milliseconds from when it is set, or
//! both (whichever runs out first), or, with neither, until cleared. For `hang`, `ms` also
//! says how long each request is held (unless `hold_ms` says otherwise): the brief's
//! `{"mode":"hang","ms":10000}` hangs requests for 10 s during the next 10 s.

use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

/// Mode name of the fault that stores the batch but never answers (see [`Effect::AckLost`]).
pub const ACK_LOST: &str = "ack_lost";

/// How long a hang holds a request when neither `hold_ms` nor `ms` is given.
const DEFAULT_HOLD: Duration = Duration::from_secs(10);

/// What a faulted request gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// An answer with this status (and a `Retry-After` header, in seconds, if given);
    /// nothing is stored.
    Status {
        /// The status code, 200..=599.
        status: u16,
        /// The `Retry-After` value in seconds.
        retry_after: Option<u64>,
    },
    /// The request is read, then no answer for `hold`, then the connection is closed.
    Hang {
        /// How long the connection stays open and silent.
        hold: Duration,
    },
    /// The request is read, then the connection is closed without an answer.
    Close,
    /// The request is held for `hold`, then handled normally (stored if valid) and answered:
    /// a slow collector, for tests of what happens while a request is in flight.
    Slow {
        /// How long the answer is held back.
        hold: Duration,
    },
    /// The batch is handled normally (stored if valid), then the connection is closed
    /// without an answer: the tag never learns it was stored and may resend it, which the
    /// collector must then drop as repeats.
    AckLost,
}

impl Effect {
    /// The mode name, as set and as shown in `/requests`.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::Status { .. } => "status",
            Effect::Hang { .. } => "hang",
            Effect::Slow { .. } => "slow",
            Effect::Close => "close",
            Effect::AckLost => ACK_LOST,
        }
    }
}

/// Why a `/faults` body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultError {
    /// Not a JSON object.
    NotObject,
    /// A field not listed below.
    UnknownField,
    /// `mode` absent or not one of status, hang, close, ack_lost.
    BadMode,
    /// `status` absent (mode status) or not an integer 200..=599.
    BadStatus,
    /// `retry_after` not an integer >= 0.
    BadRetryAfter,
    /// `count` not an integer >= 1.
    BadCount,
    /// `ms` not an integer >= 0.
    BadMs,
    /// `hold_ms` not an integer >= 0.
    BadHoldMs,
    /// `status` or `retry_after` given for a mode other than status.
    StatusFieldsNeedStatusMode,
    /// `hold_ms` given for a mode other than hang.
    HoldNeedsHangMode,
}

impl FaultError {
    /// A short human reason.
    pub fn message(self) -> &'static str {
        match self {
            FaultError::NotObject => "body: not a JSON object",
            FaultError::UnknownField => {
                "unknown field (known: mode, status, retry_after, count, ms, hold_ms)"
            }
            FaultError::BadMode => {
                "mode: must be \"status\", \"hang\", \"slow\", \"close\" or \"ack_lost\""
            }
            FaultError::BadStatus => "status: must be an integer from 200 to 599",
            FaultError::BadRetryAfter => "retry_after: must be an integer >= 0 (seconds)",
            FaultError::BadCount => "count: must be an integer >= 1",
            FaultError::BadMs => "ms: must be an integer >= 0",
            FaultError::BadHoldMs => "hold_ms: must be an integer >= 0",
            FaultError::StatusFieldsNeedStatusMode => {
                "status and retry_after: only with mode \"status\""
            }
            FaultError::HoldNeedsHangMode => "hold_ms: only with mode \"hang\" or \"slow\"",
        }
    }
}

/// A fault and what is left of its lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    effect: Effect,
    count_left: Option<u64>,
    until: Option<Instant>,
}

impl Fault {
    /// Reads a `/faults` body, e.g. `{"mode":"status","status":503,"count":5}`.
    pub fn parse(body: &[u8], now: Instant) -> Result<Fault, FaultError> {
        let value: Value = serde_json::from_slice(body).map_err(|_| FaultError::NotObject)?;
        let obj = value.as_object().ok_or(FaultError::NotObject)?;
        const KNOWN: [&str; 6] = ["mode", "status", "retry_after", "count", "ms", "hold_ms"];
        if obj.keys().any(|k| !KNOWN.contains(&k.as_str())) {
            return Err(FaultError::UnknownField);
        }

        let count = uint(obj, "count", FaultError::BadCount)?;
        if count == Some(0) {
            return Err(FaultError::BadCount);
        }
        let ms = uint(obj, "ms", FaultError::BadMs)?;
        let hold_ms = uint(obj, "hold_ms", FaultError::BadHoldMs)?;
        let status = uint(obj, "status", FaultError::BadStatus)?;
        let retry_after = uint(obj, "retry_after", FaultError::BadRetryAfter)?;

        let mode = obj
            .get("mode")
            .and_then(Value::as_str)
            .ok_or(FaultError::BadMode)?;
        if mode != "status" && (status.is_some() || retry_after.is_some()) {
            return Err(FaultError::StatusFieldsNeedStatusMode);
        }
        if mode != "hang" && mode != "slow" && hold_ms.is_some() {
            return Err(FaultError::HoldNeedsHangMode);
        }
        let effect = match mode {
            "status" => match status {
                Some(s @ 200..=599) => Effect::Status {
                    status: s as u16,
                    retry_after,
                },
                _ => return Err(FaultError::BadStatus),
            },
            "hang" => Effect::Hang {
                hold: hold_ms.or(ms).map_or(DEFAULT_HOLD, Duration::from_millis),
            },
            "slow" => Effect::Slow {
                hold: hold_ms.or(ms).map_or(DEFAULT_HOLD, Duration::from_millis),
            },
            "close" => Effect::Close,
            ACK_LOST => Effect::AckLost,
            _ => return Err(FaultError::BadMode),
        };
        Ok(Fault {
            effect,
            count_left: count,
            until: ms.map(|ms| now + Duration::from_millis(ms)),
        })
    }

    fn expired(&self, now: Instant) -> bool {
        self.count_left == Some(0) || self.until.is_some_and(|until| now >= until)
    }

    fn describe(&self, now: Instant) -> Value {
        let mut out = json!({
            "mode": self.effect.name(),
            "count_left": self.count_left,
            "ms_left": self.until.map(|u| u.saturating_duration_since(now).as_millis() as u64),
        });
        match self.effect {
            Effect::Status {
                status,
                retry_after,
            } => {
                out["status"] = json!(status);
                out["retry_after"] = json!(retry_after);
            }
            Effect::Hang { hold } | Effect::Slow { hold } => {
                out["hold_ms"] = json!(hold.as_millis() as u64)
            }
            Effect::Close | Effect::AckLost => {}
        }
        out
    }
}

fn uint(obj: &Map<String, Value>, key: &str, error: FaultError) -> Result<Option<u64>, FaultError> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or(error),
    }
}

/// The one current fault, if any.
#[derive(Debug, Default)]
pub struct FaultBoard {
    current: Option<Fault>,
}

impl FaultBoard {
    /// Replaces the current fault.
    pub fn set(&mut self, fault: Fault) {
        self.current = Some(fault);
    }

    /// Removes the current fault.
    pub fn clear(&mut self) {
        self.current = None;
    }

    /// The effect for the POST to collect arriving now, using up one of its count.
    pub fn take(&mut self, now: Instant) -> Option<Effect> {
        let fault = self.current.as_mut()?;
        if fault.expired(now) {
            self.current = None;
            return None;
        }
        if let Some(n) = fault.count_left.as_mut() {
            *n -= 1;
        }
        let effect = fault.effect;
        if fault.expired(now) {
            self.current = None;
        }
        Some(effect)
    }

    /// `/faults`: `{"fault": null}` or `{"fault": {"mode": ..., "count_left": ..., "ms_left": ...}}`.
    pub fn describe(&mut self, now: Instant) -> Value {
        if self.current.as_ref().is_some_and(|f| f.expired(now)) {
            self.current = None;
        }
        json!({ "fault": self.current.as_ref().map(|f| f.describe(now)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Fault, FaultError> {
        Fault::parse(body.as_bytes(), Instant::now())
    }

    #[test]
    fn a_counted_fault_applies_to_exactly_count_requests() {
        let now = Instant::now();
        let mut board = FaultBoard::default();
        board.set(Fault::parse(br#"{"mode":"status","status":503,"count":2}"#, now).unwrap());
        let effect = Effect::Status {
            status: 503,
            retry_after: None,
        };
        assert_eq!(board.take(now), Some(effect));
        assert_eq!(board.take(now), Some(effect));
        assert_eq!(board.take(now), None);
        assert_eq!(board.describe(now), json!({ "fault": null }));
    }

    #[test]
    fn a_timed_fault_applies_until_its_window_ends() {
        let now = Instant::now();
        let mut board = FaultBoard::default();
        board.set(
            Fault::parse(
                br#"{"mode":"status","status":429,"retry_after":2,"ms":3000}"#,
                now,
            )
            .unwrap(),
        );
        assert_eq!(
            board.take(now + Duration::from_millis(2999)),
            Some(Effect::Status {
                status: 429,
                retry_after: Some(2)
            })
        );
        assert_eq!(board.take(now + Duration::from_millis(3000)), None);
    }

    #[test]
    fn a_fault_without_count_or_ms_lasts_until_cleared() {
        let now = Instant::now();
        let mut board = FaultBoard::default();
        board.set(Fault::parse(br#"{"mode":"close"}"#, now).unwrap());
        for _ in 0..100 {
            assert_eq!(board.take(now), Some(Effect::Close));
        }
        board.clear();
        assert_eq!(board.take(now), None);
    }

    #[test]
    fn slow_holds_then_answers() {
        assert_eq!(
            parse(r#"{"mode":"slow","count":1,"hold_ms":500}"#)
                .unwrap()
                .effect,
            Effect::Slow {
                hold: Duration::from_millis(500)
            }
        );
    }

    #[test]
    fn hang_holds_for_ms_unless_hold_ms_says_otherwise() {
        assert_eq!(
            parse(r#"{"mode":"hang","ms":10000}"#).unwrap().effect,
            Effect::Hang {
                hold: Duration::from_secs(10)
            }
        );
        assert_eq!(
            parse(r#"{"mode":"hang","count":1,"hold_ms":500}"#)
                .unwrap()
                .effect,
            Effect::Hang {
                hold: Duration::from_millis(500)
            }
        );
        assert_eq!(
            parse(r#"{"mode":"hang","count":1}"#).unwrap().effect,
            Effect::Hang { hold: DEFAULT_HOLD }
        );
    }

    #[test]
    fn describe_shows_what_is_left() {
        let now = Instant::now();
        let mut board = FaultBoard::default();
        board.set(Fault::parse(br#"{"mode":"status","status":503,"count":5}"#, now).unwrap());
        board.take(now);
        assert_eq!(
            board.describe(now),
            json!({ "fault": { "mode": "status", "status": 503, "retry_after": null, "count_left": 4, "ms_left": null } })
        );
    }

    #[test]
    fn malformed_fault_bodies_are_refused_with_the_reason() {
        let table = [
            ("[1]", FaultError::NotObject),
            ("{", FaultError::NotObject),
            (
                r#"{"mode":"status","status":503,"colour":1}"#,
                FaultError::UnknownField,
            ),
            (r#"{"status":503}"#, FaultError::BadMode),
            (r#"{"mode":"explode"}"#, FaultError::BadMode),
            (r#"{"mode":"status"}"#, FaultError::BadStatus),
            (r#"{"mode":"status","status":99}"#, FaultError::BadStatus),
            (
                r#"{"mode":"status","status":503,"retry_after":-1}"#,
                FaultError::BadRetryAfter,
            ),
            (r#"{"mode":"close","count":0}"#, FaultError::BadCount),
            (r#"{"mode":"close","ms":"5"}"#, FaultError::BadMs),
            (
                r#"{"mode":"close","status":503}"#,
                FaultError::StatusFieldsNeedStatusMode,
            ),
            (
                r#"{"mode":"close","hold_ms":5}"#,
                FaultError::HoldNeedsHangMode,
            ),
        ];
        for (body, expected) in table {
            assert_eq!(parse(body), Err(expected), "{body}");
        }
    }
}
