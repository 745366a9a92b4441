//! The handlers of the HTTP API (contract in DESIGN.md).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::metrics::TenantLabel;
use super::origin::check_origin;
use crate::dialog::{ChatRequest, MAX_MESSAGE_CHARS, Reply, ReplyKind};
use crate::nlu::SERVICE_SEARCH;
use crate::review::UnansweredRecord;

/// Longest comment accepted with feedback.
const MAX_COMMENT_CHARS: usize = 2000;

/// `POST /api/v1/chat`.
pub async fn chat(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    let (tenant, result) = answer(&state, &headers, body).await;
    let mut response = match result {
        Ok(reply) => {
            state.metrics.answer(&tenant, &reply);
            Json(reply).into_response()
        }
        Err(error) => error.into_response(),
    };
    response.extensions_mut().insert(TenantLabel(tenant));
    response
}

/// The reply to a chat request, with the tenant it was for (`unknown` or `none` when that
/// could not be told), for the metrics.
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> (String, Result<Reply, ApiError>) {
    let none = || "none".to_string();
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => return (none(), Err(rejection.into())),
    };
    let request = match chat_request(body) {
        Ok(request) => request,
        Err(error) => return (none(), Err(error)),
    };
    // The engine this request is answered by, even if content is reloaded meanwhile.
    let engine = state.engine.current();
    let config = &engine.snapshot().config;
    let tenant = match &request.tenant {
        None => config.default_tenant(),
        Some(id) => match config.tenant(id) {
            Some(tenant) => tenant,
            None => {
                return (
                    "unknown".into(),
                    Err(ApiError::not_found(
                        "unknown_tenant",
                        format!("field `tenant`: no tenant `{id}` is configured"),
                    )),
                );
            }
        },
    };
    let label = tenant.id.clone();
    if let Err(error) = check_origin(headers, config, Some(tenant)) {
        tracing::warn!(tenant = %label, "{}", error.message);
        return (label, Err(error));
    }
    if let Some(context) = request.context.as_deref()
        && !context.is_empty()
        && !engine.context_is_valid(context)
    {
        tracing::warn!(
            "context ignored: tampered, oversized, signed with another key or from another content version"
        );
    }
    // Answering is quick but CPU-bound: keep it off the threads that serve connections, so
    // a burst of costly messages cannot stall /health or other clients.
    let review = state.review.clone();
    let tenant_id = label.clone();
    // At most `answering_limit()` answers at once; the permit lives as long as the work,
    // also when the request times out meanwhile.
    let Ok(permit) = Arc::clone(&state.answering).acquire_owned().await else {
        return (
            label,
            Err(ApiError::internal("the server is shutting down")),
        );
    };
    let reply = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let reply = engine.respond(&request);
        tracing::debug!(message = %request.message, "chat message");
        // A service search Sophia found nothing for is kept (redacted) for the editors.
        if let Some(log) = &review
            && reply.kind == ReplyKind::Fallback
            && reply.intent.name == SERVICE_SEARCH
        {
            // A failure is reported once by the log, not once a request.
            log.record(&UnansweredRecord::fallback(&tenant_id, &request.message));
        }
        reply
    })
    .await
    .map_err(|_| ApiError::internal("the answer could not be computed"));
    if let Ok(reply) = &reply {
        tracing::info!(
            tenant = %label,
            kind = ?reply.kind,
            confidence = reply.intent.confidence,
            source = reply.sources.first().map(|s| s.id.as_str()),
            "chat"
        );
    }
    (label, reply)
}

/// Checks the body of a chat request field by field.
fn chat_request(body: Value) -> Result<ChatRequest, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::unprocessable(
            "invalid_field",
            "the body must be a JSON object with a string field `message`",
        ));
    };
    match fields.get("message") {
        Some(Value::String(_)) => {}
        None | Some(Value::Null) => {
            return Err(ApiError::unprocessable(
                "invalid_field",
                "field `message` is missing: send the citizen's question as a string",
            ));
        }
        Some(other) => {
            return Err(ApiError::unprocessable(
                "invalid_field",
                format!(
                    "field `message` must be a string, found {}",
                    json_kind(other)
                ),
            ));
        }
    }
    for name in ["tenant", "context", "location"] {
        if let Some(value) = fields.get(name)
            && !(value.is_string() || value.is_null())
        {
            return Err(ApiError::unprocessable(
                "invalid_field",
                format!(
                    "field `{name}` must be a string, found {}",
                    json_kind(value)
                ),
            ));
        }
    }
    let request: ChatRequest = serde_json::from_value(body).map_err(|e| {
        ApiError::unprocessable("invalid_field", format!("invalid request field: {e}"))
    })?;
    if !request.message.chars().any(is_visible) {
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
    Ok(request)
}

/// How a JSON value is called in error messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A character a reader can see: not whitespace, control, or a zero-width or
/// direction mark.
fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && !matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}'
        )
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
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    // Feedback names no tenant: any tenant's origin may send it.
    check_origin(&headers, &state.engine.current().snapshot().config, None)?;
    let Json(body) = body?;
    if !body.is_object() {
        return Err(ApiError::unprocessable(
            "invalid_field",
            "the body must be a JSON object with a boolean field `helpful`",
        ));
    }
    match body.get("helpful") {
        Some(Value::Bool(_)) => {}
        None | Some(Value::Null) => {
            return Err(ApiError::unprocessable(
                "invalid_field",
                "field `helpful` is missing: send true or false",
            ));
        }
        Some(other) => {
            return Err(ApiError::unprocessable(
                "invalid_field",
                format!(
                    "field `helpful` must be true or false, found {}",
                    json_kind(other)
                ),
            ));
        }
    }
    let feedback: Feedback = serde_json::from_value(body).map_err(|e| {
        ApiError::unprocessable("invalid_field", format!("invalid feedback field: {e}"))
    })?;
    if let Some(comment) = &feedback.comment
        && comment.chars().count() > MAX_COMMENT_CHARS
    {
        return Err(ApiError::bad_request(
            "comment_too_long",
            format!("field `comment` has more than {MAX_COMMENT_CHARS} characters"),
        ));
    }
    let engine = state.engine.current();
    let context = feedback
        .context
        .as_deref()
        .and_then(|c| engine.context_state(c));
    // The tenant of the answer, if the context names one that exists (never a label from
    // the request itself).
    let tenant = context
        .as_ref()
        .and_then(|c| c.question.as_ref())
        .and_then(|q| engine.snapshot().config.tenant(&q.tenant))
        .map_or("none", |t| t.id.as_str());
    state.metrics.feedback(tenant, feedback.helpful);
    tracing::info!(
        helpful = feedback.helpful,
        service = context.as_ref().and_then(|c| c.service.as_deref()),
        "feedback"
    );
    tracing::debug!(comment = feedback.comment.as_deref(), "feedback comment");
    // An answer that did not help is kept (redacted) for the editors, with its question.
    if let Some(log) = state.review.clone()
        && !feedback.helpful
    {
        match context.and_then(|c| c.question) {
            Some(asked) => {
                let record = UnansweredRecord::negative_feedback(
                    &asked.tenant,
                    &asked.text,
                    asked.kind.unwrap_or(ReplyKind::Service),
                    asked.about,
                    feedback.comment.as_deref(),
                );
                // A failure is reported once by the log, not once a request.
                let written = tokio::task::spawn_blocking(move || log.record(&record)).await;
                if written.is_err() {
                    tracing::warn!("the review record could not be written");
                }
            }
            None => {
                tracing::debug!("negative feedback without an answered question in its context")
            }
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /health`: the content version.
pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let engine = state.engine.current();
    let snapshot = engine.snapshot();
    Json(json!({
        "status": "ok",
        "version": snapshot.version(),
        "packs_version": snapshot.packs_version(),
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
