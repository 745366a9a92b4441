//! The HTTP contract of DESIGN.md, exercised through the router as a client would.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use std::sync::OnceLock;

use serde_json::{Value, json};
use sophia::Engine;
use tower::ServiceExt;

/// One engine for all tests: building it once keeps the suite fast, and a context from one
/// reply is only valid for the engine (key) that signed it.
fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::shipped).clone()
}

async fn call(request: Request<Body>) -> (StatusCode, Value) {
    let app = sophia::server::router(engine());
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, body)
}

fn chat(body: impl Into<Body>) -> Request<Body> {
    Request::post("/api/v1/chat")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn a_question_gets_a_reply_with_every_contract_field() {
    let (status, body) = call(chat(
        json!({"message": "Was kostet ein Reisepass?"}).to_string(),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["kind"], "aspect");
    assert_eq!(body["aspect"], "fees");
    assert_eq!(body["intent"]["name"], "service_search");
    assert!(body["intent"]["confidence"].as_f64().is_some());
    assert_eq!(body["sources"][0]["type"], "service");
    assert_eq!(body["sources"][0]["id"], "1063453");
    assert_eq!(body["sources"][0]["updated"], "2026-06-08");
    assert!(
        body["sources"][0]["attribution"]
            .as_str()
            .unwrap()
            .contains("CC BY 4.0")
    );
    assert!(body["text"].as_str().unwrap().contains("Euro"));
    assert!(body["html"].as_str().unwrap().contains("<"));
    assert!(body["offices"].is_array() && body["suggestions"].is_array());
    assert!(body["context"].as_str().is_some_and(|c| !c.is_empty()));
}

#[tokio::test]
async fn the_context_carries_a_follow_up() {
    let (_, first) = call(chat(json!({"message": "Reisepass"}).to_string())).await;
    let context = first["context"].as_str().unwrap();
    let (status, second) = call(chat(
        json!({"message": "Und wo mache ich das?", "context": context}).to_string(),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        second["sources"][0]["id"], first["sources"][0]["id"],
        "{second}"
    );
    assert_eq!(second["aspect"], "location");
    assert!(!second["offices"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn off_topic_questions_get_an_honest_fallback_with_a_way_on() {
    let (status, body) = call(chat(
        json!({"message": "Wer wird morgen Fußballmeister?"}).to_string(),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["kind"], "fallback", "{body}");
    assert!(body["text"].as_str().unwrap().contains("115"));
    assert_eq!(body["sources"], json!([]));
}

#[tokio::test]
async fn a_tampered_context_is_ignored_not_an_error() {
    let (status, body) = call(chat(
        json!({"message": "Reisepass", "context": "eyJ2IjoiMSJ9.forged"}).to_string(),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn invalid_json_is_a_400() {
    let (status, body) = call(chat("{\"message\": ")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_json");
}

#[tokio::test]
async fn a_missing_message_names_the_field() {
    let (status, body) = call(chat(json!({"tenant": "muenchen"}).to_string())).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("message")
    );
}

#[tokio::test]
async fn an_empty_message_is_a_400() {
    let (status, body) = call(chat(json!({"message": "   "}).to_string())).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "empty_message");
}

#[tokio::test]
async fn a_message_over_2000_characters_is_a_400() {
    let long = "ä".repeat(2001);
    let (status, body) = call(chat(json!({"message": long}).to_string())).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "message_too_long");
}

#[tokio::test]
async fn a_message_of_exactly_2000_characters_is_answered() {
    let (status, _) = call(chat(json!({"message": "pass ".repeat(400)}).to_string())).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_huge_body_is_a_413() {
    let (status, body) = call(chat(json!({"message": "x".repeat(100_000)}).to_string())).await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
}

#[tokio::test]
async fn a_wrong_content_type_is_a_415() {
    let request = Request::post("/api/v1/chat")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{\"message\": \"Pass\"}"))
        .unwrap();
    let (status, body) = call(request).await;
    assert_error(
        status,
        &body,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
}

#[tokio::test]
async fn an_unknown_tenant_is_a_404() {
    let (status, body) = call(chat(
        json!({"message": "Pass", "tenant": "atlantis"}).to_string(),
    ))
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_tenant");
}

#[tokio::test]
async fn a_wrongly_typed_field_is_a_422() {
    let (status, body) = call(chat(json!({"message": 42}).to_string())).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );
}

#[tokio::test]
async fn health_names_the_content_version() {
    let (status, body) = call(Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["version"].as_str().is_some_and(|v| !v.is_empty()));
}

#[tokio::test]
async fn feedback_is_a_204() {
    let request = Request::post("/api/v1/feedback")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"helpful": true, "comment": "danke"}).to_string(),
        ))
        .unwrap();
    let (status, _) = call(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn unknown_paths_are_a_json_404() {
    let (status, body) = call(Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_demo_page_and_widget_are_served() {
    let app = sophia::server::router(engine());
    let page = app
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = to_bytes(page.into_body(), 1 << 20).await.unwrap();
    // Relative, so the page also works behind a reverse proxy under a path.
    assert!(String::from_utf8_lossy(&page).contains("src=\"widget/sophia.js\""));
    let js = app
        .oneshot(
            Request::get("/widget/sophia.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(
        js.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let (status, body) = call(Request::get("/api/v1/chat").body(Body::empty()).unwrap()).await;
    assert_error(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_a_422() {
    let (status, body) = call(chat(json!(["Reisepass"]).to_string())).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );
}

#[tokio::test]
async fn a_message_of_invisible_characters_is_empty() {
    for message in ["\u{200b}\u{200b}", "\u{0}", "\u{202e}\u{feff}"] {
        let (status, body) = call(chat(json!({ "message": message }).to_string())).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "empty_message");
    }
}

#[tokio::test]
async fn a_mistyped_optional_field_is_named() {
    let (status, body) = call(chat(json!({"message": "Pass", "context": 5}).to_string())).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`context`")
    );
}

async fn turn(message: &str, context: Option<&str>) -> Value {
    let mut request = json!({ "message": message });
    if let Some(context) = context {
        request["context"] = json!(context);
    }
    let (status, body) = call(chat(request.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn an_unrelated_question_is_no_follow_up() {
    let first = turn("Reisepass", None).await;
    for unrelated in ["was kostet ein Kaffee", "wo gibt es gutes Eis?"] {
        let reply = turn(unrelated, first["context"].as_str()).await;
        assert_eq!(reply["kind"], "fallback", "{unrelated}: {reply}");
    }
}

#[tokio::test]
async fn the_context_survives_an_unrelated_question() {
    let first = turn("Reisepass", None).await;
    let detour = turn("was kostet ein Kaffee", first["context"].as_str()).await;
    let back = turn("und wo mache ich das?", detour["context"].as_str()).await;
    assert_eq!(back["sources"][0]["id"], "1063453", "{back}");
}

#[tokio::test]
async fn a_choice_is_picked_by_ordinal_word_or_distinguishing_word() {
    let clarify = turn("Führerschein umschreiben", None).await;
    assert_eq!(clarify["kind"], "clarify", "{clarify}");
    let choices: Vec<&str> = clarify["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let context = clarify["context"].as_str();
    for (message, index) in [("die zweite", 1), ("Nummer 1", 0), ("2", 1)] {
        let reply = turn(message, context).await;
        assert_eq!(
            reply["sources"][0]["id"], choices[index],
            "{message}: {reply}"
        );
    }
    let eu = turn("EU", context).await;
    assert_eq!(eu["sources"][0]["id"], "1071944", "{eu}");
}

#[tokio::test]
async fn near_duplicate_variants_get_a_clarify() {
    let reply = turn("Beglaubigung von Zeugnissen", None).await;
    assert_eq!(reply["kind"], "clarify", "{reply}");
    let three = turn("3 Zeugnisse beglaubigen", None).await;
    assert_eq!(three["sources"][0]["id"], "1063426", "{three}");
}
