//! Command line: `rtp-collector [--host 127.0.0.1] [--port 8787] [--root DIR] [--log FILE]`.

use std::path::{self, PathBuf};

/// The usage text, printed for `--help` and after a bad argument.
pub const USAGE: &str =
    "usage: rtp-collector [--host 127.0.0.1] [--port 8787] [--root DIR] [--log FILE]
  --host  address to listen on (default 127.0.0.1)
  --port  port to listen on; 0 picks a free one (default 8787)
  --root  repository root; serves ROOT/examples and ROOT/dist (default: current directory)
  --log   NDJSON file of accepted events, truncated at start
          (default ROOT/collector/data/events.ndjson)";

/// What the server was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to bind.
    pub host: String,
    /// Port to bind; 0 for any free port.
    pub port: u16,
    /// Repository root (absolute).
    pub root: PathBuf,
    /// The NDJSON event log.
    pub log: PathBuf,
}

/// Why the arguments were not understood (or help was asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliError {
    /// `--help` or `-h`: print usage and exit successfully.
    Help,
    /// An argument that is not one of the options.
    UnknownOption,
    /// An option at the end without its value.
    MissingValue,
    /// `--port` not a number from 0 to 65535.
    BadPort,
    /// The current directory could not be found to resolve `--root`.
    NoCurrentDir,
}

impl CliError {
    /// A short human reason.
    pub fn message(self) -> &'static str {
        match self {
            CliError::Help => "help requested",
            CliError::UnknownOption => "unknown argument",
            CliError::MissingValue => "option without a value",
            CliError::BadPort => "--port must be a number from 0 to 65535",
            CliError::NoCurrentDir => "cannot resolve --root: no current directory",
        }
    }
}

impl Config {
    /// Reads the arguments (without the program name). Options take their value as the
    /// next argument or after `=` (`--port=0`).
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Config, CliError> {
        let mut host = "127.0.0.1".to_string();
        let mut port = 8787;
        let mut root = PathBuf::from(".");
        let mut log = None;

        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Err(CliError::Help);
            }
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (arg, None),
            };
            if !matches!(name.as_str(), "--host" | "--port" | "--root" | "--log") {
                return Err(CliError::UnknownOption);
            }
            let value = inline
                .or_else(|| args.next())
                .ok_or(CliError::MissingValue)?;
            match name.as_str() {
                "--host" => host = value,
                "--port" => port = value.parse().map_err(|_| CliError::BadPort)?,
                "--root" => root = PathBuf::from(value),
                _ => log = Some(PathBuf::from(value)),
            }
        }

        let root = path::absolute(&root).map_err(|_| CliError::NoCurrentDir)?;
        let log = log.unwrap_or_else(|| root.join("collector").join("data").join("events.ndjson"));
        Ok(Config {
            host,
            port,
            root,
            log,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, CliError> {
        Config::from_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_listen_on_loopback_8787_and_log_under_the_root() {
        let config = parse(&[]).unwrap();
        assert_eq!((config.host.as_str(), config.port), ("127.0.0.1", 8787));
        assert!(config.root.is_absolute());
        assert_eq!(config.log, config.root.join("collector/data/events.ndjson"));
    }

    #[test]
    fn options_take_a_separate_or_inline_value() {
        let config = parse(&["--port", "0", "--root=/srv/rtp", "--host", "::1"]).unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.host, "::1");
        assert_eq!(config.root, PathBuf::from("/srv/rtp"));
        assert_eq!(
            config.log,
            PathBuf::from("/srv/rtp/collector/data/events.ndjson")
        );
        assert_eq!(
            parse(&["--log", "/tmp/e.ndjson"]).unwrap().log,
            PathBuf::from("/tmp/e.ndjson")
        );
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert_eq!(parse(&["--port", "99999"]), Err(CliError::BadPort));
        assert_eq!(parse(&["--port"]), Err(CliError::MissingValue));
        assert_eq!(parse(&["--verbose"]), Err(CliError::UnknownOption));
        assert_eq!(parse(&["-h"]), Err(CliError::Help));
    }
}
