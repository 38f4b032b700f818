//! Command line: `rtp-collector [OPTIONS]` serves; `rtp-collector load --from nats://… --to
//! postgres://…` moves the JetStream stream into PostgreSQL.

use std::path::{self, PathBuf};
use std::time::Duration;

use crate::log::Level;

/// The usage text, printed for `--help` and after a bad argument.
pub const USAGE: &str = "usage: rtp-collector [OPTIONS]
       rtp-collector load --from nats://HOST:PORT --to postgres://USER@HOST:PORT/DB

Serves POST …/collect (any path ending in /collect): checks each batch against
collector/batch.schema.json and answers 2xx once the sink holds it durably.

Sinks (--sink URL):
  file:PATH            NDJSON, one line per new event, synced to disk before the answer;
                       repeats dropped within the last --dedupe-window ids. One replica.
  postgres://USER[:PASSWORD]@HOST:PORT/DB
                       table rtp_events (created if absent), id uuid primary key; repeats
                       dropped exactly, across any number of replicas.
  nats://HOST:PORT     JetStream stream RTP_EVENTS (created if absent), one message per
                       event, Nats-Msg-Id = event id; `load` moves it into PostgreSQL.

Options:
  --listen HOST:PORT     address to listen on; port 0 picks a free one (default 127.0.0.1:8787)
  --sink URL             where events go (default file:ROOT/collector/data/events.ndjson)
  --allow-origin ORIGIN  an origin whose pages may read the answers (CORS), e.g.
                         https://shop.example; repeatable. Without it, only same-origin
                         pages and sendBeacon (which reads no answer) deliver
  --max-in-flight N      batches handled at once; past that, 503 + Retry-After (default 512)
  --timeout-ms N         longest a request may take, then 503 + Retry-After (default 10000)
  --dedupe-window N      file sink: how many recent ids are remembered (default 1000000)
  --log-level LEVEL      error, warn, info (one line per refused batch) or debug (one per
                         request) (default info)
  --dev                  development: any origin, the file sink emptied at start, and the
                         routes of the demo and the tests: static files (ROOT/examples,
                         ROOT/dist, ROOT/tests/e2e/pages), /events, /stats, /requests,
                         /faults, /reset
  --root DIR             with --dev: the repository root (default: current directory)
  -h, --help             this text

Operations: GET /healthz (up), GET /readyz (503 when the sink does not answer),
GET /metrics (Prometheus text). SIGTERM or Ctrl-C: stop accepting, finish what is in
flight, flush the sink, exit 0.

load: --from nats://HOST:PORT --to postgres://…  a durable pull consumer (rtp-loader) that
acknowledges messages only after PostgreSQL committed them; runs until SIGTERM.";

/// What the server was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// `HOST:PORT` to bind.
    pub listen: String,
    /// The sink URL.
    pub sink: String,
    /// Origins allowed by CORS (any with `dev`).
    pub allow_origins: Vec<String>,
    /// Batches handled at once.
    pub max_in_flight: usize,
    /// Request timeout.
    pub timeout: Duration,
    /// File sink window, in ids.
    pub dedupe_window: usize,
    /// Log level.
    pub log_level: Level,
    /// Development routes and behaviour.
    pub dev: bool,
    /// Repository root (absolute).
    pub root: PathBuf,
}

/// What `load` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadConfig {
    /// The NATS URL.
    pub from: String,
    /// The PostgreSQL URL.
    pub to: String,
    /// Log level.
    pub log_level: Level,
}

/// A command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve HTTP.
    Serve(ServeConfig),
    /// Move NATS into PostgreSQL.
    Load(LoadConfig),
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
    /// `--listen` not `HOST:PORT`.
    BadListen,
    /// A number option that is not a positive integer.
    BadNumber,
    /// `--log-level` not one of the four.
    BadLogLevel,
    /// `load` without `--from nats://…` and `--to postgres://…`.
    LoadNeedsFromAndTo,
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
            CliError::BadListen => "--listen must be HOST:PORT, e.g. 127.0.0.1:8787 or [::1]:0",
            CliError::BadNumber => {
                "--max-in-flight, --timeout-ms and --dedupe-window take an integer >= 1"
            }
            CliError::BadLogLevel => "--log-level must be error, warn, info or debug",
            CliError::LoadNeedsFromAndTo => {
                "load needs --from nats://HOST:PORT and --to postgres://…"
            }
            CliError::NoCurrentDir => "cannot resolve --root: no current directory",
        }
    }
}

/// Options of the server that take a value.
const SERVE_OPTIONS: [&str; 8] = [
    "--listen",
    "--sink",
    "--allow-origin",
    "--max-in-flight",
    "--timeout-ms",
    "--dedupe-window",
    "--log-level",
    "--root",
];
/// Options of `load` that take a value.
const LOAD_OPTIONS: [&str; 3] = ["--from", "--to", "--log-level"];

/// Reads the arguments (without the program name). Options take their value as the next
/// argument or after `=` (`--listen=127.0.0.1:0`).
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, CliError> {
    let mut args = args.into_iter().peekable();
    let load = args.peek().is_some_and(|a| a == "load");
    if load {
        args.next();
    }
    let mut listen = "127.0.0.1:8787".to_string();
    let mut sink = None;
    let mut allow_origins = Vec::new();
    let mut max_in_flight = 512;
    let mut timeout_ms = 10_000;
    let mut dedupe_window = 1_000_000;
    let mut log_level = Level::Info;
    let mut dev = false;
    let mut root = PathBuf::from(".");
    let (mut from, mut to) = (None, None);

    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Err(CliError::Help),
            "--dev" if !load => {
                dev = true;
                continue;
            }
            _ => {}
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (arg, None),
        };
        let known: &[&str] = if load { &LOAD_OPTIONS } else { &SERVE_OPTIONS };
        if !known.contains(&name.as_str()) {
            return Err(CliError::UnknownOption);
        }
        let value = inline
            .or_else(|| args.next())
            .ok_or(CliError::MissingValue)?;
        let number = || match value.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(CliError::BadNumber),
        };
        match name.as_str() {
            "--listen" => listen = value.clone(),
            "--sink" => sink = Some(value.clone()),
            "--allow-origin" => allow_origins.push(value.clone()),
            "--max-in-flight" => max_in_flight = number()?,
            "--timeout-ms" => timeout_ms = number()?,
            "--dedupe-window" => dedupe_window = number()?,
            "--log-level" => log_level = Level::parse(&value).ok_or(CliError::BadLogLevel)?,
            "--root" => root = PathBuf::from(&value),
            "--from" => from = Some(value.clone()),
            _ => to = Some(value.clone()),
        }
    }

    if load {
        return match (from, to) {
            (Some(from), Some(to)) if from.starts_with("nats://") && to.starts_with("postgres") => {
                Ok(Command::Load(LoadConfig {
                    from,
                    to,
                    log_level,
                }))
            }
            _ => Err(CliError::LoadNeedsFromAndTo),
        };
    }
    if !valid_listen(&listen) {
        return Err(CliError::BadListen);
    }
    let root = path::absolute(&root).map_err(|_| CliError::NoCurrentDir)?;
    let sink = sink.unwrap_or_else(|| {
        format!(
            "file:{}",
            root.join("collector")
                .join("data")
                .join("events.ndjson")
                .display()
        )
    });
    Ok(Command::Serve(ServeConfig {
        listen,
        sink,
        allow_origins,
        max_in_flight,
        timeout: Duration::from_millis(timeout_ms as u64),
        dedupe_window,
        log_level,
        dev,
        root,
    }))
}

/// `HOST:PORT` with a port number (the host is resolved when binding).
fn valid_listen(listen: &str) -> bool {
    listen
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(args: &[&str]) -> Result<ServeConfig, CliError> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Serve(config) => Ok(config),
            Command::Load(_) => panic!("not serve"),
        }
    }

    #[test]
    fn defaults_listen_on_loopback_8787_with_the_file_sink_under_the_root() {
        let config = serve(&[]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:8787");
        assert!(!config.dev);
        assert_eq!(
            config.sink,
            format!(
                "file:{}",
                config.root.join("collector/data/events.ndjson").display()
            )
        );
    }

    #[test]
    fn options_take_a_separate_or_inline_value_and_origins_repeat() {
        let config = serve(&[
            "--listen=[::1]:0",
            "--sink",
            "postgres://u@h:5432/d",
            "--allow-origin",
            "https://a.example",
            "--allow-origin=https://b.example",
            "--dev",
            "--root",
            "/srv",
        ])
        .unwrap();
        assert_eq!(config.listen, "[::1]:0");
        assert_eq!(config.sink, "postgres://u@h:5432/d");
        assert_eq!(
            config.allow_origins,
            ["https://a.example", "https://b.example"]
        );
        assert!(config.dev);
        assert_eq!(config.root, PathBuf::from("/srv"));
    }

    #[test]
    fn load_takes_from_and_to() {
        let args = [
            "load",
            "--from",
            "nats://127.0.0.1:4222",
            "--to",
            "postgres://u@h/d",
        ];
        assert_eq!(
            parse(args.iter().map(|s| s.to_string())),
            Ok(Command::Load(LoadConfig {
                from: "nats://127.0.0.1:4222".to_string(),
                to: "postgres://u@h/d".to_string(),
                log_level: Level::Info,
            }))
        );
        let only_from = ["load", "--from", "nats://h:1"];
        assert_eq!(
            parse(only_from.iter().map(|s| s.to_string())),
            Err(CliError::LoadNeedsFromAndTo)
        );
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert_eq!(serve(&["--listen", "8787"]), Err(CliError::BadListen));
        assert_eq!(serve(&["--listen"]), Err(CliError::MissingValue));
        assert_eq!(serve(&["--port", "0"]), Err(CliError::UnknownOption));
        assert_eq!(
            serve(&["--from", "nats://h:1"]),
            Err(CliError::UnknownOption)
        );
        assert_eq!(serve(&["--max-in-flight", "0"]), Err(CliError::BadNumber));
        assert_eq!(serve(&["--log-level", "loud"]), Err(CliError::BadLogLevel));
        assert_eq!(serve(&["-h"]), Err(CliError::Help));
    }
}
