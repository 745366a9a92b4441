//! Conversations through the public engine API: small talk, off-topic questions, follow-ups.

use std::sync::OnceLock;

use sophia::{ChatRequest, Engine, Reply, ReplyKind};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::shipped)
}

fn ask(message: &str) -> Reply {
    engine().respond(&ChatRequest::new(message))
}

#[test]
fn small_talk_gets_small_talk_with_its_intent() {
    for (message, intent) in [
        ("hallo", "greeting"),
        ("Servus!", "greeting"),
        ("danke dir", "thanks"),
        ("wer bist du eigentlich", "bot_identity"),
        ("ich möchte mit einem menschen sprechen", "human_handoff"),
        ("tschüss", "goodbye"),
    ] {
        let reply = ask(message);
        assert_eq!(
            reply.kind,
            ReplyKind::Smalltalk,
            "{message}: {}",
            reply.text
        );
        assert_eq!(reply.intent.name, intent, "{message}");
        assert!(reply.sources.is_empty());
    }
}

#[test]
fn off_topic_questions_never_get_a_service() {
    for message in [
        "wie wird das wetter morgen",
        "rezept für apfelstrudel",
        "welche aktien soll ich kaufen",
        "wann spielt der fc bayern",
        "wie lange gibt es dich schon",
    ] {
        let reply = ask(message);
        assert!(
            matches!(reply.kind, ReplyKind::Fallback | ReplyKind::Smalltalk),
            "{message}: {:?} {:?}",
            reply.kind,
            reply.sources.first().map(|s| &s.title)
        );
        assert!(reply.sources.is_empty(), "{message}");
    }
}

#[test]
fn a_greeting_with_a_question_is_a_service_question() {
    let reply = ask("hallo, ich brauche einen neuen Reisepass");
    assert_eq!(
        reply.sources.first().map(|s| s.id.as_str()),
        Some("1063453"),
        "{}",
        reply.text
    );
}

#[test]
fn the_handoff_names_the_115_hotline() {
    assert!(
        ask("kann ich bitte einen mitarbeiter sprechen")
            .text
            .contains("115")
    );
}

#[test]
fn answers_are_deterministic() {
    for message in [
        "erzähl mir einen witz",
        "Was kostet ein Reisepass?",
        "Beglaubigung",
    ] {
        assert_eq!(ask(message), ask(message), "{message}");
    }
}

#[test]
fn yes_to_a_clarify_takes_the_first_choice() {
    let clarify = ask("Führerschein umschreiben");
    assert_eq!(clarify.kind, ReplyKind::Clarify);
    let yes = engine().respond(&ChatRequest {
        message: "ja genau".into(),
        context: Some(clarify.context.clone()),
        ..Default::default()
    });
    assert_eq!(yes.sources[0].id, clarify.sources[0].id, "{}", yes.text);
}

#[test]
fn hostile_input_never_panics() {
    let long = "ä".repeat(5000);
    let nested = "(".repeat(3000);
    for message in [
        "",
        " ",
        "\u{0}",
        "\u{202e}gnaltsam\u{202c}",
        "🙂🙂🙂",
        "\u{200b}",
        long.as_str(),
        nested.as_str(),
        "<script>alert(1)</script>",
        "'; DROP TABLE services; --",
        "Reisepass\u{0}Personalausweis",
        "1 2 3 4 5 6 7 8 9 10",
    ] {
        let reply = ask(message);
        assert!(!reply.context.is_empty());
    }
}

#[test]
fn no_pointless_choice_when_all_choices_share_the_answer() {
    // The three Beglaubigung tiers are offered at the same offices.
    let reply = ask("wo kann ich dokumente beglaubigen lassen");
    assert_eq!(reply.kind, ReplyKind::Aspect, "{}", reply.text);
    assert!(!reply.offices.is_empty());
    // Their fees differ: that needs the choice.
    assert_eq!(ask("was kostet eine beglaubigung").kind, ReplyKind::Clarify);
}
