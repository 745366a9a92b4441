//! Tenants: the shipped example portals, what a `basic` tenant answers, configuration
//! mistakes named by tenant and field, and the demo page rendered per tenant.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use sophia::config::{Config, SHIPPED_CONFIG, Skills};
use sophia::content::PackLibrary;
use sophia::dialog::ContextCodec;
use sophia::{ChatRequest, Engine, Reply, ReplyKind};
use tower::ServiceExt;

#[test]
fn the_shipped_tenants_are_the_example_portals() {
    let config = Config::shipped();
    let ids: Vec<&str> = config.tenants.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "muenchen",
            "land-hessen",
            "ozg-hessen",
            "kreis-voll",
            "kreis-basis"
        ]
    );
    assert_eq!(config.default_tenant, "muenchen");
    for tenant in &config.tenants {
        assert!(tenant.contact.contains("115"), "{}", tenant.id);
        assert!(tenant.region.is_some(), "{}", tenant.id);
        assert!(tenant.privacy_url.is_some() && tenant.accessibility_url.is_some());
        assert!(!tenant.origins.is_empty(), "{}", tenant.id);
        let expected = if tenant.id == "kreis-basis" {
            Skills::Basic
        } else {
            Skills::Full
        };
        assert_eq!(tenant.skills, expected, "{}", tenant.id);
    }
}

/// A full and a basic tenant on the same packs, one of which has custom answers.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = Config::parse(
            "tenants.toml",
            r#"
default_tenant = "voll"

[[tenant]]
id = "voll"
name = "Kreis (Vollversion)"
contact = "Rufen Sie die 115 an."
contact_url = "https://kreis.example/kontakt"
packs = ["muenchen", "landkreis"]

[[tenant]]
id = "basis"
name = "Kreis (Basisversion)"
contact = "Rufen Sie die 115 an."
contact_url = "https://kreis.example/kontakt"
packs = ["muenchen", "landkreis"]
skills = "basic"
"#,
        )
        .unwrap();
        let fixtures = PackLibrary::load(Path::new("tests/fixtures/packs")).unwrap();
        let shipped = PackLibrary::shipped();
        let library = PackLibrary::from_packs(
            shipped
                .names()
                .chain(fixtures.names())
                .map(|n| shipped.get(n).or(fixtures.get(n)).unwrap().clone()),
        );
        let snapshot = Engine::shipped()
            .snapshot()
            .with_layer(&library, config)
            .unwrap();
        Engine::new(Arc::new(snapshot), ContextCodec::new(b"tenants"))
    })
}

fn ask(tenant: &str, message: &str) -> Reply {
    engine().respond(&ChatRequest {
        message: message.into(),
        tenant: Some(tenant.into()),
        ..Default::default()
    })
}

#[test]
fn a_basic_tenant_gets_no_small_talk_but_a_service_oriented_answer() {
    for message in [
        "Hallo",
        "Erzähl mir einen Witz",
        "Wer bist du?",
        "Danke!",
        "Wie geht es dir?",
    ] {
        let full = ask("voll", message);
        assert_eq!(full.kind, ReplyKind::Smalltalk, "{message}: {}", full.text);
        let basic = ask("basis", message);
        assert_eq!(basic.kind, ReplyKind::Fallback, "{message}: {}", basic.text);
        assert!(
            basic.text.contains("Fragen zu Leistungen") && basic.text.contains("115"),
            "{message}: {}",
            basic.text
        );
        // The intent is still reported (for logs and metrics).
        assert_eq!(basic.intent.name, full.intent.name, "{message}");
        assert!(basic.suggestions.is_empty() && basic.sources.is_empty());
    }
}

#[test]
fn a_basic_tenant_gets_no_custom_answer() {
    let full = ask("voll", "wann hat der wertstoffhof offen");
    assert_eq!(full.kind, ReplyKind::Custom, "{}", full.text);
    let basic = ask("basis", "wann hat der wertstoffhof offen");
    assert_ne!(basic.kind, ReplyKind::Custom, "{}", basic.text);
    assert!(basic.sources.iter().all(|s| s.kind != "custom"));
}

#[test]
fn a_basic_tenant_answers_services_like_a_full_one() {
    let full = ask("voll", "Was kostet ein Reisepass?");
    let basic = ask("basis", "Was kostet ein Reisepass?");
    assert_eq!(basic.kind, ReplyKind::Aspect, "{}", basic.text);
    assert_eq!(basic.sources[0].id, full.sources[0].id);
    // The packs' citizens' questions for services still help a basic tenant.
    let basic = ask(
        "basis",
        "ich will mich selbstständig machen, was muss ich anmelden",
    );
    assert_eq!(basic.sources[0].id, "1063423", "{}", basic.text);
}

/// The shipped configuration with the first occurrence of `from` replaced by `to`.
fn shipped_with(from: &str, to: &str) -> String {
    assert!(SHIPPED_CONFIG.contains(from), "{from}");
    let error = Config::parse("sophia.toml", &SHIPPED_CONFIG.replacen(from, to, 1))
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("sophia.toml"), "{error}");
    error
}

#[test]
fn configuration_mistakes_name_the_tenant_and_the_field() {
    for (from, to, expected) in [
        (
            "region = \"091620000000\"",
            "region = \"09162\"",
            "tenant `muenchen`: region must be an Amtlicher Regionalschlüssel of 12 digits",
        ),
        (
            "theme = { accent = \"#1a4b8c\"",
            "theme = { accent = \"blau\"",
            "tenant `land-hessen`: theme.accent must be a colour",
        ),
        (
            "accent = \"#3d3d3d\", accent_text = \"#ffffff\"",
            "accent = \"#3d3d3d\", accent_text = \"#444444\"",
            "tenant `kreis-basis`: theme.accent_text #444444 on #3d3d3d has a contrast of",
        ),
        (
            "origins = [\"https://verwaltungsportal.hessen.de\"]",
            "origins = [\"https://verwaltungsportal.hessen.de/\"]",
            "tenant `ozg-hessen`: origins[0] must be an origin",
        ),
        (
            "privacy_url = \"https://www.kreis-voll.example/datenschutz\"",
            "privacy_url = \"datenschutz.html\"",
            "tenant `kreis-voll`: privacy_url must be",
        ),
        (
            "accessibility_url = \"https://www.hessen.de/barrierefreiheit\"",
            "accessibility_url = \"javascript:alert(1)\"",
            "tenant `land-hessen`: accessibility_url must be",
        ),
        (
            "id = \"kreis-voll\"",
            "id = \"Kreis Voll\"",
            "tenant `Kreis Voll`: id must be",
        ),
        (
            "trusted_proxies = [\"127.0.0.1/32\", \"::1/128\"]",
            "trusted_proxies = [\"127.0.0.1/32\", \"proxy.intern\"]",
            "server.trusted_proxies[1] must be an address or a CIDR",
        ),
        (
            "burst = 20",
            "burst = 0",
            "server.rate_limit.burst must be between 1 and 10000, found 0",
        ),
    ] {
        let error = shipped_with(from, to);
        assert!(error.contains(expected), "{to}: {error}");
    }
    // Unknown skills are named with their line.
    let error = shipped_with("skills = \"basic\"", "skills = \"mini\"");
    assert!(
        error.contains("skills") && error.contains("mini") && error.contains("`basic`"),
        "{error}"
    );
}

async fn get(uri: &str) -> (StatusCode, String, String) {
    let app = sophia::server::router(shipped());
    let response = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let kind = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, kind, String::from_utf8_lossy(&body).into_owned())
}

/// The shipped engine, built once for all tests.
fn shipped() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::shipped).clone()
}

#[tokio::test]
async fn the_demo_page_embeds_the_widget_with_the_chosen_tenants_settings() {
    let (status, kind, page) = get("/?tenant=land-hessen").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"));
    for attribute in [
        r#"src="widget/sophia.js""#,
        r#"data-tenant="land-hessen""#,
        r#"data-title="Land Hessen""#,
        r#"data-endpoint=".""#,
        r#"data-privacy-url="https://www.hessen.de/datenschutz""#,
        r#"data-accessibility-url="https://www.hessen.de/barrierefreiheit""#,
        r##"data-color-primary="#1a4b8c""##,
        r##"data-color-on-primary="#ffffff""##,
        r#"data-greeting="Willkommen beim Landesportal Hessen!"#,
    ] {
        assert!(page.contains(attribute), "missing {attribute}");
    }
    // The switch links every example tenant and marks the current one.
    for id in [
        "muenchen",
        "land-hessen",
        "ozg-hessen",
        "kreis-voll",
        "kreis-basis",
    ] {
        assert!(page.contains(&format!("href=\"?tenant={id}\"")), "{id}");
    }
    assert!(page.contains(r#"href="?tenant=land-hessen" aria-current="page">Land Hessen</a>"#));
    // Nothing inline: the page works under the strict CSP.
    assert!(!page.contains("<style") && !page.contains(" style="));
    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script src=").count()
    );
    // Without a tenant: the default tenant.
    let (status, _, page) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"data-tenant="muenchen""#));
}

#[tokio::test]
async fn an_unknown_demo_tenant_is_a_404_page() {
    let (status, kind, page) = get("/?tenant=%3Cscript%3Eatlantis").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(kind.starts_with("text/html"));
    assert!(page.contains("&lt;script&gt;atlantis") && !page.contains("<script>atlantis"));
    assert!(page.contains("href=\"?tenant=kreis-basis\""));
    let (status, _, _) = get("/demo/theme.css?tenant=atlantis").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_demo_files_and_the_theme_are_served() {
    let (status, kind, css) = get("/demo/demo.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/css"), "{kind}");
    assert!(css.contains(".topbar"));
    let (status, kind, js) = get("/demo/demo.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/javascript"), "{kind}");
    assert!(js.contains("Sophia.send"));
    let (status, _, theme) = get("/demo/theme.css?tenant=kreis-voll").await;
    assert_eq!(status, StatusCode::OK);
    assert!(theme.contains("--sophia-primary: #7a1e1e;"), "{theme}");
}

#[test]
fn tenants_with_the_same_packs_share_one_question_index() {
    let engine = shipped();
    let layer = &engine.snapshot().layer;
    assert!(std::ptr::eq(
        layer.questions("muenchen"),
        layer.questions("kreis-basis")
    ));
    // A missing pack is still named for every tenant that uses it.
    let config = SHIPPED_CONFIG.replace("packs = [\"muenchen\"]", "packs = [\"fehlt\"]");
    let config = Config::parse("sophia.toml", &config).unwrap();
    let error = engine
        .snapshot()
        .with_layer(&PackLibrary::shipped(), config)
        .unwrap_err()
        .to_string();
    for id in ["muenchen", "land-hessen", "kreis-basis"] {
        assert!(
            error.contains(&format!("tenant `{id}` uses pack `fehlt`")),
            "{error}"
        );
    }
}
