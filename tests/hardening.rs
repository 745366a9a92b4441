//! Server hardening through the router, as clients and browsers meet it: origins and CORS,
//! the per-client rate limit behind trusted proxies, security headers, no cookies, metrics.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::{Value, json};
use sophia::config::Config;
use sophia::content::PackLibrary;
use sophia::dialog::ContextCodec;
use sophia::server::{
    AppState, ContentSource, LiveEngine, Reloader, SECURITY_HEADERS, admin_router, metrics_router,
    public_router,
};
use sophia::{Engine, Snapshot};
use tower::ServiceExt;

/// The shipped configuration with a tight rate limit (3 at once, then 1 a minute) and one
/// trusted proxy network.
fn config() -> Config {
    let text = sophia::config::SHIPPED_CONFIG
        .replace(
            "trusted_proxies = [\"127.0.0.1/32\", \"::1/128\"]",
            "trusted_proxies = [\"10.0.0.0/8\"]",
        )
        .replace("per_minute = 60", "per_minute = 1")
        .replace("burst = 20", "burst = 3");
    Config::parse("hardening.toml", &text).unwrap()
}

/// One engine for all tests (the catalogue is indexed once).
fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let shipped = Engine::shipped();
            let snapshot: Snapshot = shipped
                .snapshot()
                .with_layer(&PackLibrary::shipped(), config())
                .unwrap();
            Engine::new(Arc::new(snapshot), ContextCodec::new(b"hardening"))
        })
        .clone()
}

/// A fresh router: its own rate limiter and metrics.
fn app() -> (Router, AppState) {
    let state = AppState::new(LiveEngine::new(engine()), None);
    (public_router(state.clone()), state)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    text: String,
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

/// A chat request from the TCP peer `peer`, with extra headers.
fn chat(body: Value, peer: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post("/api/v1/chat")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    for (name, value) in extra {
        request.headers_mut().append(
            header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

fn question(tenant: &str) -> Value {
    json!({"message": "Was kostet ein Reisepass?", "tenant": tenant})
}

#[tokio::test]
async fn a_foreign_origin_is_refused_with_a_clear_error() {
    let (app, _) = app();
    let origin = [("origin", "https://evil.example")];
    let reply = send(&app, chat(question("muenchen"), "192.0.2.1", &origin)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    assert_eq!(reply.body["error"]["code"], "origin_not_allowed");
    let message = reply.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("https://evil.example") && message.contains("`muenchen`"),
        "{message}"
    );
    assert!(!reply.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn another_tenants_origin_is_refused() {
    let (app, _) = app();
    let origin = [("origin", "https://www.hessen.de")];
    let reply = send(&app, chat(question("kreis-basis"), "192.0.2.2", &origin)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    // Without a tenant, the default tenant's origins apply.
    let reply = send(
        &app,
        chat(
            json!({"message": "Reisepass"}),
            "192.0.2.2",
            &[("origin", "https://www.hessen.de")],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
}

#[tokio::test]
async fn an_allowed_origin_is_answered_with_cors_headers() {
    let (app, _) = app();
    let origin = [("origin", "https://www.hessen.de")];
    let reply = send(&app, chat(question("land-hessen"), "192.0.2.3", &origin)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "https://www.hessen.de"
    );
    assert!(
        !reply
            .headers
            .contains_key("access-control-allow-credentials")
    );
}

#[tokio::test]
async fn a_preflight_is_answered_for_allowed_origins_only() {
    let (app, _) = app();
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/v1/chat")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = send(&app, preflight("https://verwaltungsportal.hessen.de")).await;
    assert!(allowed.status.is_success(), "{}", allowed.status);
    assert_eq!(
        allowed.headers["access-control-allow-origin"],
        "https://verwaltungsportal.hessen.de"
    );
    let methods = allowed.headers["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = allowed.headers["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(headers.contains("content-type"), "{headers}");
    let foreign = send(&app, preflight("https://evil.example")).await;
    assert!(!foreign.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn requests_without_origin_and_from_the_same_host_are_allowed() {
    let (app, _) = app();
    let reply = send(&app, chat(question("kreis-voll"), "192.0.2.4", &[])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let same = [
        ("origin", "http://sophia.internal:8080"),
        ("host", "sophia.internal:8080"),
    ];
    let reply = send(&app, chat(question("kreis-voll"), "192.0.2.4", &same)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn feedback_from_a_foreign_origin_is_refused() {
    let (app, _) = app();
    let request = |origin: &str| {
        let mut request = Request::post("/api/v1/feedback")
            .header(header::CONTENT_TYPE, "application/json")
            .header("origin", origin)
            .body(Body::from(json!({"helpful": true}).to_string()))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo("192.0.2.5:1".parse::<SocketAddr>().unwrap()));
        request
    };
    let foreign = send(&app, request("https://evil.example")).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.text);
    let allowed = send(&app, request("https://stadt.muenchen.de")).await;
    assert_eq!(allowed.status, StatusCode::NO_CONTENT, "{}", allowed.text);
}

/// Sends `n` requests one after the other; their replies in order.
async fn burst(app: &Router, n: usize, request: impl Fn(usize) -> Request<Body>) -> Vec<Reply> {
    let mut replies = Vec::new();
    for i in 0..n {
        replies.push(send(app, request(i)).await);
    }
    replies
}

#[tokio::test]
async fn over_the_limit_a_client_gets_429_with_retry_after_and_a_json_error() {
    let (app, _) = app();
    let replies = burst(&app, 4, |_| chat(question("muenchen"), "198.51.100.1", &[])).await;
    for reply in &replies[..3] {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    let limited = &replies[3];
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.text
    );
    let retry: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "{retry}");
    assert_eq!(limited.body["error"]["code"], "rate_limited");
    assert!(
        limited.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("try again"))
    );
    // Another client is not affected.
    let other = send(&app, chat(question("muenchen"), "198.51.100.2", &[])).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
    // Pages and the widget are not rate-limited.
    let mut page = Request::get("/").body(Body::empty()).unwrap();
    page.extensions_mut()
        .insert(ConnectInfo("198.51.100.1:1".parse::<SocketAddr>().unwrap()));
    assert_eq!(send(&app, page).await.status, StatusCode::OK);
}

#[tokio::test]
async fn two_clients_behind_a_trusted_proxy_are_limited_separately() {
    let (app, _) = app();
    let via_proxy = |client: &str| {
        let client = client.to_string();
        move |_| {
            chat(
                question("muenchen"),
                "10.0.0.1",
                &[("x-forwarded-for", client.as_str())],
            )
        }
    };
    let first = burst(&app, 4, via_proxy("203.0.113.10")).await;
    assert_eq!(first[2].status, StatusCode::OK);
    assert_eq!(first[3].status, StatusCode::TOO_MANY_REQUESTS);
    // The second client behind the same proxy has its own budget.
    let second = burst(&app, 3, via_proxy("203.0.113.11")).await;
    assert!(
        second.iter().all(|r| r.status == StatusCode::OK),
        "{:?}",
        second.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    // `Forwarded` names clients as well.
    let forwarded = send(
        &app,
        chat(
            question("muenchen"),
            "10.0.0.1",
            &[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")],
        ),
    )
    .await;
    assert_eq!(forwarded.status, StatusCode::OK);
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_evade_the_limit() {
    let (app, _) = app();
    let replies = burst(&app, 5, |i| {
        let spoofed = format!("203.0.113.{}", 50 + i);
        chat(
            question("muenchen"),
            "198.51.100.9",
            &[
                ("x-forwarded-for", spoofed.as_str()),
                ("forwarded", &format!("for={spoofed}")),
            ],
        )
    })
    .await;
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Nor does a client behind the trusted proxy that writes its own header: the proxy
    // appends the real address, which is what counts.
    let replies = burst(&app, 4, |i| {
        let chain = format!("203.0.113.{}, 203.0.113.99", 150 + i);
        chat(
            question("muenchen"),
            "10.0.0.1",
            &[("x-forwarded-for", chain.as_str())],
        )
    })
    .await;
    assert_eq!(replies[3].status, StatusCode::TOO_MANY_REQUESTS);
}

fn assert_secure(reply: &Reply, what: &str) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(
            reply.headers.get(*name).map(|v| v.to_str().unwrap()),
            Some(*value),
            "{what}: {name}"
        );
    }
    assert!(!reply.headers.contains_key(header::SET_COOKIE), "{what}");
}

#[tokio::test]
async fn every_response_has_the_security_headers_and_no_cookie() {
    let (app, _) = app();
    let csp = SECURITY_HEADERS
        .iter()
        .find(|(name, _)| *name == "content-security-policy")
        .unwrap()
        .1;
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    let get = |uri: &str| {
        let mut request = Request::get(uri).body(Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo("192.0.2.77:1".parse::<SocketAddr>().unwrap()));
        request
    };
    for uri in [
        "/",
        "/?tenant=kreis-basis",
        "/?tenant=atlantis",
        "/health",
        "/widget/sophia.js",
        "/demo/demo.css",
        "/demo/demo.js",
        "/demo/theme.css?tenant=land-hessen",
        "/nope",
        "/api/v1/chat",
    ] {
        let reply = send(&app, get(uri)).await;
        assert_secure(&reply, uri);
    }
    let replies = burst(&app, 4, |_| chat(question("muenchen"), "192.0.2.78", &[])).await;
    assert_secure(&replies[0], "chat");
    assert_secure(&replies[3], "429");
    let foreign = send(
        &app,
        chat(
            question("muenchen"),
            "192.0.2.79",
            &[("origin", "https://evil.example")],
        ),
    )
    .await;
    assert_secure(&foreign, "403");
}

#[tokio::test]
async fn metrics_show_tenant_labelled_counters_after_a_chat() {
    let (router, state) = app();
    let reply = send(&router, chat(question("land-hessen"), "192.0.2.90", &[])).await;
    assert_eq!(reply.status, StatusCode::OK);
    let fallback = send(
        &router,
        chat(
            json!({"message": "Wer wird morgen Fußballmeister?", "tenant": "kreis-voll"}),
            "192.0.2.90",
            &[],
        ),
    )
    .await;
    assert_eq!(fallback.body["kind"], "fallback", "{}", fallback.text);
    let unknown = send(
        &router,
        chat(
            json!({"message": "Pass", "tenant": "atlantis"}),
            "192.0.2.90",
            &[],
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // `sophia serve` serves the metrics on the admin listener.
    let live = LiveEngine::new(engine());
    let reloader = Arc::new(Reloader::new(
        ContentSource::default(),
        live,
        ContextCodec::new(b"hardening"),
    ));
    let admin = admin_router(reloader).merge(metrics_router(state.metrics.clone()));
    let metrics = send(
        &admin,
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = &metrics.text;
    for line in [
        "sophia_answers_total{tenant=\"land-hessen\",kind=\"aspect\"} 1",
        "sophia_answers_total{tenant=\"kreis-voll\",kind=\"fallback\"} 1",
        "sophia_http_requests_total{tenant=\"land-hessen\",endpoint=\"/api/v1/chat\",status=\"200\"} 1",
        "sophia_http_requests_total{tenant=\"unknown\",endpoint=\"/api/v1/chat\",status=\"404\"} 1",
        "sophia_http_request_duration_seconds_count{tenant=\"land-hessen\",endpoint=\"/api/v1/chat\"} 1",
    ] {
        assert!(text.contains(line), "missing {line}:\n{text}");
    }
    assert!(
        text.contains("sophia_fallbacks_total{tenant=\"kreis-voll\",intent="),
        "{text}"
    );
    assert!(
        text.contains("sophia_http_request_duration_seconds_bucket{tenant=\"land-hessen\",endpoint=\"/api/v1/chat\",le="),
        "{text}"
    );
    // The tenant a client invents never becomes a label.
    assert!(!text.contains("atlantis"), "{text}");
    // Another router counts apart.
    let (_, other) = app();
    assert!(!other.metrics.render().contains("sophia_answers_total"));
}
