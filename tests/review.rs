//! Review of unanswered questions through the HTTP API: what is recorded, redacted, and how
//! the report groups it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sophia::Engine;
use sophia::review::ReviewLog;
use sophia::review::report::{self, Filter};
use tower::ServiceExt;

/// One engine for all tests: a context is only valid for the engine (key) that signed it.
fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::shipped).clone()
}

/// A router writing its review log to a fresh temporary folder.
struct App {
    router: Router,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("review.jsonl");
    let review = Arc::new(ReviewLog::open(&log, 30).unwrap());
    App {
        router: sophia::server::router_with_review(engine(), Some(review)),
        log,
        _dir: dir,
    }
}

impl App {
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, "Mozilla/5.0 (Testbrowser 99)")
            .header("x-forwarded-for", "203.0.113.77")
            .header(header::COOKIE, "session=geheim-4711")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, body)
    }

    async fn chat(&self, message: &str, context: Option<&str>) -> Value {
        let mut body = json!({"message": message});
        if let Some(context) = context {
            body["context"] = json!(context);
        }
        let (status, reply) = self.post("/api/v1/chat", body).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        reply
    }

    async fn feedback(&self, reply: &Value, helpful: bool, comment: Option<&str>) {
        let mut body = json!({"context": reply["context"], "helpful": helpful});
        if let Some(comment) = comment {
            body["comment"] = json!(comment);
        }
        let (status, answer) = self.post("/api/v1/feedback", body).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    }

    fn raw(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    fn records(&self) -> Vec<Value> {
        records(&self.log)
    }
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const FALLBACK: &str =
    "Wie melde ich meinen Hund an? Meine Mail ist max.muster@web.de, Tel. 0171 1234567";

#[tokio::test]
async fn a_fallback_is_recorded_redacted_and_without_anything_about_the_client() {
    let app = app();
    let reply = app.chat(FALLBACK, None).await;
    assert_eq!(reply["kind"], "fallback");
    let records = app.records();
    assert_eq!(records.len(), 1, "{}", app.raw());
    let record = &records[0];
    assert_eq!(
        record["text"],
        "Wie melde ich meinen Hund an? Meine Mail ist [E-Mail], Tel. [Telefon]"
    );
    assert_eq!(record["tenant"], "muenchen");
    assert_eq!(record["kind"], "fallback");
    assert_eq!(record["reply_kind"], "fallback");
    assert!(record["nearest"].is_null());
    let mut keys: Vec<&String> = record.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "comment",
            "kind",
            "nearest",
            "reply_kind",
            "tenant",
            "text",
            "time"
        ]
    );
    let raw = app.raw();
    for secret in [
        "max.muster",
        "web.de",
        "1234567",
        "203.0.113.77",
        "Mozilla",
        "Testbrowser",
        "geheim",
        "context",
    ] {
        assert!(!raw.contains(secret), "{secret} in {raw}");
    }
    let time = record["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z'),
        "RFC 3339 UTC to the second: {time}"
    );
}

#[tokio::test]
async fn answers_small_talk_and_off_topic_questions_are_not_recorded() {
    let app = app();
    for message in [
        "Was kostet ein Reisepass?",
        "hallo",
        "Wie wird das Wetter morgen?",
    ] {
        let reply = app.chat(message, None).await;
        assert_ne!(
            (reply["kind"].as_str(), reply["intent"]["name"].as_str()),
            (Some("fallback"), Some("service_search")),
            "{message}"
        );
    }
    assert_eq!(app.raw(), "");
}

#[tokio::test]
async fn negative_feedback_records_the_question_and_the_answer_it_got() {
    let app = app();
    let reply = app
        .chat("Was kostet ein Reisepass? Tel. 0171 1234567", None)
        .await;
    assert_eq!(reply["sources"][0]["title"], "Reisepass");
    app.feedback(
        &reply,
        false,
        Some("Stimmt nicht, geboren am 4.12.1980, Mail max@web.de"),
    )
    .await;
    let records = app.records();
    assert_eq!(records.len(), 1, "{}", app.raw());
    let record = &records[0];
    assert_eq!(record["kind"], "negative_feedback");
    assert_eq!(record["reply_kind"], "aspect");
    assert_eq!(record["tenant"], "muenchen");
    assert_eq!(record["text"], "Was kostet ein Reisepass? Tel. [Telefon]");
    assert_eq!(record["nearest"]["id"], "1063453");
    assert_eq!(record["nearest"]["title"], "Reisepass");
    assert!(record["nearest"]["score"].is_number());
    assert_eq!(
        record["comment"],
        "Stimmt nicht, geboren am [Datum], Mail [E-Mail]"
    );
    let raw = app.raw();
    for secret in ["1234567", "1980", "max@"] {
        assert!(!raw.contains(secret), "{secret} in {raw}");
    }
}

#[tokio::test]
async fn positive_feedback_and_feedback_on_small_talk_record_nothing() {
    let app = app();
    let reply = app.chat("Reisepass", None).await;
    app.feedback(&reply, true, Some("super")).await;
    let hello = app.chat("hallo", None).await;
    app.feedback(&hello, false, None).await;
    // Feedback without a context, or with a forged one, has no question to record.
    let (status, _) = app
        .post("/api/v1/feedback", json!({"helpful": false}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post(
            "/api/v1/feedback",
            json!({"helpful": false, "context": "eyJ2IjoieCJ9.AAAA"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.raw(), "");
}

#[tokio::test]
async fn a_choice_picked_keeps_the_original_question() {
    let app = app();
    let clarify = app.chat("Beglaubigung", None).await;
    assert_eq!(clarify["kind"], "clarify");
    let context = clarify["context"].as_str().unwrap();
    let picked = app.chat("2", Some(context)).await;
    assert_eq!(picked["kind"], "service");
    app.feedback(&picked, false, None).await;
    let records = app.records();
    assert_eq!(records[0]["text"], "Beglaubigung");
    assert_eq!(records[0]["reply_kind"], "service");
    assert_eq!(
        records[0]["nearest"]["title"],
        picked["sources"][0]["title"]
    );
}

#[tokio::test]
async fn the_report_groups_what_was_recorded() {
    let app = app();
    app.chat(FALLBACK, None).await;
    app.chat("Wie melde ich meinen Hund an? 089 233-96000", None)
        .await;
    app.chat("Wie melde ich meinen Hund an? max@web.de", None)
        .await;
    app.chat("Wo kann ich mein Segelboot registrieren?", None)
        .await;
    let reply = app.chat("Was kostet ein Reisepass?", None).await;
    app.feedback(&reply, false, Some("zu teuer")).await;
    app.feedback(&reply, true, None).await;
    std::fs::write(app.log.with_file_name("other.jsonl"), "kaputte Zeile\n").unwrap();

    let files = [app.log.clone(), app.log.with_file_name("other.jsonl")];
    let report = report::unanswered(&files, &Filter::default()).unwrap();
    assert_eq!(report.records, 5);
    assert_eq!(report.bad_lines.len(), 1);
    assert!(
        report.bad_lines[0].to_string().contains("other.jsonl:1: "),
        "{}",
        report.bad_lines[0]
    );
    let counts: Vec<(usize, usize, usize)> = report
        .groups
        .iter()
        .map(|g| (g.count, g.fallbacks, g.negative_feedback))
        .collect();
    // The two dog questions without e-mail and "Tel." ask the same; placeholders do not count.
    assert_eq!(counts, [(2, 2, 0), (1, 0, 1), (1, 1, 0), (1, 1, 0)]);
    let dog = &report.groups[0];
    assert_eq!(dog.tokens, ["hund", "meld"]);
    assert_eq!(dog.example, "Wie melde ich meinen Hund an? [E-Mail]");
    assert!(dog.nearest.is_none());
    let passport = &report.groups[1];
    assert_eq!(passport.nearest.as_deref(), Some("Reisepass"));
    assert_eq!(passport.comments, ["zu teuer"]);
    let table = report.render();
    assert!(
        table.contains("Reisepass") && table.contains("Segelboot"),
        "{table}"
    );

    let other_tenant = Filter {
        tenant: Some("augsburg".into()),
        since: None,
    };
    let report = report::unanswered(&files, &other_tenant).unwrap();
    assert_eq!((report.records, report.filtered_out), (0, 5));
}
