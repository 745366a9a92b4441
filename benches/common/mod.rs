//! What the benches share: the question mix.

use sophia::{ChatRequest, Engine};

/// Plain questions, typos, compounds, aspects, small talk, off-topic and a follow-up.
pub const QUESTIONS: &[&str] = &[
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
    "hallo",
    "danke, tschüss",
    // A follow-up: sent with the context of an answer about "Reisepass" by [`requests`].
    FOLLOW_UP,
];

/// The follow-up question of the mix.
pub const FOLLOW_UP: &str = "und was kostet das?";

/// The mix as requests made by `make` (tenant, location); the follow-up carries the context
/// of the engine's answer about "Reisepass".
pub fn requests(engine: &Engine, make: impl Fn(&str) -> ChatRequest) -> Vec<ChatRequest> {
    let first = engine.respond(&make("Reisepass"));
    QUESTIONS
        .iter()
        .map(|q| ChatRequest {
            context: (*q == FOLLOW_UP).then(|| first.context.clone()),
            ..make(q)
        })
        .collect()
}
