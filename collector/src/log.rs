//! Log lines on stderr, one write per line, filtered by `--log-level`: one line per request
//! at debug, one per refused batch at info, sink trouble at warn.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// How much is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Failures that stop the service.
    Error = 0,
    /// A sink failing, load shed.
    Warn = 1,
    /// Start, stop, refused batches.
    Info = 2,
    /// Every request.
    Debug = 3,
}

impl Level {
    /// `error`, `warn`, `info` or `debug`.
    pub fn parse(name: &str) -> Option<Level> {
        match name {
            "error" => Some(Level::Error),
            "warn" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" => Some(Level::Debug),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);

/// Sets the most detailed level written.
pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Relaxed);
}

/// Whether lines of this level are written.
pub fn enabled(level: Level) -> bool {
    level as u8 <= LEVEL.load(Relaxed)
}

/// Writes one line (`rtp-collector LEVEL message`), if the level is enabled.
pub fn line(level: Level, message: std::fmt::Arguments<'_>) {
    if enabled(level) {
        let text = format!("rtp-collector {} {message}\n", level.name());
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// `log!(Level::Info, "format", args…)`.
#[macro_export]
macro_rules! log {
    ($level:expr, $($arg:tt)*) => {
        if $crate::log::enabled($level) {
            $crate::log::line($level, format_args!($($arg)*));
        }
    };
}
