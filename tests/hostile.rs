//! Hostile HTTP input against the real `sophia serve` binary, over raw TCP.
//!
//! Malformed JSON, wrong content types, oversized bodies and messages, NUL bytes, direction
//! and zero-width characters, emoji, deeply nested JSON, invalid UTF-8, header floods,
//! slow-loris clients and a slow body: every request the router sees gets its 4xx with the
//! JSON error body (`{"error": {"code", "message"}}`) and the security headers; what is not
//! HTTP at all gets hyper's bare 400/431 and a closed connection; a client too slow with its
//! headers is disconnected after `[server] header_timeout_ms`. Meanwhile a background
//! client keeps asking ordinary questions, and every one of them must be answered.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The header timeout the server is started with (ms): short, so the slow-loris cases
/// finish quickly.
const HEADER_TIMEOUT_MS: u64 = 1000;
/// Upper bound for anything to happen on a socket, so a broken server fails the test
/// instead of hanging it.
const IO_BOUND: Duration = Duration::from_secs(60);

/// A running `sophia serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `sophia serve` on free ports with a short header timeout and a rate limit the
/// many requests from one address stay under.
fn start() -> Server {
    let dir = std::env::temp_dir().join(format!("sophia-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("sophia.toml");
    let text = sophia::config::SHIPPED_CONFIG
        .replace("per_minute = 60\n", "per_minute = 60000\n")
        .replace("burst = 20\n", "burst = 10000\n")
        .replace(
            "header_timeout_ms = 10000",
            &format!("header_timeout_ms = {HEADER_TIMEOUT_MS}"),
        );
    assert!(text.contains(&format!("header_timeout_ms = {HEADER_TIMEOUT_MS}")));
    std::fs::write(&config, text).unwrap();
    let mut child = common::serve_command()
        .env("SOPHIA_CONFIG", &config)
        .spawn()
        .expect("sophia starts");
    let lines_in = common::log_lines(&mut child);
    let log = Arc::new(Mutex::new(Vec::new()));
    let (found, addr) = mpsc::channel();
    let lines = Arc::clone(&log);
    thread::spawn(move || {
        for line in lines_in {
            if let Some(addr) = common::listening_address(&line) {
                let _ = found.send(addr);
            }
            lines.lock().unwrap().push(line);
        }
    });
    let addr = addr
        .recv_timeout(Duration::from_secs(600))
        .expect("sophia logs where it listens");
    Server { child, addr, log }
}

/// A response as read off the wire.
#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn parse(bytes: &[u8]) -> Option<Response> {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let status = head.split(' ').nth(1)?.parse().ok()?;
        Some(Response {
            status,
            head,
            body: bytes[end + 4..].to_vec(),
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\n{}",
                self.head,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts the status and the JSON error body with `code`, with the security headers.
    fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.describe());
        assert!(
            self.header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{}",
            self.describe()
        );
        assert_eq!(
            self.header("x-content-type-options"),
            Some("nosniff"),
            "{}",
            self.describe()
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{}", self.describe());
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{}",
            self.describe()
        );
    }

    /// Asserts a bare protocol-level rejection by hyper: the status, no body, the
    /// connection closed.
    fn assert_bare(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.describe());
        assert_eq!(
            self.header("connection"),
            Some("close"),
            "{}",
            self.describe()
        );
    }

    fn describe(&self) -> String {
        format!("{}\n\n{}", self.head, String::from_utf8_lossy(&self.body))
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("the server accepts connections");
    stream.set_read_timeout(Some(IO_BOUND)).unwrap();
    stream.set_write_timeout(Some(IO_BOUND)).unwrap();
    stream
}

/// Reads until the server closes; a reset after some bytes ends the reading too.
fn read_all(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "no answer within {IO_BOUND:?}; got {:?}",
                    String::from_utf8_lossy(&bytes)
                )
            }
            Err(_) => break,
        }
    }
    bytes
}

/// Sends `request` (which should ask `Connection: close`) and reads the response. The
/// request is written from another thread, so a server that answers before reading it
/// all (413) is heard even while the rest is still being sent; write errors after the
/// server closed are expected then and ignored.
fn exchange(addr: SocketAddr, request: Vec<u8>) -> Response {
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().unwrap();
    let sending = thread::spawn(move || {
        let _ = writer.write_all(&request);
        let _ = writer.flush();
    });
    let bytes = read_all(&mut stream);
    let _ = stream.shutdown(Shutdown::Both);
    sending.join().unwrap();
    Response::parse(&bytes).unwrap_or_else(|| {
        panic!(
            "no HTTP response: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(500)])
        )
    })
}

/// A POST of `body` to `path` with `content_type` (none when `None`).
fn post(addr: SocketAddr, path: &str, content_type: Option<&str>, body: &[u8]) -> Response {
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(content_type) = content_type {
        request.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    exchange(addr, bytes)
}

fn chat(addr: SocketAddr, body: &[u8]) -> Response {
    post(addr, "/api/v1/chat", Some("application/json"), body)
}

fn chat_message(addr: SocketAddr, message: &str) -> Response {
    chat(addr, json!({ "message": message }).to_string().as_bytes())
}

/// Asserts an ordinary answer: 200 and a reply of a known kind.
fn assert_answer(response: &Response) -> Value {
    assert_eq!(response.status, 200, "{}", response.describe());
    let reply = response.json();
    assert!(reply["kind"].is_string(), "{reply}");
    assert!(reply["text"].as_str().is_some_and(|t| !t.is_empty()));
    reply
}

// ---- the cases ----

fn malformed_json(addr: SocketAddr) {
    chat(addr, br#"{"message": "Reisepass""#).assert_error(400, "invalid_json");
    chat(addr, b"{message: Reisepass}").assert_error(400, "invalid_json");
    chat(addr, b"").assert_error(400, "invalid_json");
    chat(addr, br#"{"message": "Reisepass"} trailing"#).assert_error(400, "invalid_json");
    chat(addr, br#"["Reisepass"]"#).assert_error(422, "invalid_field");
    chat(addr, br#"{"message": 42}"#).assert_error(422, "invalid_field");
    chat(addr, br#"{"message": "x", "tenant": 1e999999}"#).assert_error(400, "invalid_json");
    post(addr, "/api/v1/feedback", Some("application/json"), b"{")
        .assert_error(400, "invalid_json");
}

fn wrong_content_type(addr: SocketAddr) {
    let body = br#"{"message": "Reisepass"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        None,
    ] {
        post(addr, "/api/v1/chat", content_type, body).assert_error(415, "unsupported_media_type");
    }
    // A charset parameter is fine.
    assert_answer(&post(
        addr,
        "/api/v1/chat",
        Some("application/json; charset=utf-8"),
        body,
    ));
}

fn wrong_method(addr: SocketAddr) {
    let request = format!("GET /api/v1/chat HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    exchange(addr, request.into_bytes()).assert_error(405, "method_not_allowed");
    let request = format!("DELETE /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    exchange(addr, request.into_bytes()).assert_error(405, "method_not_allowed");
}

fn ten_megabyte_body(addr: SocketAddr) {
    let mut body = br#"{"message": ""#.to_vec();
    body.resize(10 * 1024 * 1024, b'a');
    body.extend_from_slice(br#""}"#);
    chat(addr, &body).assert_error(413, "body_too_large");
    // The same size announced, then sent in chunks without a length.
    let mut request = format!(
        "POST /api/v1/chat HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(64 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    exchange(addr, request).assert_error(413, "body_too_large");
}

fn long_messages(addr: SocketAddr) {
    // 100,000 characters do not fit in the 16 KiB body.
    chat_message(addr, &"Reisepass ".repeat(10_000)).assert_error(413, "body_too_large");
    // One character over the limit, in a body that fits.
    chat_message(addr, &"a".repeat(2001)).assert_error(400, "message_too_long");
    // Multi-byte characters are counted as characters: 2,000 umlauts are fine.
    assert_answer(&chat_message(addr, &"ä".repeat(2000)));
    // A comment over its limit with the feedback.
    let body = json!({"helpful": false, "comment": "x".repeat(2001)}).to_string();
    post(
        addr,
        "/api/v1/feedback",
        Some("application/json"),
        body.as_bytes(),
    )
    .assert_error(400, "comment_too_long");
}

fn nul_bytes(addr: SocketAddr) {
    // Escaped in JSON: a message like any other.
    assert_answer(&chat_message(addr, "Reise\u{0}pass"));
    // Nothing but NULs is an empty message.
    chat_message(addr, "\u{0}\u{0}\u{0}").assert_error(400, "empty_message");
    // A raw NUL byte inside a JSON string is not JSON.
    chat(addr, b"{\"message\": \"Reise\x00pass\"}").assert_error(400, "invalid_json");
    // NULs in the other fields.
    let body = json!({"message": "Reisepass", "tenant": "muen\u{0}chen"}).to_string();
    chat(addr, body.as_bytes()).assert_error(404, "unknown_tenant");
    let body = json!({"message": "Reisepass", "context": "\u{0}", "location": "\u{0}"});
    assert_answer(&chat(addr, body.to_string().as_bytes()));
}

fn direction_and_zero_width_characters(addr: SocketAddr) {
    for message in [
        "\u{202e}Was kostet ein Reisepass?\u{202c}",
        "\u{200f}Reise\u{200b}pass\u{200e}",
        "Reise\u{feff}pass\u{2066}\u{2069}",
        "جواز السفر Reisepass",
    ] {
        let reply = assert_answer(&chat_message(addr, message));
        let text = reply["text"].as_str().unwrap();
        assert!(
            !text.contains('\u{202e}'),
            "a direction override is not echoed: {text:?}"
        );
    }
    // Only invisible characters: an empty message.
    chat_message(addr, "\u{200b}\u{200f}\u{202e}\u{2060}\u{feff} \t\n")
        .assert_error(400, "empty_message");
}

fn emoji(addr: SocketAddr) {
    for message in ["Reisepass 🛂🇩🇪👨‍👩‍👧", "😀", "👍🏽👍🏽👍🏽", "🏳️‍🌈 Wohnsitz anmelden"]
    {
        assert_answer(&chat_message(addr, message));
    }
    // Lone surrogates cannot be UTF-8: not JSON for Sophia.
    chat(addr, br#"{"message": "\ud800"}"#).assert_error(400, "invalid_json");
}

fn deeply_nested_json(addr: SocketAddr) {
    // Deeper than serde_json's recursion limit, inside the body limit.
    let deep = format!(
        r#"{{"message": "x", "tenant": {}{}}}"#,
        "[".repeat(8000),
        "]".repeat(8000)
    );
    chat(addr, deep.as_bytes()).assert_error(400, "invalid_json");
    let deep = format!(r#"{}"message"{}"#, "{\"a\":".repeat(2000), "}".repeat(2000));
    chat(addr, deep.as_bytes()).assert_error(400, "invalid_json");
    // Nested, within the limit, in a field that must be a string.
    let nested = format!(
        r#"{{"message": "x", "context": {}{}}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    chat(addr, nested.as_bytes()).assert_error(422, "invalid_field");
}

fn invalid_utf8(addr: SocketAddr) {
    chat(addr, b"{\"message\": \"Reise\xffpass\"}").assert_error(400, "invalid_json");
    chat(addr, b"{\"message\": \"\xc3\x28\"}").assert_error(400, "invalid_json");
    chat(addr, b"\xef\xbb\xbf{\"message\": \"Reisepass\"}").assert_error(400, "invalid_json");
    // In the request target: not HTTP, a bare 400.
    let request = b"GET /health\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    exchange(addr, request.to_vec()).assert_bare(400);
    // In a header value: opaque bytes, the request is answered.
    let mut request = format!(
        "POST /api/v1/chat HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nConnection: close\r\nX-Note: "
    )
    .into_bytes();
    let body = br#"{"message": "Reisepass"}"#;
    request.extend_from_slice(b"\xff\xfe\r\n");
    request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    request.extend_from_slice(body);
    assert_answer(&exchange(addr, request));
}

fn garbage_and_smuggling(addr: SocketAddr) {
    exchange(addr, b"HELLO\r\n\r\n".to_vec()).assert_bare(400);
    exchange(addr, vec![0u8; 1024]).assert_bare(400);
    exchange(addr, b"GET /\0 HTTP/1.1\r\n\r\n".to_vec()).assert_bare(400);
    // Two different lengths: refused, not guessed.
    let request = format!(
        "POST /api/v1/chat HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 24\r\nConnection: close\r\n\r\n{{\"message\": \"Reisepass\"}}"
    );
    exchange(addr, request.into_bytes()).assert_bare(400);
}

fn header_flood(addr: SocketAddr) {
    // Many headers.
    let mut request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for i in 0..1000 {
        request.push_str(&format!("X-Flood-{i}: {i}\r\n"));
    }
    request.push_str("\r\n");
    exchange(addr, request.into_bytes()).assert_bare(431);
    // One huge header.
    let request = format!(
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nX-Huge: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    exchange(addr, request.into_bytes()).assert_bare(431);
    // Within both limits (90 headers, about 54 KB: a portal's cookies), answered.
    let mut request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for i in 0..90 {
        request.push_str(&format!("X-Cookie-{i}: {}\r\n", "c".repeat(600)));
    }
    request.push_str("\r\n");
    let response = exchange(addr, request.into_bytes());
    assert_eq!(response.status, 200, "{}", response.describe());
}

/// Whether the server has closed `stream` (EOF, a reset or a bare response followed by
/// EOF count); `false` while it is still open and silent.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_millis(5)))
        .unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // A timeout response may come first; the close follows.
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return true,
        }
    }
}

fn slow_loris(addr: SocketAddr) {
    // Clients that trickle a never-ending header byte by byte, and one that sends nothing.
    let mut clients: Vec<(TcpStream, Vec<u8>, usize)> = (0..16)
        .map(|i| {
            let mut head =
                format!("POST /api/v1/chat HTTP/1.1\r\nHost: {addr}\r\nX-Slow-{i}: ").into_bytes();
            head.extend(std::iter::repeat_n(b'a', 100_000));
            (connect(addr), head, 0)
        })
        .collect();
    clients.push((connect(addr), Vec::new(), 0));
    let started = Instant::now();
    let bound = Duration::from_millis(HEADER_TIMEOUT_MS) * 15;
    let mut open: Vec<bool> = vec![true; clients.len()];
    while open.iter().any(|o| *o) {
        assert!(
            started.elapsed() < bound,
            "{} slow clients still connected after {:?} (header timeout {HEADER_TIMEOUT_MS} ms)",
            open.iter().filter(|o| **o).count(),
            started.elapsed()
        );
        for (i, (stream, head, sent)) in clients.iter_mut().enumerate() {
            if !open[i] {
                continue;
            }
            if *sent < head.len() && stream.write_all(&head[*sent..=*sent]).is_err() {
                open[i] = false;
                continue;
            }
            *sent += 1;
            if closed_by_server(stream) {
                open[i] = false;
            }
        }
        thread::sleep(Duration::from_millis(50));
    }
    // Each of them got far less than a full head in: the timeout, not a size limit,
    // closed them.
    assert!(clients.iter().all(|(_, _, sent)| *sent < 1000));
}

fn idle_keep_alive(addr: SocketAddr) {
    // A connection that asked once and then idles is closed after the header timeout.
    let mut stream = connect(addr);
    write!(stream, "GET /health HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let started = Instant::now();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    while !response.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed before answering");
        response.extend_from_slice(&buf[..n]);
    }
    assert!(response.starts_with(b"HTTP/1.1 200"));
    let bound = Duration::from_millis(HEADER_TIMEOUT_MS) * 15;
    while !closed_by_server(&mut stream) {
        assert!(
            started.elapsed() < bound,
            "an idle kept-alive connection is still open after {:?}",
            started.elapsed()
        );
        thread::sleep(Duration::from_millis(50));
    }
}

fn slow_body(addr: SocketAddr) {
    // Headers in time, then a body that would take 40 s: the request timeout (10 s)
    // answers 408 with the JSON error.
    let mut stream = connect(addr);
    let body = br#"{"message": "Reisepass", "tenant": "muenchen"}"#;
    write!(
        stream,
        "POST /api/v1/chat HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut reader = stream.try_clone().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    let trickle = thread::spawn(move || {
        for byte in body.iter().take(body.len() - 1) {
            if stop.load(Ordering::SeqCst) || stream.write_all(&[*byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(900));
        }
    });
    let bytes = read_all(&mut reader);
    done.store(true, Ordering::SeqCst);
    trickle.join().unwrap();
    Response::parse(&bytes)
        .expect("an HTTP response")
        .assert_error(408, "request_timeout");
}

/// One hostile case: it panics when the server's answer is wrong.
type Case = fn(SocketAddr);

/// The cases, by name.
const CASES: &[(&str, Case)] = &[
    ("malformed JSON", malformed_json),
    ("wrong content type", wrong_content_type),
    ("wrong method", wrong_method),
    ("10 MB body", ten_megabyte_body),
    ("long messages", long_messages),
    ("NUL bytes", nul_bytes),
    (
        "direction and zero-width characters",
        direction_and_zero_width_characters,
    ),
    ("emoji", emoji),
    ("deeply nested JSON", deeply_nested_json),
    ("invalid UTF-8", invalid_utf8),
    ("garbage and smuggling", garbage_and_smuggling),
    ("header flood", header_flood),
    ("slow loris", slow_loris),
    ("idle kept-alive connection", idle_keep_alive),
    ("slow body", slow_body),
];

/// Asks ordinary questions until `stop`; returns how many were answered and the failures.
fn ordinary_client(
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    first: mpsc::Sender<()>,
) -> (usize, Vec<String>) {
    let questions = [
        ("Was kostet ein Reisepass?", "muenchen"),
        ("perso verloren", "muenchen"),
        ("Hallo", "land-hessen"),
        ("Wohnsitz anmelden", "kreis-voll"),
    ];
    let mut answered = 0;
    let mut failures = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::SeqCst) {
        let (message, tenant) = questions[i % questions.len()];
        i += 1;
        let body = json!({"message": message, "tenant": tenant}).to_string();
        let outcome = std::panic::catch_unwind(|| chat(addr, body.as_bytes()));
        match outcome {
            Ok(response) if response.status == 200 && response.json()["kind"].is_string() => {
                answered += 1;
                if answered == 1 {
                    let _ = first.send(());
                }
            }
            Ok(response) => failures.push(format!("{message}: {}", response.describe())),
            Err(_) => failures.push(format!("{message}: no response")),
        }
        thread::sleep(Duration::from_millis(20));
    }
    (answered, failures)
}

#[test]
fn hostile_requests_get_clear_errors_while_ordinary_ones_are_answered() {
    let server = start();
    let addr = server.addr;

    let stop = Arc::new(AtomicBool::new(false));
    let (first, answered_once) = mpsc::channel();
    let background = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || ordinary_client(addr, stop, first))
    };
    answered_once
        .recv_timeout(IO_BOUND)
        .expect("the ordinary client gets a first answer");

    // Every case at once, each on its own thread; a failing case names itself.
    let running: Vec<_> = CASES
        .iter()
        .map(|(name, case)| {
            let case = *case;
            let handle = thread::Builder::new()
                .name((*name).to_string())
                .spawn(move || case(addr))
                .unwrap();
            (*name, handle)
        })
        .collect();
    let failed: Vec<&str> = running
        .into_iter()
        .filter_map(|(name, handle)| handle.join().is_err().then_some(name))
        .collect();

    stop.store(true, Ordering::SeqCst);
    let (answered, failures) = background.join().unwrap();
    assert!(failed.is_empty(), "failed cases (see above): {failed:?}");
    assert!(
        failures.is_empty(),
        "ordinary requests failed meanwhile:\n{}",
        failures.join("\n\n")
    );
    // The cases ran for seconds (the slow body alone for 10): the ordinary client asked
    // throughout.
    assert!(
        answered >= 10,
        "only {answered} ordinary requests were answered"
    );

    let mut server = server;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server is still running"
    );
    let log = server.log.lock().unwrap().join("\n");
    assert!(!log.contains("panicked"), "{log}");
    // Citizens' messages are not logged at `info`, hostile or not.
    assert!(!log.contains("🛂") && !log.contains("جواز"), "{log}");
}

// ---- hostile content: what editors' sources and the configuration carry ----

mod content {
    //! Script, event handlers and `javascript:`/`data:` links planted in every field of a
    //! DLDB export, an editors' pack and the tenant's texts never reach a reply: its `html`
    //! holds only the allowed elements, with no attribute but a checked `href` (and `rel`)
    //! on links, and every URL in the reply is http(s), mailto or tel.

    use std::path::Path;
    use std::sync::Arc;

    use serde_json::{Value, json};
    use sophia::dialog::ContextCodec;
    use sophia::server::ContentSource;
    use sophia::{ChatRequest, Engine};

    const ELEMENTS: &[&str] = &[
        "html", "body", "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h3", "h4", "h5",
        "a",
    ];

    /// A URL a citizen may follow.
    fn safe_url(url: &str) -> bool {
        let lower = url.to_ascii_lowercase();
        ["https://", "http://", "mailto:", "tel:"]
            .iter()
            .any(|s| lower.starts_with(s))
            && !url
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || "\"'<>`".contains(c))
    }

    fn assert_safe_html(html: &str, reply: &Value) {
        let fragment = scraper::Html::parse_fragment(html);
        for node in fragment.tree.nodes() {
            let Some(element) = node.value().as_element() else {
                continue;
            };
            let name = element.name();
            assert!(ELEMENTS.contains(&name), "<{name}> in {html}\n{reply}");
            for (attribute, value) in element.attrs() {
                match (name, attribute) {
                    ("a", "href") => assert!(safe_url(value), "href {value:?} in {html}"),
                    ("a", "rel") | ("a", "target") => {}
                    _ => panic!("attribute {attribute}={value:?} on <{name}> in {html}"),
                }
            }
        }
    }

    /// Every `url`, `link` or `href` string anywhere in the reply is safe (or empty).
    fn assert_safe_urls(value: &Value, reply: &Value) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields {
                    if let (true, Some(url)) = (
                        ["url", "link", "href"].contains(&key.as_str()),
                        value.as_str(),
                    ) {
                        assert!(url.is_empty() || safe_url(url), "{key}: {url:?} in {reply}");
                    }
                    assert_safe_urls(value, reply);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| assert_safe_urls(v, reply)),
            _ => {}
        }
    }

    /// The shipped Reisepass record and its offices, with something hostile in every field.
    fn hostile_export(dir: &Path) {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/muenchen");
        let read = |file: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(shipped.join(file)).unwrap()).unwrap()
        };
        let services = read("services_de.json");
        let mut service = services["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "1063453")
            .unwrap()
            .clone();
        let offices: Vec<String> = service["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["location"].as_str().unwrap().to_string())
            .collect();
        service["name"] = json!("Reisepass <img src=x onerror=alert(1)>");
        let description = service["description"].as_str().unwrap().to_string();
        service["description"] = json!(format!(
            "{description}<script>alert(2)</script><p onclick=\"alert(3)\">Hinweis \
             <a href=\"javascript:alert(4)\">hier</a> <a href=\" JAVASCRIPT:alert(5)\">da</a> \
             <a href=\"data:text/html,<script>alert(6)</script>\">dort</a> \
             <a href=\"https://ok.example/&quot;onmouseover=&quot;alert(7)\">ok</a></p>\
             <iframe src=\"https://evil.example\"></iframe><svg onload=\"alert(8)\"></svg>\
             <img src=x onerror=\"alert(9)\"><style>*{{display:none}}</style>\
             <form action=\"https://evil.example\"><input name=pw></form>"
        ));
        let fees = service["fees"].as_str().unwrap().to_string();
        service["fees"] = json!(format!(
            "{fees}<p><a href=\"vbscript:msgbox(1)\">Gebühren</a><object data=\"x\"></object>\
             <a href=\"  javascript&colon;alert(10)\">mehr</a></p>"
        ));
        service["meta"]["url"] = json!("javascript:alert(11)");
        service["appointment"]["link"] = json!("javascript:alert(12)");
        service["onlineprocessing"] = json!({"link": "data:text/html,alert(13)", "description": "<script>alert(14)</script>"});
        service["links"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "<b onclick=alert(15)>Link</b>", "link": "javascript:alert(16)", "description": false}));
        service["forms"].as_array_mut().unwrap().push(
            json!({"name": "Formular<script>alert(17)</script>", "link": "https://ok.example/form\"><script>alert(18)</script>", "description": false}),
        );
        std::fs::write(
            dir.join("services_de.json"),
            json!({"data": [service], "meta": services["meta"]}).to_string(),
        )
        .unwrap();
        let locations = read("locations_de.json");
        let mut kept: Vec<Value> = locations["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| offices.iter().any(|id| l["id"] == id.as_str()))
            .cloned()
            .collect();
        assert!(!kept.is_empty());
        for office in &mut kept {
            let name = office["name"].as_str().unwrap().to_string();
            office["name"] = json!(format!("<script>alert(19)</script>{name}"));
            office["contact"]["webinfo"] = json!("javascript:alert(20)");
            office["contact"]["phone"] = json!("089 <b onclick=alert(21)>233</b>");
            office["contact"]["email"] = json!("x@y.de\"><script>alert(22)</script>");
            office["meta"]["url"] = json!("javascript:alert(23)");
        }
        std::fs::write(
            dir.join("locations_de.json"),
            json!({"data": kept, "meta": locations["meta"]}).to_string(),
        )
        .unwrap();
        std::fs::copy(shipped.join("REGION"), dir.join("REGION")).unwrap();
    }

    #[test]
    fn the_checks_catch_what_they_look_for() {
        let caught = |html: &'static str| {
            std::panic::catch_unwind(|| assert_safe_html(html, &Value::Null)).is_err()
        };
        assert!(caught("<p onclick=\"x\">a</p>"));
        assert!(caught("<script>x</script>"));
        assert!(caught("<a href=\"javascript:x\">a</a>"));
        assert!(caught("<img src=x>"));
        assert!(!caught(
            "<p><a href=\"https://a.de\" rel=\"noopener\">a</a></p>"
        ));
        let reply = json!({"sources": [{"url": "javascript:x"}]});
        assert!(std::panic::catch_unwind(|| assert_safe_urls(&reply, &reply)).is_err());
    }

    #[test]
    fn hostile_content_never_reaches_a_reply_unsanitised() {
        let dir =
            std::env::temp_dir().join(format!("sophia-hostile-content-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content")).unwrap();
        std::fs::create_dir_all(dir.join("packs/lokal")).unwrap();
        hostile_export(&dir.join("content"));
        std::fs::write(
            dir.join("packs/lokal/answers.toml"),
            r#"[[answer]]
id = "sperrmuell"
questions = ["Wie werde ich Sperrmüll los?"]
answer = """Sperrmüll <script>alert(24)</script> <img src=x onerror=alert(25)>
<a href="javascript:alert(26)">hier</a> [Abfall](https://ok.example/abfall)"""
link = "https://ok.example/sperrmuell"
"#,
        )
        .unwrap();
        let config = sophia::config::SHIPPED_CONFIG
            .replace("packs = [\"muenchen\"]", "packs = [\"lokal\"]")
            .replace(
                "name = \"Landeshauptstadt München\"",
                "name = \"München <img src=x onerror=alert(27)>\"",
            )
            .replace(
                "oder schreiben Sie uns über das Kontaktformular der Stadt München.",
                "oder <script>alert(28)</script> <a href='javascript:alert(29)'>hier</a>.",
            );
        assert!(config.contains("alert(28)") && config.contains("alert(27)"));
        std::fs::write(dir.join("sophia.toml"), config).unwrap();
        let source = ContentSource {
            config: Some(dir.join("sophia.toml")),
            content: Some(dir.join("content")),
            packs: Some(dir.join("packs")),
            built: None,
        };
        let snapshot = source.build().unwrap();
        let engine = Engine::new(Arc::new(snapshot), ContextCodec::new(b"hostile"));

        let ask = |message: &str, location: Option<&str>, context: Option<String>| -> Value {
            let reply = engine.respond(&ChatRequest {
                message: message.into(),
                tenant: Some("muenchen".into()),
                location: location.map(Into::into),
                context,
            });
            let reply = serde_json::to_value(&reply).unwrap();
            if let Some(html) = reply["html"].as_str() {
                assert_safe_html(html, &reply);
            }
            assert_safe_urls(&reply, &reply);
            reply
        };
        let mut kinds = Vec::new();
        for (message, location) in [
            ("Reisepass", None),
            ("Was kostet ein Reisepass?", None),
            ("Welche Unterlagen brauche ich für den Reisepass?", None),
            ("Wo beantrage ich einen Reisepass?", Some("80331")),
            ("Reisepass online beantragen", None),
            ("Termin für den Reisepass", None),
            ("Bürgerbüro Ruppertstraße", None),
            (
                "<script>alert(30)</script> Reisepass",
                Some("<img src=x onerror=alert(31)>"),
            ),
            ("Wie werde ich Sperrmüll los?", None),
            ("Hallo", None),
            ("Wie hoch ist die Zugspitze?", None),
        ] {
            let reply = ask(message, location, None);
            kinds.push(reply["kind"].as_str().unwrap_or_default().to_string());
            // Follow-ups in context build other answers from the same content.
            let context = reply["context"].as_str().map(str::to_string);
            for follow_up in ["und was kostet das?", "wo?", "die zweite", "ja"] {
                ask(follow_up, None, context.clone());
            }
        }
        // The questions reached the hostile content: services, offices, the custom answer
        // and the fallback with the tenant's contact text.
        for kind in ["service", "aspect", "custom", "fallback"] {
            assert!(
                kinds.iter().any(|k| k == kind),
                "no {kind} reply: {kinds:?}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
