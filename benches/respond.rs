//! `Engine::respond` on the shipped Munich catalogue, over a mix of realistic questions.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sophia::text::{retrieval_analyzer, tokens};
use sophia::{ChatRequest, Engine};

const QUESTIONS: &[&str] = &[
    "Was kostet ein Reisepass?",
    "perso verloren",
    "ich ziehe nach münchen, was muss ich tun?",
    "fuehrerschein umschreiben lassen",
    "Führerchein verlängern",
    "Anmeldung vom Wohnsitz",
    "wohnsitzanmeldung unterlagen",
    "wo kann ich mein auto abmelden",
    "Bewohnerparkausweis beantragen",
    "Kurzzeitkennzeichen für Überführung",
    "wie wird das wetter morgen",
    "Beglaubigung von Zeugnissen",
    "angelschein machen",
    "mein opa ist gestorben was muss ich tun",
    "gewerbe anmelden online",
];

fn bench_respond(c: &mut Criterion) {
    let engine = Engine::shipped();
    let mut i = 0;
    c.bench_function("respond/munich_mix", |b| {
        b.iter(|| {
            let q = QUESTIONS[i % QUESTIONS.len()];
            i += 1;
            black_box(engine.respond(&ChatRequest::new(q)))
        })
    });
    let first = engine.respond(&ChatRequest::new("Reisepass"));
    let follow_up = ChatRequest {
        message: "und was kostet das?".into(),
        context: Some(first.context),
        ..Default::default()
    };
    c.bench_function("respond/follow_up", |b| {
        b.iter(|| black_box(engine.respond(&follow_up)))
    });
}

fn bench_analyzer(c: &mut Criterion) {
    let mut analyzer = retrieval_analyzer();
    c.bench_function("analyzer/question", |b| {
        b.iter(|| {
            black_box(tokens(
                &mut analyzer,
                "Ich möchte meinen Führerschein umschreiben lassen, was brauche ich?",
            ))
        })
    });
}

criterion_group!(benches, bench_respond, bench_analyzer);
criterion_main!(benches);
