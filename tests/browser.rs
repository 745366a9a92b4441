//! Browser tests of the chat widget against the real server.
//!
//! Starts the `sophia` binary on free loopback ports, waits for `/health`, then runs
//! `node tests/browser/widget.test.mjs`, which serves a portal page with a strict CSP,
//! reverse-proxies `/sophia/*` to this server and drives Debian's Chromium with
//! playwright-core and axe-core (see widget/README.md, "Browser tests").
//!
//! Needs `/usr/bin/chromium` (or `SOPHIA_CHROMIUM`), Node.js and `npm ci --prefix tests/browser`.
//! Without them the test is skipped with a loud message, unless `SOPHIA_BROWSER_TESTS=required`
//! (set by `.ci/run`), which turns a missing tool into a failure.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest time the server may take to answer `/health` after it started.
const STARTUP_LIMIT: Duration = Duration::from_secs(240);
/// Longest time the whole browser run may take (the script has its own, shorter watchdog).
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// Kills the child process when dropped, so that a failing test leaves no server behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/` of this build (the parent of Cargo's temporary directory for integration tests).
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The status line of `GET /health`, or None while nothing answers.
fn health(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.lines().next().map(str::to_string)
}

/// What the browser tests need and this machine lacks.
fn missing_tools(chromium: &Path, browser_dir: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (Debian: apt-get install chromium)",
            chromium.display()
        ));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        missing.push("Node.js (`node` on the PATH)".to_string());
    }
    for package in ["playwright-core", "axe-core"] {
        if !browser_dir.join("node_modules").join(package).is_dir() {
            missing.push(format!(
                "tests/browser/node_modules/{package} (npm ci --prefix tests/browser)"
            ));
        }
    }
    missing
}

/// Starts `sophia serve` on free ports and waits until `/health` answers 200.
fn start_server(log: &Path) -> (KillOnDrop, u16) {
    let mut last_error = String::new();
    // A port found free may be taken before the server binds it: try a few.
    for _ in 0..3 {
        let (port, admin_port) = (free_port(), free_port());
        let log_file = std::fs::File::create(log).expect("server log file");
        let child = Command::new(env!("CARGO_BIN_EXE_sophia"))
            .args(["serve", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--admin-addr")
            .arg(format!("127.0.0.1:{admin_port}"))
            .current_dir(manifest_dir())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("server log file"))
            .stderr(log_file)
            .spawn()
            .expect("start the sophia binary");
        let mut server = KillOnDrop(child);
        let started = Instant::now();
        while started.elapsed() < STARTUP_LIMIT {
            if let Some(status) = health(port) {
                if status.contains(" 200 ") {
                    return (server, port);
                }
                last_error = format!("/health answered {status}");
            }
            if let Ok(Some(exit)) = server.0.try_wait() {
                last_error = format!("sophia serve exited with {exit}");
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let log_text = std::fs::read_to_string(log).unwrap_or_default();
    panic!("sophia serve did not become healthy: {last_error}\n--- server log ---\n{log_text}");
}

#[test]
fn widget_in_a_real_browser() {
    let required = std::env::var("SOPHIA_BROWSER_TESTS").is_ok_and(|v| v == "required");
    let chromium = PathBuf::from(
        std::env::var("SOPHIA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string()),
    );
    let browser_dir = manifest_dir().join("tests").join("browser");

    let missing = missing_tools(&chromium, &browser_dir);
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|m| format!("  - {m}"))
            .collect::<Vec<_>>()
            .join("\n");
        if required {
            panic!("SOPHIA_BROWSER_TESTS=required, but the browser tests lack:\n{list}");
        }
        // Written to stderr directly: eprintln! would be captured by the test harness and
        // shown only on failure, and a skip must not go unnoticed.
        let _ = writeln!(
            std::io::stderr(),
            "\n{bar}\n!! BROWSER TESTS SKIPPED: the widget was NOT tested in a browser.\n\
             !! Missing:\n{list}\n\
             !! Install them (see widget/README.md) or set SOPHIA_BROWSER_TESTS=required\n\
             !! to make this a failure (CI does).\n{bar}\n",
            bar = "!".repeat(78)
        );
        return;
    }

    let out_dir = target_dir().join("browser-screenshots");
    std::fs::create_dir_all(&out_dir).expect("create target/browser-screenshots");
    let server_log = out_dir.join("sophia-serve.log");
    let (_server, port) = start_server(&server_log);

    let mut node = KillOnDrop(
        Command::new("node")
            .arg(browser_dir.join("widget.test.mjs"))
            .current_dir(&browser_dir)
            .env("SOPHIA_URL", format!("http://127.0.0.1:{port}"))
            .env("SOPHIA_CHROMIUM", &chromium)
            .env("SOPHIA_SCREENSHOTS", &out_dir)
            .stdin(Stdio::null())
            .spawn()
            .expect("start node"),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = node.0.try_wait().expect("wait for node") {
            break Some(status);
        }
        if started.elapsed() > RUN_LIMIT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    match status {
        Some(status) if status.success() => {}
        outcome => {
            let log_text = std::fs::read_to_string(&server_log).unwrap_or_default();
            let tail: Vec<&str> = log_text.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "browser tests failed ({}); screenshots in {}\n--- end of server log ---\n{}",
                outcome.map_or("timed out".to_string(), |s| s.to_string()),
                out_dir.display(),
                tail.join("\n")
            );
        }
    }
}
