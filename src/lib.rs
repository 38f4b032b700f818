//! # rtp-tag
//!
//! The `rtp(action, method, data)` command function of a real-time personalization tag,
//! compiled to WebAssembly, delivering events to a collector endpoint the site configures.
//!
//! The crate is two layers:
//! - a **pure core** (every module but `web`): command parsing, `customData` validation, the
//!   event envelope, the session ledger and the outbox, with no browser API in it, so native
//!   `cargo test` covers it deterministically;
//! - a thin **browser edge** (`web`, wasm32 only) that reads JavaScript arguments, implements
//!   storage, randomness and transport with `web-sys`, and exports `rtp` to the loader.
//!
//! ```
//! use rtp_tag::{store::MemoryStore, tag::{Env, Origin, Tag}, values::{Field, RawValues}};
//! # struct E; impl Env for E { fn now(&mut self)->u64{1} fn random16(&mut self)->[u8;16]{[7;16]}
//! # fn page_url(&mut self)->String{"http://x/".into()} fn referrer(&mut self)->String{String::new()} }
//! let mut env = E;
//! // A session store (the ledger) and a journal (the outbox), both in memory here.
//! let mut tag = Tag::new(MemoryStore::default(), MemoryStore::default(), &mut env);
//! let v = tag.send_event(RawValues::Fields(vec![Field::Text("MyEvent".into())]), Origin::default(), &mut env);
//! assert_eq!(v.code(), "accepted");
//! assert_eq!(tag.outbox.take_batch(1, 32 * 1024).unwrap().events, 1);
//! ```
#![deny(missing_docs)]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod command;
pub mod driver;
pub mod endpoint;
pub mod envelope;
pub mod handoff;
pub mod id;
pub mod json;
pub mod kept;
pub mod ledger;
pub mod light;
pub mod locks;
pub mod outbox;
pub mod rate;
pub mod record;
pub mod retry;
pub mod store;
pub mod tag;
pub mod values;
pub mod verdict;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod runtime;
