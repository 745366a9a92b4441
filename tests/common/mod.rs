//! Helpers for the test binaries that run the real `sophia serve` (hostile input, faults,
//! shutdown): the command on free loopback ports and the address it logs.
//!
//! Each test binary compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

/// What `sophia serve` logs, followed by its address, once it accepts connections.
pub const LISTENING: &str = "Sophia listening on http://";

/// `sophia serve` on free loopback ports (public and admin), logging at `info` without
/// colour to a piped stderr, output to nowhere, with none of the caller's `SOPHIA_*`
/// settings. Add `--config`, `--content`, `SOPHIA_CONFIG` and so on.
pub fn serve_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sophia"));
    command
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--admin-addr",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("SOPHIA_LOG_FORMAT")
        .env_remove("SOPHIA_CONFIG")
        .env_remove("SOPHIA_CONTENT")
        .env_remove("SOPHIA_PACKS")
        .env_remove("SOPHIA_BUILT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The address in a log line that says where Sophia listens ([`LISTENING`]).
pub fn listening_address(line: &str) -> Option<SocketAddr> {
    let rest = line.split(LISTENING).nth(1)?;
    let addr: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
        .collect();
    addr.parse().ok()
}

/// The lines of `child`'s stderr, as they come, on a channel.
pub fn log_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (lines, log) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    log
}
