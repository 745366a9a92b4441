//! `Engine::respond` on arbitrary messages, tenants, locations and contexts, over the
//! shipped content, built once.
//!
//! The context is either the raw fuzzed string (almost always unsigned: it must be
//! ignored) or fuzzed JSON for the conversation state, signed with the engine's key so
//! that the state is trusted and the follow-up paths run. Each input is two turns: the
//! second message carries the first reply's context.
#![no_main]

use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sophia::config::Config;
use sophia::content::{Catalog, PackLibrary};
use sophia::dialog::{ContextCodec, ConversationState};
use sophia::{ChatRequest, Engine, Reply, ReplyKind, Snapshot};

const KEY: &[u8] = b"fuzz key";
const TENANTS: &[&str] = &[
    "muenchen",
    "land-hessen",
    "ozg-hessen",
    "kreis-voll",
    "kreis-basis",
];

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

#[derive(Debug, Arbitrary)]
enum Context {
    None,
    Raw(String),
    /// JSON of a conversation state; signed, with the snapshot's version when `current`.
    Signed {
        json: String,
        current: bool,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    message: String,
    follow_up: String,
    tenant: Option<u8>,
    unknown_tenant: Option<String>,
    location: Option<String>,
    context: Context,
}

fn check(reply: &Reply) {
    assert!(!reply.text.trim().is_empty(), "empty text: {reply:?}");
    assert!(
        ContextCodec::new(KEY).decode(&reply.context).is_some(),
        "undecodable context: {reply:?}"
    );
    assert!(reply.intent.confidence.is_finite());
    if reply.kind == ReplyKind::Clarify {
        assert!(
            !reply.sources.is_empty(),
            "a clarify without choices: {reply:?}"
        );
    }
}

fuzz_target!(init: {
    // Built before the first input, so that building does not count against `-timeout`.
    engine();
}, |input: Input| {
    let engine = engine();
    let context = match input.context {
        Context::None => None,
        Context::Raw(raw) => Some(raw),
        Context::Signed { json, current } => {
            let Ok(mut state) = serde_json::from_str::<ConversationState>(&json) else {
                return;
            };
            if current {
                state.version = engine.snapshot().version().to_string();
            }
            Some(ContextCodec::new(KEY).encode(&state))
        }
    };
    let tenant = match (input.tenant, input.unknown_tenant) {
        (Some(i), _) => Some(TENANTS[usize::from(i) % TENANTS.len()].to_string()),
        (None, other) => other,
    };
    let first = ChatRequest {
        message: input.message,
        context,
        tenant: tenant.clone(),
        location: input.location.clone(),
    };
    let reply = engine.respond(&first);
    check(&reply);
    let second = ChatRequest {
        message: input.follow_up,
        context: Some(reply.context),
        tenant,
        location: input.location,
    };
    check(&engine.respond(&second));
});
