//! The contract's one source, `collector/batch.schema.json`, compiled once at start by a JSON
//! Schema (2020-12) validator. Every batch is checked by it; the hand-written check in
//! `contract.rs` runs first because it names the failing field in the 400 (`events[2].values[0]:
//! empty string`) and counts string lengths in UTF-16 code units, as the schema's description
//! says and JavaScript does (JSON Schema counts code points). `tests/schema_agreement.rs`
//! proves both agree on a corpus of valid and invalid batches.

use jsonschema::Validator;
use serde_json::Value;

use crate::contract::{Rejection, Rule};

/// The schema file's text, built into the binary.
pub const SCHEMA: &str = include_str!("../batch.schema.json");

/// The compiled schema.
pub struct Schema {
    validator: Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schema")
    }
}

impl Schema {
    /// Compiles `batch.schema.json` (a build-time constant: a failure is a bug, caught by tests).
    pub fn compile() -> Schema {
        let schema: Value = serde_json::from_str(SCHEMA).expect("batch.schema.json is JSON");
        let validator = jsonschema::validator_for(&schema).expect("batch.schema.json compiles");
        Schema { validator }
    }

    /// Whether the schema alone accepts the value.
    pub fn accepts(&self, batch: &Value) -> bool {
        self.validator.is_valid(batch)
    }

    /// The schema's verdict as a rejection: the first failing field (as `events[1].id`), with
    /// [`Rule::Schema`].
    pub fn check(&self, batch: &Value) -> Result<(), Rejection> {
        match self.validator.validate(batch) {
            Ok(()) => Ok(()),
            Err(error) => Err(Rejection {
                field: field_of_pointer(&error.instance_path.to_string()),
                rule: Rule::Schema,
            }),
        }
    }
}

/// `/events/1/values/0` as `events[1].values[0]`; the root as `body`.
pub fn field_of_pointer(pointer: &str) -> String {
    let mut field = String::new();
    for part in pointer.split('/').skip(1) {
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            field.push('[');
            field.push_str(part);
            field.push(']');
        } else {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    if field.is_empty() {
        field.push_str("body");
    }
    field
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_pointer_becomes_the_field_name_of_the_400() {
        assert_eq!(field_of_pointer(""), "body");
        assert_eq!(field_of_pointer("/sent"), "sent");
        assert_eq!(
            field_of_pointer("/events/1/values/0"),
            "events[1].values[0]"
        );
    }
}
