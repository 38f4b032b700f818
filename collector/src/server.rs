//! Connections: one thread each, so a hung fault or a slow client never blocks another
//! request; HTTP/1.1 keep-alive, because browsers reuse connections for the tag's POSTs
//! and the page's own requests.

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::app::App;
use crate::cors;
use crate::http::{self, Body, Head, ReadError, Response};
use crate::routes::{self, Outcome, MAX_BODY_BYTES};

/// How long an idle keep-alive connection (or a stalled upload) is kept.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// After refusing an unread body, how much of it is drained before closing (see `linger_close`).
const LINGER_BYTES: u64 = 16 << 20;
const LINGER_TIME: Duration = Duration::from_secs(2);

/// Accepts connections forever, one thread per connection.
pub fn serve(listener: TcpListener, app: Arc<App>) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let app = Arc::clone(&app);
                let spawned = thread::Builder::new()
                    .name("rtp-connection".to_string())
                    .spawn(move || connection(stream, &app));
                if let Err(e) = spawned {
                    eprintln!("rtp-collector: cannot start a connection thread: {e}");
                }
            }
            Err(e) => eprintln!("rtp-collector: accept failed: {e}"),
        }
    }
}

/// Serves requests on one connection until it closes, errs, or a response closes it.
fn connection(stream: TcpStream, app: &App) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);

    loop {
        let head = match http::read_head(&mut reader) {
            Ok(head) => head,
            Err(ReadError::Closed | ReadError::Io(_)) => return,
            Err(ReadError::Http(e)) => {
                eprintln!("{peer} - - {} {}", e.status(), e.message());
                let _ = cors::finish(Response::error(e.status(), e.message())).write_to(
                    &mut writer,
                    false,
                    false,
                );
                return linger_close(&mut reader, &writer);
            }
        };
        let started = Instant::now();
        let length = match head.content_length() {
            Ok(length) => length,
            Err(e) => {
                log(&peer, &head, e.status(), started, e.message());
                let _ = cors::finish(Response::error(e.status(), e.message())).write_to(
                    &mut writer,
                    false,
                    false,
                );
                return linger_close(&mut reader, &writer);
            }
        };
        let body = if length > MAX_BODY_BYTES {
            Body::TooLarge(length)
        } else {
            if head.expects_continue()
                && writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err()
            {
                return;
            }
            match http::read_body(&mut reader, length) {
                Ok(bytes) => Body::Bytes(bytes),
                Err(_) => return,
            }
        };

        let handled = routes::handle(app, &head, &body);
        // The unread body of a refused upload is still on the wire: this connection is done.
        let keep_alive = head.wants_keep_alive() && matches!(body, Body::Bytes(_));
        match handled.outcome {
            Outcome::Respond(response) => {
                let response = cors::finish(response);
                log(&peer, &head, response.status, started, &handled.note);
                let written = response.write_to(&mut writer, head.method == "HEAD", keep_alive);
                if !keep_alive {
                    return linger_close(&mut reader, &writer);
                }
                if written.is_err() {
                    return;
                }
            }
            Outcome::Hang(hold) => {
                log(&peer, &head, 0, started, &handled.note);
                thread::sleep(hold);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Outcome::Close => {
                log(&peer, &head, 0, started, &handled.note);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Closes after an answer while the client may still be sending (a refused oversized body):
/// closing a socket with unread input makes the kernel send a reset, which can destroy the
/// answer before the client reads it. So: send FIN, then read and drop input for a while.
fn linger_close(reader: &mut impl Read, writer: &TcpStream) {
    let _ = writer.shutdown(Shutdown::Write);
    let _ = writer.set_read_timeout(Some(LINGER_TIME));
    let deadline = Instant::now() + LINGER_TIME;
    let mut sink = reader.take(LINGER_BYTES);
    let mut buffer = [0u8; 16 * 1024];
    while Instant::now() < deadline {
        match sink.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// One line per request on stderr: peer, method, target, status (0 = no answer), time, note.
fn log(peer: &str, head: &Head, status: u16, started: Instant, note: &str) {
    let ms = started.elapsed().as_millis();
    let mut line = format!("{peer} {} {} {status} {ms}ms", head.method, head.target);
    if !note.is_empty() {
        line.push(' ');
        line.push_str(note);
    }
    // One write per line, so lines from concurrent connections do not interleave.
    let _ = writeln!(io::stderr().lock(), "{line}");
}
