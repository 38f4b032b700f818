//! `rtp-collector`: opens the sink (exits non-zero with one line naming the fix if it cannot),
//! binds, prints `listening on http://HOST:PORT/` (the one stdout line, which tests parse),
//! serves until SIGTERM, then drains and flushes. `rtp-collector load` runs the loader.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use rtp_collector::app::{self, AppState};
use rtp_collector::cli::{self, CliError, Command, ServeConfig, USAGE};
use rtp_collector::dev::Dev;
use rtp_collector::log::{self, Level};
use rtp_collector::metrics::Metrics;
use rtp_collector::schema::Schema;
use rtp_collector::sink::{self, FileOptions};
use rtp_collector::{load, server};

fn main() -> ExitCode {
    let command = match cli::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(CliError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("rtp-collector: {}\n\n{USAGE}", e.message());
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("rtp-collector: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match command {
            Command::Serve(config) => serve(config).await,
            Command::Load(config) => load::run(config).await,
        }
    })
}

async fn serve(config: ServeConfig) -> ExitCode {
    log::set_level(config.log_level);
    let file = FileOptions {
        truncate: config.dev,
        window: config.dedupe_window,
    };
    let sink = match sink::open(&config.sink, file).await {
        Ok(sink) => sink,
        Err(e) => {
            eprintln!("rtp-collector: {}", e.message());
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("rtp-collector: cannot listen on {}: {e}", config.listen);
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
    let dev = config
        .dev
        .then(|| Arc::new(Dev::new(config.root.clone(), Arc::clone(&sink))));
    let state = Arc::new(AppState {
        sink: Arc::clone(&sink),
        schema: Schema::compile(),
        metrics: Metrics::default(),
        dev,
    });
    let router = app::router(state, &config);
    // SocketAddr's Display brackets IPv6 addresses, as URLs need.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on http://{address}/");
    let _ = stdout.flush();
    drop(stdout);
    rtp_collector::log!(
        Level::Info,
        "sink {}{}",
        config.sink,
        if config.dev {
            ", development routes on"
        } else {
            ""
        }
    );
    server::serve(listener, router, server::shutdown_signal()).await;
    sink.close().await;
    rtp_collector::log!(Level::Info, "stopped: requests drained, sink flushed");
    ExitCode::SUCCESS
}
