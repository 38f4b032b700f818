//! The collector for rtp-tag: an axum (hyper, tokio) service that
//!
//! - checks each `POST …/collect` batch against `collector/batch.schema.json` (compiled once)
//!   and answers 400 naming the failing field;
//! - answers 2xx only once a sink holds the batch durably: an NDJSON file synced to disk,
//!   PostgreSQL (`INSERT … ON CONFLICT DO NOTHING`, repeats decided exactly across replicas),
//!   or NATS JetStream (then `rtp-collector load` moves it into PostgreSQL);
//! - sheds load with 503 + `Retry-After`, limits bodies, allows CORS from a list of origins,
//!   and drains on SIGTERM;
//! - exposes `/healthz`, `/readyz`, `/metrics`;
//! - with `--dev`, serves the demo and the browser tests' routes (`dev/`).
#![deny(missing_docs)]

#[macro_use]
pub mod log;

pub mod app;
pub mod batch;
pub mod cli;
pub mod clock;
pub mod collect;
pub mod contract;
pub mod cors;
pub mod dev;
pub mod event;
pub mod limits;
pub mod load;
pub mod metrics;
pub mod ops;
pub mod reply;
pub mod schema;
pub mod server;
pub mod sink;
pub mod state;
