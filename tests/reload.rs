//! Hot reload through the admin endpoint: tokens, an atomic swap under load, and broken
//! content that leaves every answer unchanged.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sophia::dialog::ContextCodec;
use sophia::server::{ContentSource, LiveEngine, Reloader, admin_router, live_router};
use sophia::{Engine, config::SHIPPED_CONFIG};
use tower::ServiceExt;

const TOKEN: &str = "test-token-0123456789";
const EDITOR_TOKEN: &str = "editor-token-0123456789";

const SPERRMUELL: &str = r#"
[[answer]]
id = "sperrmuell"
questions = ["Wie werde ich Sperrmüll los?", "sperrmüll abholen lassen"]
answer = "Sperrmüll holt der Abfallwirtschaftsbetrieb ab."
"#;

struct Setup {
    dir: PathBuf,
    public: Router,
    admin: Router,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let dir = std::env::temp_dir().join(format!("sophia-reload-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("packs/lokal")).unwrap();
        std::fs::write(dir.join("packs/lokal/a.toml"), "").unwrap();
        let config = SHIPPED_CONFIG
            .replace(
                "packs = [\"muenchen\"]",
                &format!("packs = [\"lokal\"]\nadmin_token = \"{EDITOR_TOKEN}\""),
            )
            .replace(
                "[context]",
                &format!("[admin]\ntoken = \"{TOKEN}\"\n\n[context]"),
            );
        std::fs::write(dir.join("sophia.toml"), config).unwrap();
        let source = ContentSource {
            config: Some(dir.join("sophia.toml")),
            content: None,
            packs: Some(dir.join("packs")),
            built: None,
        };
        let codec = ContextCodec::new(b"reload-test");
        let snapshot = source.build().unwrap();
        let live = LiveEngine::new(Engine::new(Arc::new(snapshot), codec.clone()));
        let reloader = Arc::new(Reloader::new(source, live.clone(), codec));
        Setup {
            public: live_router(live, None),
            admin: admin_router(reloader),
            dir,
        }
    }

    fn write_pack(&self, text: &str) {
        std::fs::write(self.dir.join("packs/lokal/a.toml"), text).unwrap();
    }

    async fn reload(&self, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::post("/admin/reload");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        call(&self.admin, request.body(Body::empty()).unwrap()).await
    }

    async fn ask(&self, message: &str) -> Value {
        let request = Request::post("/api/v1/chat")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"message": message}).to_string()))
            .unwrap();
        let (status, body) = call(&self.public, request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
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

fn path(setup: &Setup, file: &str) -> String {
    Path::new(&setup.dir).join(file).display().to_string()
}

#[tokio::test]
async fn reload_needs_a_valid_bearer_token() {
    let setup = Setup::new("tokens");
    let (status, body) = setup.reload(None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = setup.reload(Some("wrong-token-0123456789")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = setup.reload(Some(EDITOR_TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = setup.reload(Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reload"]["catalogue_rebuilt"], false);
}

#[tokio::test]
async fn a_new_answer_is_served_after_a_reload() {
    let setup = Setup::new("new");
    assert_ne!(
        setup.ask("Wie werde ich Sperrmüll los?").await["kind"],
        "custom"
    );
    setup.write_pack(SPERRMUELL);
    let (status, body) = setup.reload(Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reply = setup.ask("Wie werde ich Sperrmüll los?").await;
    assert_eq!(reply["kind"], "custom", "{reply}");
    assert_eq!(reply["sources"][0]["id"], "sperrmuell");
}

#[tokio::test]
async fn a_broken_pack_leaves_every_answer_unchanged() {
    let setup = Setup::new("broken");
    setup.write_pack(SPERRMUELL);
    assert_eq!(setup.reload(Some(TOKEN)).await.0, StatusCode::OK);
    let questions = [
        "Wie werde ich Sperrmüll los?",
        "Was kostet ein Reisepass?",
        "perso verloren",
        "hallo",
        "wie wird das wetter morgen",
    ];
    let mut before = Vec::new();
    for q in questions {
        before.push(setup.ask(q).await["text"].clone());
    }
    setup.write_pack(&format!(
        "{SPERRMUELL}\n[[answer]]\nid = \"kaputt\"\nquestions = []\nanswer = \"\"\n"
    ));
    let (status, body) = setup.reload(Some(TOKEN)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_content");
    let message = body["error"]["message"].as_str().unwrap();
    let file = path(&setup, "packs/lokal/a.toml");
    assert!(
        message.contains(&format!("{file}:9:13: `questions` is empty")),
        "{message}"
    );
    assert!(
        message.contains(&format!("{file}:10:10: `answer` is empty")),
        "{message}"
    );
    for (q, old) in questions.iter().zip(&before) {
        assert_eq!(&setup.ask(q).await["text"], old, "{q}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reload_under_load_loses_no_request() {
    let setup = Arc::new(Setup::new("load"));
    let mut clients = Vec::new();
    for client in 0..50 {
        let setup = Arc::clone(&setup);
        clients.push(tokio::spawn(async move {
            let mut kinds = Vec::new();
            for turn in 0..10 {
                let message = if (client + turn) % 2 == 0 {
                    "Wie werde ich Sperrmüll los?"
                } else {
                    "Was kostet ein Reisepass?"
                };
                let request = Request::post("/api/v1/chat")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(json!({"message": message}).to_string()))
                    .unwrap();
                let (status, body) = call(&setup.public, request).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                kinds.push(body["kind"].as_str().unwrap().to_string());
            }
            kinds
        }));
    }
    for round in 0..6 {
        setup.write_pack(if round % 2 == 0 { SPERRMUELL } else { "" });
        let (status, body) = setup.reload(Some(TOKEN)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mut answered = 0;
    for client in clients {
        answered += client.await.expect("no client panicked").len();
    }
    assert_eq!(answered, 500);
    // The last reload left the pack empty: no custom answer any more.
    assert_ne!(
        setup.ask("Wie werde ich Sperrmüll los?").await["kind"],
        "custom"
    );
}

#[tokio::test]
async fn health_names_the_packs_version_that_changes_with_a_reload() {
    let setup = Setup::new("health");
    let health = |app: Router| async move {
        call(&app, Request::get("/health").body(Body::empty()).unwrap())
            .await
            .1
    };
    let before = health(setup.public.clone()).await;
    setup.write_pack(SPERRMUELL);
    setup.reload(Some(TOKEN)).await;
    let after = health(setup.public.clone()).await;
    assert_eq!(before["version"], after["version"]);
    assert_ne!(before["packs_version"], after["packs_version"]);
    assert_eq!(
        health(setup.admin.clone()).await["packs_version"],
        after["packs_version"]
    );
}

/// A packs reload beside an export folder reads neither the catalogue nor indexes it again;
/// a changed export file is read and indexed on the next reload.
#[tokio::test]
async fn an_unchanged_export_folder_is_not_read_again() {
    let setup = Setup::new("export");
    let export = setup.dir.join("export");
    std::fs::create_dir_all(&export).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/muenchen");
    for file in ["services_de.json", "locations_de.json"] {
        std::fs::copy(shipped.join(file), export.join(file)).unwrap();
    }
    let source = ContentSource {
        config: Some(setup.dir.join("sophia.toml")),
        content: Some(export.clone()),
        packs: Some(setup.dir.join("packs")),
        built: None,
    };
    let codec = ContextCodec::new(b"reload-test");
    let snapshot = source.build().unwrap();
    let live = LiveEngine::new(Engine::new(Arc::new(snapshot), codec.clone()));
    let reloader = Arc::new(Reloader::new(source, live.clone(), codec));
    let version = live.current().snapshot().version().to_string();

    setup.write_pack(SPERRMUELL);
    let reloaded = reloader.reload("test").await.unwrap();
    assert!(!reloaded.catalogue_rebuilt);
    assert_eq!(reloaded.version, version);

    // An editor of the export renames a service: the next reload sees it.
    let services = export.join("services_de.json");
    let text = std::fs::read_to_string(&services).unwrap();
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["data"][0]["name"] = json!("Umbenannte Leistung");
    std::fs::write(&services, json.to_string()).unwrap();
    let reloaded = reloader.reload("test").await.unwrap();
    assert!(reloaded.catalogue_rebuilt);
    assert_ne!(reloaded.version, version);
}
