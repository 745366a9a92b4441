//! What the benches share: the question mix of `benches/questions.toml` (shared with the
//! load test) and a follow-up sent with its context.

use serde::Deserialize;
use sophia::{ChatRequest, Engine};

#[derive(Deserialize)]
struct File {
    question: Vec<Question>,
}

#[derive(Deserialize)]
struct Question {
    message: String,
}

/// The messages of `benches/questions.toml` and, last, [`FOLLOW_UP`].
pub fn questions() -> Vec<String> {
    let text = include_str!("../questions.toml");
    let file: File = toml::from_str(text).expect("benches/questions.toml is valid");
    let mut messages: Vec<String> = file.question.into_iter().map(|q| q.message).collect();
    messages.push(FOLLOW_UP.to_string());
    messages
}

/// The follow-up question of the mix.
pub const FOLLOW_UP: &str = "und was kostet das?";

/// The mix as requests made by `make` (tenant, location); the follow-up carries the context
/// of the engine's answer about "Reisepass".
pub fn requests(engine: &Engine, make: impl Fn(&str) -> ChatRequest) -> Vec<ChatRequest> {
    let first = engine.respond(&make("Reisepass"));
    questions()
        .iter()
        .map(|q| ChatRequest {
            context: (q == FOLLOW_UP).then(|| first.context.clone()),
            ..make(q)
        })
        .collect()
}
