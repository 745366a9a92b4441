//! Small talk: the responses to greetings, thanks, "wer bist du?", jokes, insults and the
//! like, as data (`smalltalk/*.toml`), a few variants each.

use std::collections::HashMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde::Deserialize;

use crate::config::Tenant;
use crate::text::Fnv;

/// The shipped small-talk files (name, text).
pub const SHIPPED_SMALLTALK: &[(&str, &str)] = &[
    (
        "smalltalk/greeting.toml",
        include_str!("../../smalltalk/greeting.toml"),
    ),
    (
        "smalltalk/goodbye.toml",
        include_str!("../../smalltalk/goodbye.toml"),
    ),
    (
        "smalltalk/thanks.toml",
        include_str!("../../smalltalk/thanks.toml"),
    ),
    (
        "smalltalk/bot_identity.toml",
        include_str!("../../smalltalk/bot_identity.toml"),
    ),
    (
        "smalltalk/how_are_you.toml",
        include_str!("../../smalltalk/how_are_you.toml"),
    ),
    (
        "smalltalk/capabilities.toml",
        include_str!("../../smalltalk/capabilities.toml"),
    ),
    (
        "smalltalk/joke.toml",
        include_str!("../../smalltalk/joke.toml"),
    ),
    (
        "smalltalk/insult.toml",
        include_str!("../../smalltalk/insult.toml"),
    ),
    (
        "smalltalk/human_handoff.toml",
        include_str!("../../smalltalk/human_handoff.toml"),
    ),
    (
        "smalltalk/affirm.toml",
        include_str!("../../smalltalk/affirm.toml"),
    ),
    (
        "smalltalk/deny.toml",
        include_str!("../../smalltalk/deny.toml"),
    ),
    (
        "smalltalk/off_topic.toml",
        include_str!("../../smalltalk/off_topic.toml"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmallTalkFile {
    intent: String,
    responses: Vec<String>,
    #[serde(default)]
    suggestions: Vec<String>,
}

/// The responses of one intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmallTalkAnswer {
    /// Response variants; `{portal}` and `{contact}` are filled in.
    pub responses: Vec<String>,
    /// Quick replies offered with it.
    pub suggestions: Vec<String>,
}

/// Small-talk responses by intent.
#[derive(Debug, Clone, Default)]
pub struct SmallTalk {
    by_intent: HashMap<String, SmallTalkAnswer>,
}

impl SmallTalk {
    /// The shipped responses.
    ///
    /// ```
    /// let s = sophia::dialog::smalltalk::SmallTalk::shipped();
    /// assert!(s.answer("greeting").is_some());
    /// ```
    pub fn shipped() -> Self {
        Self::parse(SHIPPED_SMALLTALK).expect("the shipped small talk is valid; a test guards it")
    }

    /// Parses small-talk files given as (name, text); errors name the file.
    pub fn parse(files: &[(&str, &str)]) -> Result<Self, String> {
        let mut by_intent = HashMap::new();
        for (file, text) in files {
            let parsed: SmallTalkFile = toml::from_str(text)
                .map_err(|e| format!("{file}: {}", e.to_string().trim_end()))?;
            if parsed.responses.iter().all(|r| r.trim().is_empty()) {
                return Err(format!(
                    "{file}: intent `{}` has no response",
                    parsed.intent
                ));
            }
            if by_intent.contains_key(&parsed.intent) {
                return Err(format!(
                    "{file}: intent `{}` is defined twice",
                    parsed.intent
                ));
            }
            by_intent.insert(
                parsed.intent,
                SmallTalkAnswer {
                    responses: parsed.responses,
                    suggestions: parsed.suggestions,
                },
            );
        }
        Ok(SmallTalk { by_intent })
    }

    /// The responses of `intent`, if there are any.
    pub fn answer(&self, intent: &str) -> Option<&SmallTalkAnswer> {
        self.by_intent.get(intent)
    }

    /// One response of `intent` for `tenant`, chosen by `seed` (the same seed always gives
    /// the same variant, so answers are reproducible).
    pub fn respond(
        &self,
        intent: &str,
        tenant: &Tenant,
        seed: u64,
    ) -> Option<(String, Vec<String>)> {
        let answer = self.by_intent.get(intent)?;
        let mut rng = StdRng::seed_from_u64(seed);
        let response = answer.responses.choose(&mut rng)?;
        let text = response
            .replace("{portal}", &tenant.name)
            .replace("{contact}", &tenant.contact);
        Some((text, answer.suggestions.clone()))
    }
}

/// A seed from the message and the turn: stable for the same conversation step, varied
/// across steps.
pub fn seed(message: &str, turn: u32) -> u64 {
    Fnv::seeded(u64::from(turn)).text(message).finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn every_small_talk_intent_has_responses_with_placeholders_filled() {
        let s = SmallTalk::shipped();
        let config = Config::shipped();
        let tenant = config.default_tenant();
        for intent in crate::nlu::SMALL_TALK.iter().chain(&["off_topic"]) {
            let (text, _) = s
                .respond(intent, tenant, 7)
                .unwrap_or_else(|| panic!("{intent}"));
            assert!(!text.contains('{'), "{intent}: {text}");
        }
    }

    #[test]
    fn handoff_and_off_topic_give_the_way_on() {
        let s = SmallTalk::shipped();
        let config = Config::shipped();
        let tenant = config.default_tenant();
        for intent in ["human_handoff", "off_topic"] {
            for seed in 0..10 {
                let (text, _) = s.respond(intent, tenant, seed).unwrap();
                assert!(text.contains("115"), "{intent}: {text}");
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_variant() {
        let s = SmallTalk::shipped();
        let config = Config::shipped();
        let tenant = config.default_tenant();
        assert_eq!(s.respond("joke", tenant, 3), s.respond("joke", tenant, 3));
    }
}
