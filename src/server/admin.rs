//! The admin listener: `POST /admin/reload` behind bearer tokens, and `GET /health`.
//!
//! It listens on its own address (loopback by default), apart from the public API.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::reload::Reloader;

/// The admin router over `reloader`. Tokens are read from the configuration being served
/// (and the environment) on every request, so a reload can change them.
///
/// ```
/// use std::sync::Arc;
/// use sophia::server::{ContentSource, LiveEngine, Reloader, admin_router};
/// let live = LiveEngine::new(sophia::Engine::shipped());
/// let codec = sophia::dialog::ContextCodec::random();
/// let app = admin_router(Arc::new(Reloader::new(ContentSource::default(), live, codec)));
/// # let _ = app;
/// ```
pub fn admin_router(reloader: Arc<Reloader>) -> Router {
    Router::new()
        .route("/admin/reload", post(reload))
        .route("/health", get(health))
        .fallback(|| async {
            ApiError::not_found(
                "not_found",
                "admin endpoints: POST /admin/reload, GET /health",
            )
        })
        .with_state(reloader)
}

async fn reload(State(reloader): State<Arc<Reloader>>, headers: HeaderMap) -> Response {
    let by = match authorize(&reloader, &headers) {
        Ok(by) => by,
        Err(message) => {
            let mut response = ApiError::unauthorized(message).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    };
    match reloader.reload(&format!("admin ({by})")).await {
        Ok(reloaded) => (
            StatusCode::OK,
            axum::Json(json!({"status": "reloaded", "reload": reloaded})),
        )
            .into_response(),
        Err(message) => ApiError::unprocessable(
            "invalid_content",
            format!("the new content was refused, the running content stays:\n{message}"),
        )
        .into_response(),
    }
}

async fn health(State(reloader): State<Arc<Reloader>>) -> Response {
    let engine = reloader.live().current();
    let snapshot = engine.snapshot();
    axum::Json(json!({
        "status": "ok",
        "version": snapshot.version(),
        "packs_version": snapshot.packs_version(),
    }))
    .into_response()
}

/// Who the bearer token belongs to, or why the request is refused.
fn authorize(reloader: &Reloader, headers: &HeaderMap) -> Result<String, String> {
    let unauthorized = |message: &str| message.to_string();
    let engine = reloader.live().current();
    let tokens = engine
        .snapshot()
        .config
        .admin_tokens(|name| std::env::var(name).ok());
    if tokens.is_empty() {
        return Err(unauthorized(
            "no admin token is configured ([admin] token, a tenant's admin_token or SOPHIA_ADMIN_TOKEN)",
        ));
    }
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(unauthorized("send `Authorization: Bearer <token>`"));
    };
    // Every token is compared, each in constant time, so timing tells nothing.
    let mut found = None;
    for (who, token) in &tokens {
        if token_matches(token, given.trim()) {
            found = Some(who.clone());
        }
    }
    found.ok_or_else(|| unauthorized("the bearer token is not valid"))
}

/// Whether `given` is `token`, in constant time, also in the length: both are hashed
/// first, so neither the time taken nor an early return for a length mismatch tells how
/// long the right token is (`ct_eq` on slices of different lengths returns at once).
fn token_matches(token: &str, given: &str) -> bool {
    let token = Sha256::digest(token.as_bytes());
    let given = Sha256::digest(given.as_bytes());
    bool::from(token.as_slice().ct_eq(given.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::token_matches;

    #[test]
    fn tokens_match_only_when_equal() {
        let token = "editor-token-0123456789";
        assert!(token_matches(token, token));
        assert!(!token_matches(token, "editor-token-012345678"));
        assert!(!token_matches(token, "editor-token-01234567890"));
        assert!(!token_matches(token, "Editor-token-0123456789"));
        assert!(!token_matches(token, ""));
    }
}
