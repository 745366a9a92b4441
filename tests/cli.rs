//! The command line as a shell uses it: output piped into a reader that stops early.

use std::process::{Command, Stdio};

/// `sophia eval … | head -1`: the reader closes the pipe before the report is written; the
/// command ends quietly (exit 0, nothing on stderr) instead of panicking.
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sophia"))
        .args(["eval", "tests/eval/location_dev.toml", "--misses"])
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sophia starts");
    // Close the reading end before the report is written (loading the catalogue takes
    // far longer than this).
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("sophia ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(stderr.trim().is_empty(), "{stderr}");
}
