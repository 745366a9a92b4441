//! Graceful shutdown of the real `sophia serve` binary: SIGTERM under load fails no request
//! in flight.
//!
//! Each client sends its request headers with `Expect: 100-continue` and waits for the
//! server's `100 Continue`, which hyper sends only once the handler reads the body: from then
//! on the request is provably in flight. Then the server gets SIGTERM; once it has stopped
//! accepting connections, every client sends its body, and every one must get its 200.
//! The log (at `info`) names no citizen's message.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// In-flight requests when SIGTERM arrives.
const CLIENTS: usize = 24;

/// The shipped configuration with a rate limit that this test's many requests from one
/// address stay under.
fn config_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sophia-shutdown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sophia.toml");
    let text = sophia::config::SHIPPED_CONFIG
        .replace("per_minute = 60", "per_minute = 60000")
        .replace("burst = 20", "burst = 10000");
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts `sophia serve` on free ports; returns the process, its address and its log lines.
fn start() -> (Child, SocketAddr, mpsc::Receiver<String>) {
    let mut child = common::serve_command()
        .env("SOPHIA_CONFIG", config_file())
        .spawn()
        .expect("sophia starts");
    let log = common::log_lines(&mut child);
    let addr = loop {
        let line = log
            .recv()
            .expect("sophia logs where it listens before anything else ends it");
        if let Some(addr) = common::listening_address(&line) {
            break addr;
        }
    };
    (child, addr, log)
}

/// Reads from `stream` until the blank line that ends a response head.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("the connection stays open");
        assert_eq!(
            n,
            1,
            "connection closed after {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

#[test]
fn sigterm_under_load_fails_no_request_in_flight() {
    let (mut child, addr, log) = start();

    // Requests in flight: headers sent, the handler reading the body.
    let questions = [
        "Was kostet ein Reisepass?",
        "perso verloren",
        "Wohnsitz anmelden",
        "Hallo",
        "Reisepass Geheimnis4711",
    ];
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let tenant = [
            "muenchen",
            "land-hessen",
            "ozg-hessen",
            "kreis-voll",
            "kreis-basis",
        ][i % 5];
        let body = serde_json::json!({"message": questions[i % questions.len()], "tenant": tenant})
            .to_string();
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "POST /api/v1/chat HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        let head = read_head(&mut stream);
        assert!(head.starts_with("HTTP/1.1 100"), "{head}");
        clients.push((stream, body));
    }

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());

    // The server stops accepting new connections once it has the signal (bounded wait).
    let mut refused = false;
    for _ in 0..600 {
        match TcpStream::connect(addr) {
            Err(_) => {
                refused = true;
                break;
            }
            Ok(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
    assert!(
        refused,
        "the server still accepts connections after SIGTERM"
    );

    // Now the bodies, all at once: every request in flight is answered.
    let handles: Vec<_> = clients
        .into_iter()
        .map(|(mut stream, body)| {
            thread::spawn(move || {
                stream.write_all(body.as_bytes()).unwrap();
                let mut response = String::new();
                stream.read_to_string(&mut response).unwrap();
                response
            })
        })
        .collect();
    for handle in handles {
        let response = handle.join().unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
        let reply: serde_json::Value = serde_json::from_str(body).expect("a JSON reply");
        assert!(reply["kind"].is_string(), "{reply}");
    }

    let status = child.wait().unwrap();
    assert!(status.success(), "sophia exited with {status}");
    let logged: Vec<String> = log.iter().collect();
    assert!(
        logged.iter().any(|l| l.contains("shutting down")),
        "{logged:#?}"
    );
    // At `info`, the citizens' messages are never logged.
    assert!(
        logged
            .iter()
            .all(|l| !l.contains("Geheimnis4711") && !l.contains("perso verloren")),
        "{logged:#?}"
    );
    assert!(logged.iter().any(|l| l.contains("chat")), "{logged:#?}");
}
