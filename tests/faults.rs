//! Faults in what Sophia reads and writes.
//!
//! - At start (the real binary): a content folder (`--content`), packs (`--packs`) or the
//!   configuration that is missing, unreadable or corrupt stops `sophia serve` with a
//!   non-zero exit and an error naming the file; so does a review log that cannot be
//!   opened.
//! - At reload (through the admin endpoint): the same faults are refused with an error
//!   naming the file, and the running content keeps answering. (A broken pack at reload is
//!   covered by `tests/reload.rs`.)
//! - While serving: a review log on a full disk (`/dev/full`) costs no citizen an answer,
//!   and the failure is logged once, not once a request.
//!
//! Files are made unreadable by putting a folder where the file is expected, which fails
//! for every user; `chmod 000` is tried too, and skipped with a note when the tests run
//! with privileges that read such files anyway (root).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sophia::config::SHIPPED_CONFIG;
use sophia::dialog::ContextCodec;
use sophia::server::{ContentSource, LiveEngine, Reloader, admin_router, live_router};
use sophia::{Engine, Snapshot};
use tower::ServiceExt;

const TOKEN: &str = "faults-token-0123456789";

/// The services of the small export the tests serve: Reisepass and Personalausweis.
const SERVICES: [&str; 2] = ["1063453", "1063441"];

/// A scratch folder with a small DLDB export (`content/`), one pack (`packs/lokal/`) and
/// a configuration (`sophia.toml`) whose tenants use it; removed when dropped.
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new(name: &str) -> Files {
        let dir = std::env::temp_dir().join(format!("sophia-faults-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content")).unwrap();
        std::fs::create_dir_all(dir.join("packs/lokal")).unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/muenchen");
        let export: Value = serde_json::from_str(
            &std::fs::read_to_string(shipped.join("services_de.json")).unwrap(),
        )
        .unwrap();
        let services: Vec<&Value> = export["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| SERVICES.contains(&s["id"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(services.len(), SERVICES.len());
        let export = json!({"data": services, "meta": export["meta"]});
        std::fs::write(dir.join("content/services_de.json"), export.to_string()).unwrap();
        std::fs::copy(shipped.join("REGION"), dir.join("content/REGION")).unwrap();
        std::fs::write(
            dir.join("packs/lokal/answers.toml"),
            "[[answer]]\nid = \"sperrmuell\"\nquestions = [\"Wie werde ich Sperrmüll los?\"]\nanswer = \"Sperrmüll holt der Abfallwirtschaftsbetrieb ab.\"\n",
        )
        .unwrap();
        let config = SHIPPED_CONFIG
            .replace("packs = [\"muenchen\"]", "packs = [\"lokal\"]")
            .replace(
                "[context]",
                &format!("[admin]\ntoken = \"{TOKEN}\"\n\n[context]"),
            )
            .replace("per_minute = 60\n", "per_minute = 60000\n")
            .replace("burst = 20\n", "burst = 10000\n");
        std::fs::write(dir.join("sophia.toml"), config).unwrap();
        Files { dir }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    fn source(&self) -> ContentSource {
        ContentSource {
            config: Some(self.path("sophia.toml")),
            content: Some(self.path("content")),
            packs: Some(self.path("packs")),
            built: None,
        }
    }

    /// The `serve` command line over these files.
    fn serve(&self) -> Command {
        let mut command = common::serve_command();
        command
            .arg("--config")
            .arg(self.path("sophia.toml"))
            .arg("--content")
            .arg(self.path("content"))
            .arg("--packs")
            .arg(self.path("packs"));
        command
    }

    /// Replaces `file` by a folder of the same name: reading it fails for every user.
    fn make_unreadable(&self, file: &str) {
        let path = self.path(file);
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
    }

    fn restore_file(&self, file: &str, text: &str) {
        let path = self.path(file);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `sophia serve`, which must fail to start: its exit status and error output. A
/// server that starts after all is killed and fails the test.
fn fails_to_start(mut command: Command) -> String {
    let mut child = command.spawn().expect("sophia starts");
    let mut stderr = child.stderr.take().unwrap();
    let reading = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sophia serve kept running: {}", reading.join().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = reading.join().unwrap();
    assert!(
        !status.success(),
        "sophia serve exited with {status}: {output}"
    );
    assert!(!output.contains("panicked"), "{output}");
    assert!(
        !output.contains("Sophia listening"),
        "it started serving: {output}"
    );
    output
}

/// Asserts that `output` has an error line naming `file`, with `detail`.
fn names(output: &str, file: &Path, detail: &str) {
    let file = file.display().to_string();
    assert!(
        output
            .lines()
            .any(|l| l.contains(&file) && l.contains(detail)),
        "no error naming {file} with {detail:?}:\n{output}"
    );
}

/// Whether this process reads a mode-000 file anyway (root, CAP_DAC_OVERRIDE).
#[cfg(unix)]
fn reads_mode_000(path: &Path) -> bool {
    std::fs::read(path).is_ok()
}

// ---- at start ----

#[test]
fn a_missing_content_folder_stops_the_start() {
    let files = Files::new("start-content-missing");
    std::fs::remove_dir_all(files.path("content")).unwrap();
    let output = fails_to_start(files.serve());
    names(&output, &files.path("content"), "No such file");
}

#[test]
fn an_unreadable_content_file_stops_the_start() {
    let files = Files::new("start-content-unreadable");
    files.make_unreadable("content/services_de.json");
    let output = fails_to_start(files.serve());
    names(&output, &files.path("content/services_de.json"), "");
    assert!(output.contains("directory"), "{output}");
}

#[cfg(unix)]
#[test]
fn a_content_file_without_read_permission_stops_the_start() {
    use std::os::unix::fs::PermissionsExt;
    let files = Files::new("start-content-mode-000");
    let path = files.path("content/services_de.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if reads_mode_000(&path) {
        eprintln!(
            "skipped: this process reads mode-000 files anyway (running as root); \
             an_unreadable_content_file_stops_the_start covers an unreadable file"
        );
        return;
    }
    let output = fails_to_start(files.serve());
    names(&output, &path, "Permission denied");
}

#[test]
fn a_corrupt_content_file_stops_the_start_naming_the_place() {
    let files = Files::new("start-content-corrupt");
    let path = files.path("content/services_de.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let output = fails_to_start(files.serve());
    // file:line:column
    names(&output, &path, ":1:");
}

#[test]
fn a_content_folder_without_services_stops_the_start() {
    let files = Files::new("start-content-empty");
    std::fs::remove_file(files.path("content/services_de.json")).unwrap();
    let output = fails_to_start(files.serve());
    names(&output, &files.path("content"), "no services*.json");
}

#[test]
fn a_missing_packs_folder_stops_the_start() {
    let files = Files::new("start-packs-missing");
    std::fs::remove_dir_all(files.path("packs")).unwrap();
    let output = fails_to_start(files.serve());
    names(
        &output,
        &files.path("packs"),
        "cannot read the packs folder",
    );
}

#[test]
fn an_unreadable_pack_file_stops_the_start() {
    let files = Files::new("start-pack-unreadable");
    files.make_unreadable("packs/lokal/answers.toml");
    let output = fails_to_start(files.serve());
    names(
        &output,
        &files.path("packs/lokal/answers.toml"),
        "cannot read",
    );
}

#[test]
fn a_corrupt_pack_stops_the_start_naming_the_place() {
    let files = Files::new("start-pack-corrupt");
    files.restore_file(
        "packs/lokal/answers.toml",
        "[[answer]]\nid = \"x\nanswer = 1\n",
    );
    let output = fails_to_start(files.serve());
    names(&output, &files.path("packs/lokal/answers.toml"), ":2:");
}

#[test]
fn a_missing_configuration_stops_the_start() {
    let files = Files::new("start-config-missing");
    std::fs::remove_file(files.path("sophia.toml")).unwrap();
    let output = fails_to_start(files.serve());
    names(&output, &files.path("sophia.toml"), "cannot read");
}

#[test]
fn an_unreadable_configuration_stops_the_start() {
    let files = Files::new("start-config-unreadable");
    files.make_unreadable("sophia.toml");
    let output = fails_to_start(files.serve());
    names(&output, &files.path("sophia.toml"), "cannot read");
}

#[test]
fn a_corrupt_configuration_stops_the_start_naming_the_place() {
    let files = Files::new("start-config-corrupt");
    let text = std::fs::read_to_string(files.path("sophia.toml")).unwrap();
    files.restore_file("sophia.toml", &format!("{text}\n[server\nburst = \n"));
    let output = fails_to_start(files.serve());
    let lines = text.lines().count();
    names(
        &output,
        &files.path("sophia.toml"),
        &format!("line {}, column", lines + 2),
    );
}

#[test]
fn a_review_log_that_cannot_be_opened_stops_the_start() {
    let files = Files::new("start-review-unopenable");
    // A regular file where the log's folder should be: no user can create the log.
    std::fs::write(files.path("not-a-folder"), "").unwrap();
    let log = files.path("not-a-folder/review.jsonl");
    let text = std::fs::read_to_string(files.path("sophia.toml")).unwrap();
    let text = text.replace(
        "# log = \"review.jsonl\"",
        &format!("log = {:?}", log.display().to_string()),
    );
    files.restore_file("sophia.toml", &text);
    let output = fails_to_start(files.serve());
    names(&output, &log, "cannot open");
}

// ---- at reload ----

/// The public and admin routers over `files`, as `serve` builds them.
struct Running {
    public: Router,
    admin: Router,
}

impl Running {
    fn new(files: &Files) -> Running {
        let source = files.source();
        let snapshot: Snapshot = source.build().unwrap();
        let codec = ContextCodec::new(b"faults");
        let live = LiveEngine::new(Engine::new(Arc::new(snapshot), codec.clone()));
        let reloader = Arc::new(Reloader::new(source, live.clone(), codec));
        Running {
            public: live_router(live, None),
            admin: admin_router(reloader),
        }
    }

    async fn reload(&self) -> (StatusCode, Value) {
        let request = Request::post("/admin/reload")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        call(&self.admin, request).await
    }

    /// The id of what the answer to `message` is about.
    async fn answer(&self, message: &str) -> String {
        let request = Request::post("/api/v1/chat")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"message": message}).to_string()))
            .unwrap();
        let (status, reply) = call(&self.public, request).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        reply["sources"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts that a reload is refused naming `file` and that the answers stay.
    async fn refuses(&self, file: &Path) {
        let (status, body) = self.reload().await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "invalid_content", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&file.display().to_string()),
            "the refusal names {}: {message}",
            file.display()
        );
        self.still_answers().await;
    }

    async fn still_answers(&self) {
        assert_eq!(self.answer("Was kostet ein Reisepass?").await, SERVICES[0]);
        assert_eq!(self.answer("Personalausweis beantragen").await, SERVICES[1]);
        assert_eq!(
            self.answer("Wie werde ich Sperrmüll los?").await,
            "sperrmuell"
        );
    }

    async fn reloads(&self) {
        let (status, body) = self.reload().await;
        assert_eq!(status, StatusCode::OK, "{body}");
        self.still_answers().await;
    }
}

async fn call(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn content_faults_at_reload_keep_the_running_content() {
    let files = Files::new("reload-content");
    let running = Running::new(&files);
    running.still_answers().await;
    let services = files.path("content/services_de.json");
    let good = std::fs::read_to_string(&services).unwrap();

    // Corrupt: cut in half.
    std::fs::write(&services, &good[..good.len() / 2]).unwrap();
    running.refuses(&services).await;
    // Unreadable: a folder where the file was.
    files.make_unreadable("content/services_de.json");
    running.refuses(&services).await;
    // Missing: the whole folder.
    files.restore_file("content/services_de.json", &good);
    let moved = files.path("content-moved");
    std::fs::rename(files.path("content"), &moved).unwrap();
    running.refuses(&files.path("content")).await;
    // Back in place, the next reload works.
    std::fs::rename(&moved, files.path("content")).unwrap();
    running.reloads().await;
}

#[tokio::test]
async fn configuration_faults_at_reload_keep_the_running_content() {
    let files = Files::new("reload-config");
    let running = Running::new(&files);
    let config = files.path("sophia.toml");
    let good = std::fs::read_to_string(&config).unwrap();

    files.restore_file("sophia.toml", &format!("{good}\n[server\n"));
    running.refuses(&config).await;
    files.restore_file(
        "sophia.toml",
        &good.replace("burst = 10000", "burst = \"viele\""),
    );
    running.refuses(&config).await;
    files.make_unreadable("sophia.toml");
    running.refuses(&config).await;
    std::fs::remove_dir(&config).unwrap();
    running.refuses(&config).await;

    files.restore_file("sophia.toml", &good);
    running.reloads().await;
}

#[tokio::test]
async fn pack_folder_faults_at_reload_keep_the_running_content() {
    let files = Files::new("reload-packs");
    let running = Running::new(&files);
    let pack = files.path("packs/lokal/answers.toml");
    let good = std::fs::read_to_string(&pack).unwrap();

    files.make_unreadable("packs/lokal/answers.toml");
    running.refuses(&pack).await;
    files.restore_file("packs/lokal/answers.toml", &good);
    let moved = files.path("packs-moved");
    std::fs::rename(files.path("packs"), &moved).unwrap();
    running.refuses(&files.path("packs")).await;

    std::fs::rename(&moved, files.path("packs")).unwrap();
    running.reloads().await;
}

// ---- while serving ----

/// A review log on a full disk: every answer is served, the failure logged once.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_under_the_review_log_costs_no_answer_and_is_logged_once() {
    use std::io::Write;
    use std::net::TcpStream;

    let files = Files::new("review-full");
    let text = std::fs::read_to_string(files.path("sophia.toml"))
        .unwrap()
        .replace("# log = \"review.jsonl\"", "log = \"/dev/full\"");
    files.restore_file("sophia.toml", &text);
    let mut child = files.serve().spawn().expect("sophia starts");
    let log = common::log_lines(&mut child);
    let mut lines = Vec::new();
    let addr = loop {
        let line = log
            .recv_timeout(Duration::from_secs(300))
            .expect("sophia logs where it listens");
        lines.push(line.clone());
        if let Some(addr) = common::listening_address(&line) {
            break addr;
        }
    };
    let post = |path: &str, body: Value| -> (u16, Value) {
        let body = body.to_string();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    };
    // Services this small catalogue lacks: fallbacks, each one a review record.
    let mut context = String::new();
    for question in [
        "Hundesteuer anmelden",
        "Baugenehmigung beantragen",
        "Fischereischein verlängern",
        "Hundesteuer abmelden",
        "Wohngeld beantragen",
    ] {
        let (status, reply) = post("/api/v1/chat", json!({ "message": question }));
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["kind"], "fallback", "{question}: {reply}");
        context = reply["context"].as_str().unwrap().to_string();
    }
    // An answer that did not help is a record too.
    let (status, reply) = post(
        "/api/v1/feedback",
        json!({"context": context, "helpful": false}),
    );
    assert_eq!(status, 204, "{reply}");
    // An ordinary answer, still.
    let (status, reply) = post(
        "/api/v1/chat",
        json!({"message": "Was kostet ein Reisepass?"}),
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["sources"][0]["id"], SERVICES[0]);

    let _ = child.kill();
    let _ = child.wait();
    lines.extend(log.iter());
    let failures: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("/dev/full") && l.contains("cannot write"))
        .collect();
    assert_eq!(failures.len(), 1, "{lines:#?}");
    assert!(failures[0].contains("ERROR"), "{}", failures[0]);
}
