//! One accepted event on its way to a sink: its id (as text and as a 128-bit key) and the
//! event object as the tag sent it, stamped with `received`.

use serde_json::Value;

/// An event that passed the contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event id, a lowercase version 4 UUID.
    pub id: String,
    /// The id as a number, for the file sink's window.
    pub key: u128,
    /// The event object, keys in the order sent, plus `received` (ms since the epoch).
    pub json: Value,
}

impl Event {
    /// Wraps a valid event object (its `id` checked by the contract).
    pub fn new(json: Value) -> Event {
        let id = json
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Event {
            key: uuid_key(&id),
            id,
            json,
        }
    }

    /// A string field, or `""`.
    pub fn str(&self, name: &str) -> &str {
        self.json
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// An integer field (the contract's integers are >= 0), or 0.
    pub fn int(&self, name: &str) -> i64 {
        self.json
            .get(name)
            .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
            .unwrap_or(0) as i64
    }
}

/// The 32 hex digits of a UUID as a number (dashes skipped; other characters count as 0).
pub fn uuid_key(id: &str) -> u128 {
    id.bytes()
        .filter_map(|b| (b as char).to_digit(16))
        .fold(0u128, |key, d| (key << 4) | u128::from(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_key_reads_the_hex_digits() {
        assert_eq!(
            uuid_key("00000000-0000-4000-8000-00000000000f"),
            0x0000_0000_0000_4000_8000_0000_0000_000f
        );
        assert_ne!(
            uuid_key("0f8fad5b-d9cb-469f-a165-70867728950e"),
            uuid_key("0f8fad5b-d9cb-469f-a165-70867728950f")
        );
    }
}
