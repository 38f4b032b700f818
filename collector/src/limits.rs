//! The body limit the handlers and the layers agree on: apart from the shared state, which
//! holds the development state, which reads bodies itself.

/// Largest request body read, in bytes (1 MiB; the tag's batches are at most 64 KiB). A
/// larger one is answered 413.
pub const MAX_BODY_BYTES: usize = 1 << 20;
