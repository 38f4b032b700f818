//! A POSTed body to the events a sink gets: parsed, checked against the contract (the
//! hand-written check for the field name, then the compiled schema), each event stamped with
//! `received`, and repeats inside the batch dropped (the first of an id is kept).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::contract::{self, Rejection};
use crate::event::Event;
use crate::schema::Schema;

/// A valid batch, ready for a sink.
#[derive(Debug)]
pub struct Batch {
    /// Its events, ids distinct, in the order sent.
    pub events: Vec<Event>,
    /// Events dropped because their id came earlier in the same batch.
    pub repeats: usize,
    /// The batch's `evicted` count (0 if absent).
    pub evicted: u64,
    /// The batch's `limited` count (0 if absent).
    pub limited: u64,
}

/// Checks a parsed body and builds the batch, or says why it is refused.
pub fn accept(parsed: Value, schema: &Schema, received: u64) -> Result<Batch, Rejection> {
    contract::validate_batch(&parsed)?;
    schema.check(&parsed)?;
    let evicted = parsed.get("evicted").and_then(Value::as_u64).unwrap_or(0);
    let limited = parsed.get("limited").and_then(Value::as_u64).unwrap_or(0);
    let Value::Object(mut body) = parsed else {
        unreachable!("validate_batch accepted only an object");
    };
    let Some(Value::Array(raw)) = body.remove("events") else {
        unreachable!("validate_batch accepted only an events array");
    };
    let mut seen = HashSet::with_capacity(raw.len());
    let mut events = Vec::with_capacity(raw.len());
    let mut repeats = 0;
    for mut value in raw {
        if let Some(object) = value.as_object_mut() {
            object.insert("received".to_string(), json!(received));
        }
        let event = Event::new(value);
        if seen.insert(event.key) {
            events.push(event);
        } else {
            repeats += 1;
        }
    }
    Ok(Batch {
        events,
        repeats,
        evicted,
        limited,
    })
}
