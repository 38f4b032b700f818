//! Wall-clock time in milliseconds since the Unix epoch: the unit of every timestamp the
//! collector reports (`received`, `/requests` `t`), the same unit as the tag's `time`.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
