//! `rtp-collector`: binds, prints `listening on http://HOST:PORT/` (the one stdout line,
//! which tests parse), then serves until killed; one stderr line per request.

use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

use rtp_collector::app::App;
use rtp_collector::cli::{CliError, Config, USAGE};
use rtp_collector::server;

fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(CliError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("rtp-collector: {}\n{USAGE}", e.message());
            return ExitCode::from(2);
        }
    };
    let app = match App::open(&config.root, &config.log) {
        Ok(app) => app,
        Err(e) => {
            eprintln!(
                "rtp-collector: cannot open the event log {}: {e}",
                config.log.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind((config.host.as_str(), config.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "rtp-collector: cannot listen on {}:{}: {e}",
                config.host, config.port
            );
            return ExitCode::FAILURE;
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("rtp-collector: no local address: {e}");
            return ExitCode::FAILURE;
        }
    };
    // SocketAddr's Display brackets IPv6 addresses, as URLs need.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on http://{address}/");
    let _ = stdout.flush();
    drop(stdout);
    eprintln!(
        "rtp-collector: serving {} and {}, logging accepted events to {}",
        config.root.join("examples").display(),
        config.root.join("dist").display(),
        config.log.display()
    );
    server::serve(listener, Arc::new(app));
    ExitCode::SUCCESS
}
