//! Properties over generated inputs (proptest): the analyzer, `Engine::respond` and the
//! signed context.
//!
//! - the analyzer never panics, and normalising is idempotent;
//! - `respond` never panics and always gives a valid reply: text, a kind from the HTTP
//!   contract, a context this engine decodes;
//! - a context round-trips; a tampered (one byte changed) or oversized one is ignored,
//!   exactly as if none had been sent.
//!
//! Case counts keep this binary well under a minute in a debug build; `PROPTEST_CASES=N`
//! runs N cases of every property instead, for a longer search.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use sophia::config::Config;
use sophia::content::{Catalog, PackLibrary};
use sophia::dialog::{AnsweredQuestion, ContextCodec, ConversationState, MAX_CONTEXT_LEN};
use sophia::nlu::Aspect;
use sophia::review::Nearest;
use sophia::text::{explain, intent_analyzer, normalize_word, retrieval_analyzer, tokens, words};
use sophia::{ChatRequest, Engine, Reply, ReplyKind, Snapshot};

const KEY: &[u8] = b"properties key";

/// The shipped engine, with a known key so that the tests can sign and check contexts.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let snapshot = Snapshot::build(
            Catalog::shipped(),
            &PackLibrary::shipped(),
            Config::shipped(),
        )
        .expect("the shipped content indexes");
        Engine::new(Arc::new(snapshot), ContextCodec::new(KEY))
    })
}

/// `PROPTEST_CASES` when set, `default` otherwise.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn codec() -> ContextCodec {
    ContextCodec::new(KEY)
}

/// Words citizens use, so that generated messages reach services, aspects, offices, small
/// talk and choices, not only the fallback.
const WORDS: &str = "Reisepass perso Personalausweis verloren was kostet wo beantrage ich einen \
    Führerschein Fuehrerschein umschreiben Gewerbe anmelden Hallo danke ja nein die zweite 1 2 \
    und das ? Wiesbaden Marburg 35037 80331 12345 Bürgerbüro Pasing Unterlagen online Termin \
    Hund Wohnsitz ummelden wer bist du Witz Mensch what does a passport cost \
    Zulassungsstelle Sperrmüll Straße";

fn citizen_word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(WORDS.split_whitespace().collect::<Vec<_>>())
}

fn citizen_message() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(citizen_word(), 0..8).prop_map(|w| w.join(" ")),
        1 => any::<String>(),
        1 => "[a-zA-ZäöüÄÖÜß0-9 ,.?!'-]{0,60}",
        1 => "\\PC{0,30}",
    ]
}

fn any_aspect() -> impl Strategy<Value = Aspect> {
    prop::sample::select(Aspect::ALL.to_vec())
}

fn any_kind() -> impl Strategy<Value = ReplyKind> {
    prop::sample::select(vec![
        ReplyKind::Service,
        ReplyKind::Aspect,
        ReplyKind::Clarify,
        ReplyKind::Smalltalk,
        ReplyKind::Custom,
        ReplyKind::Office,
        ReplyKind::Fallback,
    ])
}

/// A service id: a shipped one (so that follow-ups find it) or any text.
fn service_id() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["1063453", "1063423", "1063426", "10546"]).prop_map(String::from),
        "\\PC{0,20}",
    ]
}

/// Any conversation state. Scores are finite: a real score always is, and JSON has no NaN.
fn any_state() -> impl Strategy<Value = ConversationState> {
    let question = (
        "\\PC{0,40}",
        "[a-z-]{0,12}",
        prop::option::of(any_kind()),
        prop::option::of((
            service_id(),
            "\\PC{0,30}",
            prop::option::of(-1.0e6f32..1.0e6),
        )),
    )
        .prop_map(|(text, tenant, kind, about)| AnsweredQuestion {
            text,
            tenant,
            kind,
            about: about.map(|(id, title, score)| Nearest { id, title, score }),
        });
    (
        "\\PC{0,20}",
        prop::option::of(service_id()),
        prop::collection::vec(service_id(), 0..5),
        prop::option::of(any_aspect()),
        any::<u32>(),
        prop::option::of(question),
    )
        .prop_map(
            |(version, service, choices, aspect, turn, question)| ConversationState {
                version,
                service,
                choices,
                aspect,
                turn,
                question,
            },
        )
}

/// The kinds of the HTTP contract in DESIGN.md, as they appear on the wire.
const CONTRACT_KINDS: &[&str] = &[
    "service",
    "aspect",
    "clarify",
    "smalltalk",
    "custom",
    "office",
    "fallback",
];

/// A reply the HTTP contract allows, whose context this engine trusts.
fn assert_valid(reply: &Reply) {
    assert!(!reply.text.trim().is_empty(), "empty text: {reply:?}");
    let kind = serde_json::to_value(reply.kind).unwrap();
    assert!(
        CONTRACT_KINDS.contains(&kind.as_str().unwrap()),
        "kind {kind} is not in the contract"
    );
    let state = codec().decode(&reply.context);
    assert!(state.is_some(), "context does not decode: {reply:?}");
    assert_eq!(state.unwrap().version, engine().snapshot().version());
    assert!((0.0..=1.0).contains(&reply.intent.confidence), "{reply:?}");
    if reply.kind == ReplyKind::Clarify {
        assert!(
            !reply.sources.is_empty(),
            "a clarify without choices: {reply:?}"
        );
    }
}

fn request(message: &str, context: Option<String>) -> ChatRequest {
    ChatRequest {
        message: message.to_string(),
        context,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn the_analyzers_never_panic_and_agree_with_explain(text in any::<String>()) {
        let retrieval = tokens(&mut retrieval_analyzer(), &text);
        let explained: Vec<String> =
            explain(&text).into_iter().filter_map(|t| t.stemmed).collect();
        prop_assert_eq!(explained, retrieval);
        let _ = tokens(&mut intent_analyzer(), &text);
    }

    #[test]
    fn normalising_is_idempotent(text in any::<String>()) {
        let once = normalize_word(&text);
        prop_assert_eq!(normalize_word(&once), once);
    }

    #[test]
    fn normalising_german_words_is_idempotent(
        text in "[aeouAEOUäöüÄÖÜßqQsS\u{0308}\u{00AD}'éÆﬁ]{0,12}"
    ) {
        let once = normalize_word(&text);
        prop_assert_eq!(normalize_word(&once), once.clone());
        for (_, word) in words(&text) {
            let once = normalize_word(word);
            prop_assert_eq!(normalize_word(&once), once);
        }
    }

    #[test]
    fn a_context_round_trips(state in any_state()) {
        let token = codec().encode(&state);
        prop_assume!(token.len() <= MAX_CONTEXT_LEN);
        prop_assert_eq!(codec().decode(&token), Some(state));
    }

    #[test]
    fn a_context_with_any_byte_changed_is_rejected(
        state in any_state(),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let mut bytes = codec().encode(&state).into_bytes();
        let at = at.index(bytes.len());
        bytes[at] ^= flip;
        let tampered = String::from_utf8_lossy(&bytes);
        prop_assert_eq!(codec().decode(&tampered), None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    #[test]
    fn respond_always_gives_a_valid_reply(
        message in citizen_message(),
        follow_up in citizen_message(),
        tenant in prop::option::of(prop::sample::select(vec![
            "muenchen", "land-hessen", "ozg-hessen", "kreis-voll", "kreis-basis", "unbekannt",
        ])),
        location in prop::option::of(prop_oneof![
            Just("80331".to_string()),
            Just("35037".to_string()),
            Just("50.8,8.77".to_string()),
            "\\PC{0,20}",
        ]),
    ) {
        let first = ChatRequest {
            message,
            tenant: tenant.map(String::from),
            location,
            context: None,
        };
        let reply = engine().respond(&first);
        assert_valid(&reply);
        // The next turn, in the conversation the first reply started.
        let second = ChatRequest { message: follow_up, context: Some(reply.context), ..first };
        assert_valid(&engine().respond(&second));
    }

    #[test]
    fn respond_follows_any_signed_state(message in citizen_message(), mut state in any_state()) {
        state.version = engine().snapshot().version().to_string();
        let token = codec().encode(&state);
        assert_valid(&engine().respond(&request(&message, Some(token))));
    }

    #[test]
    fn a_tampered_context_counts_as_none(
        first in citizen_message(),
        message in citizen_message(),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let context = engine().respond(&request(&first, None)).context;
        let mut bytes = context.into_bytes();
        let at = at.index(bytes.len());
        bytes[at] ^= flip;
        let tampered = String::from_utf8_lossy(&bytes).into_owned();
        let with = engine().respond(&request(&message, Some(tampered)));
        prop_assert_eq!(with, engine().respond(&request(&message, None)));
    }

    #[test]
    fn an_oversized_context_counts_as_none(message in citizen_message(), extra in 0usize..200) {
        // Signed with the right key and the current version, but too long to be read.
        let state = ConversationState {
            version: engine().snapshot().version().to_string(),
            service: Some("1063453".into()),
            choices: vec!["1063423".into(); MAX_CONTEXT_LEN / 10 * 3 + extra],
            ..Default::default()
        };
        let token = codec().encode(&state);
        prop_assert!(token.len() > MAX_CONTEXT_LEN);
        let with = engine().respond(&request(&message, Some(token)));
        prop_assert_eq!(with, engine().respond(&request(&message, None)));
    }
}

/// Found by `respond_follows_any_signed_state`: "ja" or an aspect alone to choices the
/// catalogue does not have gave a "Meinten Sie …?" without any choice. Now they count as
/// no choices.
#[test]
fn choices_the_catalogue_lacks_are_not_offered_again() {
    for (message, aspect) in [("ja", None), ("Termin", Some(Aspect::Appointment))] {
        let state = ConversationState {
            version: engine().snapshot().version().to_string(),
            choices: vec!["".into(), "no such service".into()],
            aspect,
            ..Default::default()
        };
        let reply = engine().respond(&request(message, Some(codec().encode(&state))));
        assert_valid(&reply);
        assert_ne!(reply.kind, ReplyKind::Clarify, "{message}: {reply:?}");
        // A real choice among them is still offered (or, for an aspect, answered).
        let state = ConversationState {
            choices: vec!["no such service".into(), "1063453".into()],
            ..state
        };
        let reply = engine().respond(&request(message, Some(codec().encode(&state))));
        assert_valid(&reply);
        assert_eq!(reply.sources.len(), 1, "{message}: {reply:?}");
        assert_eq!(reply.sources[0].id, "1063453");
    }
}
