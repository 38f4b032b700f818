//! Real servers for the collector's tests, each started by the test on a free port in its own
//! temporary folder and stopped by pid: PostgreSQL 15 (`initdb`/`pg_ctl` as the `postgres`
//! user, binaries in /usr/lib/postgresql/15/bin), `nats-server -js`, and the `rtp-collector`
//! binary itself. Plus a tiny HTTP/1.1 client over raw TCP and batch builders.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
pub const SESSION: &str = "9a3c5e2f-1b7d-4e8a-9c6b-2d4f6a8b0c1e";

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh folder under the system temp dir, writable by everyone (PostgreSQL runs as `postgres`).
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rtp-it-{}-{name}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

/// Polls `check` every 20 ms until it is true, or panics after `within`.
pub fn until(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let end = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

fn as_postgres(program: &str) -> Command {
    let root = unsafe_is_root();
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"])
            .arg(Path::new(PG_BIN).join(program));
        c
    } else {
        Command::new(Path::new(PG_BIN).join(program))
    };
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A throwaway PostgreSQL cluster.
pub struct Postgres {
    pub dir: PathBuf,
    pub port: u16,
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = temp_dir("pg");
        let status = as_postgres("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(dir.join("data"))
            .status()
            .expect("initdb (apt-get install postgresql)");
        assert!(status.success(), "initdb failed");
        let pg = Postgres {
            dir,
            port: free_port(),
        };
        pg.resume();
        pg
    }

    /// Starts (again) the cluster, waiting until it accepts connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let status = as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-o", &options, "-l"])
            .arg(self.dir.join("log"))
            .args(["-w", "start"])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "pg_ctl start failed: {}",
            fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    /// Stops the cluster at once (SIGQUIT to the postmaster's pid): an outage.
    pub fn halt(&self) {
        let pid = fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string));
        if let Some(pid) = pid {
            let _ = Command::new("kill").args(["-QUIT", &pid]).status();
            until("PostgreSQL to stop", Duration::from_secs(20), || {
                !self.dir.join("data/postmaster.pid").exists()
            });
        }
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// One value from psql (`-At`).
    pub fn query(&self, sql: &str) -> String {
        let out = Command::new(Path::new(PG_BIN).join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-At",
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// How many rows hold each of `ids`, in order (0 if the table does not exist yet).
    pub fn counts(&self, ids: &[String]) -> Vec<usize> {
        let all = self.query("SELECT id::text FROM rtp_events");
        let mut map = std::collections::HashMap::new();
        for id in all.lines() {
            *map.entry(id.to_string()).or_insert(0usize) += 1;
        }
        ids.iter()
            .map(|id| map.get(id).copied().unwrap_or(0))
            .collect()
    }

    pub fn rows(&self) -> usize {
        self.query("SELECT count(*) FROM rtp_events")
            .parse()
            .unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.halt();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A throwaway nats-server with JetStream (and its monitoring port, for stream counts).
pub struct Nats {
    pub dir: PathBuf,
    pub port: u16,
    pub monitor: u16,
    child: Option<Child>,
}

impl Nats {
    pub fn start() -> Nats {
        let mut nats = Nats {
            dir: temp_dir("nats"),
            port: free_port(),
            monitor: free_port(),
            child: None,
        };
        nats.resume();
        nats
    }

    pub fn resume(&mut self) {
        let child = Command::new("nats-server")
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-m",
                &self.monitor.to_string(),
                "-sd",
            ])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server (apt-get install nats-server)");
        self.child = Some(child);
        let monitor = self.monitor;
        until("nats-server's JetStream", Duration::from_secs(20), || {
            request(monitor, "GET", "/jsz", &[], b"").status == 200
        });
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Messages held by the stream RTP_EVENTS.
    pub fn stream_messages(&self) -> u64 {
        let reply = request(self.monitor, "GET", "/jsz?streams=true", &[], b"");
        let jsz: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        jsz["account_details"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|a| a["stream_detail"].as_array().cloned().unwrap_or_default())
            .filter(|s| s["name"] == "RTP_EVENTS")
            .map(|s| s["state"]["messages"].as_u64().unwrap_or(0))
            .sum()
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A running `rtp-collector` (serve or load).
pub struct Process {
    pub child: Child,
    pub port: u16,
}

impl Process {
    /// `rtp-collector --listen 127.0.0.1:0 ARGS…`, once it prints its address.
    pub fn collector(args: &[&str]) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rtp-collector"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        Process { child, port }
    }

    /// `rtp-collector load --from NATS --to PG`, once it says it is loading.
    pub fn loader(nats: &str, pg: &str) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rtp-collector"))
            .args(["load", "--from", nats, "--to", pg])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("loading"),
            "unexpected first line: {line:?}"
        );
        Process { child, port: 0 }
    }

    pub fn post(&self, body: &str) -> Reply {
        request(
            self.port,
            "POST",
            "/collect",
            &[("Content-Type", "text/plain;charset=UTF-8")],
            body.as_bytes(),
        )
    }

    pub fn get(&self, target: &str) -> Reply {
        request(self.port, "GET", target, &[], b"")
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An answer; status 0 when the connection closed without one (or could not be made).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on its own connection (`Connection: close`).
pub fn request(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    exchange(port, method, target, headers, body.len(), body)
}

/// A request that declares a body of `declared` bytes and sends none: the answer the server
/// gives on the headers alone (a body limit). Sending the body would race the server's close:
/// the rest of the body arriving after it answered resets the connection, and the reset can
/// discard the answer before it is read.
pub fn request_declared(port: u16, method: &str, target: &str, declared: usize) -> Reply {
    exchange(port, method, target, &[], declared, &[])
}

/// Writes the head (with `Content-Length: declared`) and `body`, then reads the answer; status 0
/// when there is none.
fn exchange(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    declared: usize,
    body: &[u8],
) -> Reply {
    let none = Reply {
        status: 0,
        headers: Vec::new(),
        body: Vec::new(),
    };
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return none;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {declared}\r\n\r\n"));
    if stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .is_err()
    {
        return none;
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw).unwrap_or(none)
}

fn parse(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8(raw[..split].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        })
        .collect();
    Some(Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

/// A distinct lowercase v4 UUID per number.
pub fn uuid(n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        n >> 48,
        (n >> 32) & 0xffff,
        n & 0xffff_ffff_ffff
    )
}

pub fn view(n: u64) -> Value {
    json!({
        "id": uuid(n), "type": "view", "account": null, "session": SESSION,
        "time": 1_700_000_000_000u64 + n, "url": "https://shop.example/", "referrer": ""
    })
}

pub fn event(n: u64) -> Value {
    json!({
        "id": uuid(n), "type": "event", "values": ["sku-1", "blue"], "account": "acc-1", "session": SESSION,
        "time": 1_700_000_000_000u64 + n, "url": "https://shop.example/p/1", "referrer": "https://search.example/"
    })
}

pub fn batch_of(ns: &[u64]) -> String {
    let events: Vec<Value> = ns
        .iter()
        .map(|&n| if n % 2 == 0 { event(n) } else { view(n) })
        .collect();
    json!({ "v": 1, "sent": 1_700_000_001_000u64, "events": events }).to_string()
}

pub fn ids_of(ns: &[u64]) -> Vec<String> {
    ns.iter().map(|&n| uuid(n)).collect()
}
