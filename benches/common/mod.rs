//! What the benches share: the question mix of `benches/questions.toml` (shared with the
//! load test) and a follow-up sent with its context.

use std::time::{Duration, Instant};

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

/// Times every request of `requests` on its own, `passes` times over, and returns the
/// median and the 99th percentile over all those timings, and the slowest request's
/// message with its median: the targets are per request, not per mix.
pub fn per_request(
    engine: &Engine,
    requests: &[ChatRequest],
    passes: usize,
) -> (Duration, Duration, String, Duration) {
    let mut all = Vec::with_capacity(passes * requests.len());
    let mut by_request = vec![Vec::with_capacity(passes); requests.len()];
    for _ in 0..passes {
        for (i, request) in requests.iter().enumerate() {
            let start = Instant::now();
            std::hint::black_box(engine.respond(request));
            let took = start.elapsed();
            all.push(took);
            by_request[i].push(took);
        }
    }
    let (slowest, slowest_median) = by_request
        .iter_mut()
        .map(|times| percentile(times, 0.5))
        .enumerate()
        .max_by_key(|&(_, median)| median)
        .map(|(i, median)| (requests[i].message.clone(), median))
        .unwrap_or_default();
    (
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.99),
        slowest,
        slowest_median,
    )
}

/// The `q`-quantile of `times` (nearest rank); zero when empty.
fn percentile(times: &mut [Duration], q: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort_unstable();
    let rank = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len());
    times[rank - 1]
}
