//! The local collector for rtp-tag: a small threaded HTTP/1.1 server that
//!
//! - enforces the batch contract (`collector/batch.schema.json`) on `POST …/collect`,
//!   answering 400 with a reason naming the field, and stores valid events once per id,
//!   in memory and in an NDJSON log;
//! - shows what arrived (`/events`, `/requests`, `/stats`) so browser tests can assert
//!   on it, and can be told to fail (`/faults`) so retries can be tested;
//! - serves the demo pages and the built tag (`/examples`, `/dist`).
//!
//! It is a development and test server, never shipped: no TLS, no auth, loopback by default.
//!
//! ```no_run
//! use std::{net::TcpListener, path::Path, sync::Arc};
//! let app = rtp_collector::app::App::open(Path::new("."), Path::new("events.ndjson")).unwrap();
//! let listener = TcpListener::bind("127.0.0.1:0").unwrap();
//! rtp_collector::server::serve(listener, Arc::new(app));
//! ```
#![deny(missing_docs)]

pub mod app;
pub mod cli;
pub mod clock;
pub mod contract;
pub mod cors;
pub mod faults;
pub mod http;
pub mod routes;
pub mod server;
pub mod static_files;
pub mod store;
