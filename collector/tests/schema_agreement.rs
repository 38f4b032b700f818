//! The hand-written check (`contract.rs`, which names the field) and the compiled
//! `batch.schema.json` agree on a corpus of valid and invalid batches: the one known
//! difference is string length, which the contract counts in UTF-16 code units (as
//! JavaScript does) where JSON Schema counts code points.

use rtp_collector::contract::validate_batch;
use rtp_collector::schema::Schema;
use serde_json::{json, Value};

const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SESSION: &str = "9a3c5e2f-1b7d-4e8a-9c6b-2d4f6a8b0c1e";

fn batch() -> Value {
    json!({ "v": 1, "sent": 5, "events": [
        { "id": ID, "type": "event", "values": ["a", "b"], "account": "acc", "session": SESSION,
          "time": 1, "url": "https://x/", "referrer": "" },
        { "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "type": "view", "account": null,
          "session": SESSION, "time": 2, "url": "https://x/", "referrer": "https://r/" }
    ]})
}

type Edit = fn(&mut Value);

const VALID: &[Edit] = &[
    |_| {},
    |b| b["evicted"] = json!(0),
    |b| b["limited"] = json!(7),
    |b| b["sent"] = json!(1000.0),
    |b| b["v"] = json!(1.0),
    |b| b["events"][0]["values"] = json!(["x".repeat(255), "é", "😀", "d"]),
    |b| b["events"][0]["url"] = json!("u".repeat(8192)),
    |b| b["events"][0]["account"] = json!(null),
    |b| b["events"] = Value::Array(vec![b["events"][1].clone(); 1000]),
];

const INVALID: &[Edit] = &[
    |b| *b = json!([1]),
    |b| *b = json!("batch"),
    |b| b["extra"] = json!(1),
    |b| {
        b.as_object_mut().unwrap().remove("v");
    },
    |b| b["v"] = json!(2),
    |b| b["v"] = json!("1"),
    |b| {
        b.as_object_mut().unwrap().remove("sent");
    },
    |b| b["sent"] = json!(1.5),
    |b| b["sent"] = json!(-1),
    |b| b["evicted"] = json!(-3),
    |b| b["evicted"] = json!(null),
    |b| b["limited"] = json!("1"),
    |b| {
        b.as_object_mut().unwrap().remove("events");
    },
    |b| b["events"] = json!({}),
    |b| b["events"] = json!([]),
    |b| b["events"] = Value::Array(vec![b["events"][1].clone(); 1001]),
    |b| b["events"][1] = json!("view"),
    |b| b["events"][0]["extra"] = json!(true),
    |b| {
        b["events"][0].as_object_mut().unwrap().remove("id");
    },
    |b| b["events"][0]["id"] = json!(7),
    |b| b["events"][0]["id"] = json!(ID.to_uppercase()),
    |b| b["events"][0]["id"] = json!("0f8fad5b-d9cb-169f-a165-70867728950e"),
    |b| b["events"][0]["id"] = json!("0f8fad5b-d9cb-469f-c165-70867728950e"),
    |b| b["events"][1]["session"] = json!(""),
    |b| {
        b["events"][0].as_object_mut().unwrap().remove("type");
    },
    |b| b["events"][0]["type"] = json!("click"),
    |b| {
        b["events"][0].as_object_mut().unwrap().remove("values");
    },
    |b| b["events"][1]["values"] = json!(["a"]),
    |b| b["events"][1]["values"] = json!(null),
    |b| b["events"][0]["values"] = json!("a"),
    |b| b["events"][0]["values"] = json!([]),
    |b| b["events"][0]["values"] = json!(["a", "b", "c", "d", "e"]),
    |b| b["events"][0]["values"][1] = json!(5),
    |b| b["events"][0]["values"][1] = json!(""),
    |b| b["events"][0]["values"][0] = json!("x".repeat(256)),
    |b| {
        b["events"][0].as_object_mut().unwrap().remove("account");
    },
    |b| b["events"][0]["account"] = json!(42),
    |b| b["events"][0]["account"] = json!("a".repeat(256)),
    |b| {
        b["events"][0].as_object_mut().unwrap().remove("time");
    },
    |b| b["events"][0]["time"] = json!(-5),
    |b| b["events"][0]["time"] = json!(12.25),
    |b| {
        b["events"][0].as_object_mut().unwrap().remove("url");
    },
    |b| b["events"][0]["url"] = json!(null),
    |b| b["events"][0]["url"] = json!("u".repeat(8193)),
    |b| {
        b["events"][1].as_object_mut().unwrap().remove("referrer");
    },
    |b| b["events"][1]["referrer"] = json!("r".repeat(8193)),
];

fn edited(edit: Edit) -> Value {
    let mut b = batch();
    edit(&mut b);
    b
}

#[test]
fn the_hand_written_check_and_the_compiled_schema_agree_on_the_corpus() {
    let schema = Schema::compile();
    for (i, edit) in VALID.iter().enumerate() {
        let b = edited(*edit);
        assert_eq!(validate_batch(&b), Ok(()), "valid #{i}");
        assert!(schema.accepts(&b), "valid #{i} refused by the schema");
    }
    for (i, edit) in INVALID.iter().enumerate() {
        let b = edited(*edit);
        assert!(
            validate_batch(&b).is_err(),
            "invalid #{i} accepted by the hand-written check"
        );
        assert!(!schema.accepts(&b), "invalid #{i} accepted by the schema");
    }
}

#[test]
fn the_one_difference_is_utf16_length_which_only_the_contract_counts() {
    let schema = Schema::compile();
    // 128 emoji: 128 code points (JSON Schema: fits 255), 256 UTF-16 units (JavaScript: too long).
    let b = edited(|b| b["events"][0]["values"][0] = json!("😀".repeat(128)));
    assert!(schema.accepts(&b));
    assert_eq!(
        validate_batch(&b).unwrap_err().reason(),
        "events[0].values[0]: longer than 255 UTF-16 code units"
    );
}

#[test]
fn a_schema_refusal_names_the_field() {
    let schema = Schema::compile();
    let b = edited(|b| b["events"][1]["session"] = json!("nope"));
    assert_eq!(schema.check(&b).unwrap_err().field, "events[1].session");
}
