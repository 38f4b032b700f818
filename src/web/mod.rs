//! The browser edge (wasm32 only): the bindings every build shares (storage, console, time,
//! randomness, transport, arguments), and one of two edges:
//! - `edge.rs` and its files (`claim`, `effects`, `flush`, `lifecycle`): the full tag, over the
//!   delivery driver ([`crate::driver`]);
//! - `light.rs` (the `light` feature): the light module, over [`crate::light`].

pub mod args;
mod bindings;
mod console;
pub mod env;
pub mod journal;
pub mod session_store;
pub mod transport;

#[cfg(not(feature = "light"))]
mod claim;
#[cfg(not(feature = "light"))]
mod edge;
#[cfg(not(feature = "light"))]
mod effects;
#[cfg(not(feature = "light"))]
mod flush;
#[cfg(not(feature = "light"))]
mod lifecycle;

#[cfg(feature = "light")]
mod light;
