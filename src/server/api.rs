//! The handlers of the HTTP API (contract in DESIGN.md).

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use crate::dialog::{ChatRequest, MAX_MESSAGE_CHARS, Reply};

/// Longest comment accepted with feedback.
const MAX_COMMENT_CHARS: usize = 2000;

/// `POST /api/v1/chat`.
pub async fn chat(
    State(state): State<AppState>,
    body: Result<Json<ChatRequest>, JsonRejection>,
) -> Result<Json<Reply>, ApiError> {
    let Json(request) = body?;
    if request.message.trim().is_empty() {
        return Err(ApiError::bad_request(
            "empty_message",
            "field `message` is empty: send the citizen's question as text",
        ));
    }
    let chars = request.message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(ApiError::bad_request(
            "message_too_long",
            format!(
                "field `message` has {chars} characters; at most {MAX_MESSAGE_CHARS} are accepted"
            ),
        ));
    }
    if let Some(tenant) = &request.tenant
        && state.engine.snapshot().config.tenant(tenant).is_none()
    {
        return Err(ApiError::not_found(
            "unknown_tenant",
            format!("field `tenant`: no tenant `{tenant}` is configured"),
        ));
    }
    let reply = state.engine.respond(&request);
    tracing::info!(
        kind = ?reply.kind,
        confidence = reply.intent.confidence,
        source = reply.sources.first().map(|s| s.id.as_str()),
        "chat"
    );
    tracing::debug!(message = %request.message, "chat message");
    Ok(Json(reply))
}

/// The body of `POST /api/v1/feedback`.
#[derive(Debug, Deserialize)]
pub struct Feedback {
    /// The context of the reply the feedback is about.
    #[serde(default)]
    pub context: Option<String>,
    /// Whether the answer helped.
    pub helpful: bool,
    /// An optional comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// `POST /api/v1/feedback`: answers 204.
pub async fn feedback(
    State(state): State<AppState>,
    body: Result<Json<Feedback>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(feedback) = body?;
    if let Some(comment) = &feedback.comment
        && comment.chars().count() > MAX_COMMENT_CHARS
    {
        return Err(ApiError::bad_request(
            "comment_too_long",
            format!("field `comment` has more than {MAX_COMMENT_CHARS} characters"),
        ));
    }
    let service = feedback
        .context
        .as_deref()
        .and_then(|c| state.engine.context_service(c));
    tracing::info!(
        helpful = feedback.helpful,
        service = service.as_deref(),
        "feedback"
    );
    tracing::debug!(comment = feedback.comment.as_deref(), "feedback comment");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /health`: the content version.
pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let snapshot = state.engine.snapshot();
    Json(json!({
        "status": "ok",
        "version": snapshot.version(),
        "services": snapshot.index.len(),
    }))
}

/// Any other path.
pub async fn not_found() -> ApiError {
    ApiError::not_found(
        "not_found",
        "no such endpoint; see POST /api/v1/chat and GET /health",
    )
}
