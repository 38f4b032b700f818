//! The state every handler shares, and the body limit the handlers and the layers agree on.
//! Apart from the router (`app.rs`), so that handlers import it without importing the router.

use std::sync::Arc;

use crate::dev::Dev;
use crate::metrics::Metrics;
use crate::schema::Schema;
use crate::sink::Sink;

/// Largest request body read, in bytes (1 MiB; the tag's batches are at most 64 KiB). A
/// larger one is answered 413.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What every handler shares.
pub struct AppState {
    /// Where events go.
    pub sink: Arc<dyn Sink>,
    /// The compiled contract.
    pub schema: Schema,
    /// The counters of `/metrics`.
    pub metrics: Metrics,
    /// The development state, with `--dev`.
    pub dev: Option<Arc<Dev>>,
}

/// The state, shared.
pub type Shared = Arc<AppState>;
