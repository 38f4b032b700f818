//! The browser edge (wasm32 only): the bindings every build shares (storage, console, time,
//! randomness, transport, arguments), and one of two edges:
//! - `edge.rs` and its files (`state`, `effects`, `claim`, `flush`, `lifecycle`): the full
//!   tag, over the delivery driver ([`crate::driver`]);
//! - `light.rs` (the `light` feature): the light module, over [`crate::light`].

pub mod args;
// The light module uses a few of these bindings; the rest are the full tag's.
#[cfg_attr(feature = "light", allow(dead_code))]
mod bindings;
#[cfg_attr(feature = "light", allow(dead_code))]
mod console;
pub mod env;
pub mod journal;
pub mod session_store;
#[cfg(not(feature = "light"))]
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
#[cfg(not(feature = "light"))]
mod state;

#[cfg(feature = "light")]
mod light;

#[cfg(not(feature = "light"))]
pub use edge::{boot, codes, event, rtp};
