//! The conversation state that travels with the client, signed so that it cannot be forged.
//!
//! Every reply carries `context`: the state below as JSON, base64url-encoded, followed by a
//! dot and an HMAC-SHA256 tag over it. Any replica holding the same key can continue the
//! conversation; a context that is tampered with, too large, or from another content
//! version is ignored, never an error.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::reply::ReplyKind;
use crate::nlu::Aspect;
use crate::review::Nearest;

/// Contexts longer than this are ignored unread.
pub const MAX_CONTEXT_LEN: usize = 4096;

/// What Sophia remembers between two messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationState {
    /// Content version the state refers to.
    #[serde(rename = "v")]
    pub version: String,
    /// The service the conversation is about.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The choices offered in the last "Meinten Sie ...?", in order.
    #[serde(rename = "c", default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// The aspect asked for together with the last choices, answered once one is picked.
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub aspect: Option<Aspect>,
    /// Number of turns so far.
    #[serde(rename = "t", default)]
    pub turn: u32,
    /// The question the last reply answered, when it was an answer (service, aspect,
    /// clarify, custom), so that feedback on it can be reviewed.
    #[serde(rename = "q", default, skip_serializing_if = "Option::is_none")]
    pub question: Option<AnsweredQuestion>,
}

/// A question and what Sophia answered, as much as the review of "not helpful" feedback
/// needs (see [`crate::review`]) and no more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnsweredQuestion {
    /// The question, [redacted](crate::review::redact()) and clipped to
    /// [`MAX_QUESTION_CHARS`](crate::review::record::MAX_QUESTION_CHARS) characters.
    #[serde(rename = "q")]
    pub text: String,
    /// The tenant it was asked for.
    #[serde(rename = "n")]
    pub tenant: String,
    /// The kind of the reply; set when the reply is made.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ReplyKind>,
    /// What the reply was about (its `sources[0]`); set when the reply is made.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub about: Option<Nearest>,
}

impl AnsweredQuestion {
    /// `question` asked for `tenant`, redacted and clipped, not answered yet.
    ///
    /// ```
    /// use sophia::dialog::AnsweredQuestion;
    /// let asked = AnsweredQuestion::new("Reisepass für max@web.de", "muenchen");
    /// assert_eq!(asked.text, "Reisepass für [E-Mail]");
    /// assert!(asked.kind.is_none() && asked.about.is_none());
    /// ```
    pub fn new(question: &str, tenant: &str) -> AnsweredQuestion {
        use crate::review::record::{MAX_QUESTION_CHARS, storable};
        AnsweredQuestion {
            text: storable(question, MAX_QUESTION_CHARS),
            tenant: tenant.to_string(),
            kind: None,
            about: None,
        }
    }
}

impl ConversationState {
    /// The same state one turn later, for content `version`.
    ///
    /// ```
    /// use sophia::dialog::ConversationState;
    /// let state = ConversationState { service: Some("1".into()), turn: 2, ..Default::default() };
    /// let next = state.next("v2");
    /// assert_eq!((next.version.as_str(), next.turn, next.service), ("v2", 3, Some("1".to_string())));
    /// ```
    pub fn next(&self, version: &str) -> ConversationState {
        ConversationState {
            version: version.to_string(),
            turn: self.turn.saturating_add(1),
            ..self.clone()
        }
    }
}

/// Signs and verifies contexts with one key.
#[derive(Clone)]
pub struct ContextCodec {
    key: Vec<u8>,
}

impl std::fmt::Debug for ContextCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContextCodec { key: <redacted> }")
    }
}

impl ContextCodec {
    /// A codec with the given secret key.
    ///
    /// ```
    /// use sophia::dialog::{ContextCodec, ConversationState};
    /// let codec = ContextCodec::new(b"shared secret");
    /// let state = ConversationState { version: "v1".into(), service: Some("1063453".into()), ..Default::default() };
    /// let token = codec.encode(&state);
    /// assert_eq!(codec.decode(&token), Some(state));
    /// assert_eq!(ContextCodec::new(b"other key").decode(&token), None);
    /// ```
    pub fn new(key: &[u8]) -> Self {
        ContextCodec { key: key.to_vec() }
    }

    /// A codec with a random key (a single node without a configured key).
    pub fn random() -> Self {
        let key: [u8; 32] = rand::random();
        ContextCodec { key: key.to_vec() }
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }

    /// The signed, opaque form of `state`.
    pub fn encode(&self, state: &ConversationState) -> String {
        let json = serde_json::to_vec(state).expect("the state serialises");
        let payload = URL_SAFE_NO_PAD.encode(json);
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    /// The state in `token`, or `None` when it is empty, oversized, malformed or not signed
    /// with this key. The tag is checked in constant time.
    pub fn decode(&self, token: &str) -> Option<ConversationState> {
        if token.is_empty() || token.len() > MAX_CONTEXT_LEN {
            return None;
        }
        let (payload, tag) = token.split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&tag).ok()?;
        let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ConversationState {
        ConversationState {
            version: "abc".into(),
            service: Some("1".into()),
            choices: vec!["2".into(), "3".into()],
            aspect: Some(Aspect::Fees),
            turn: 4,
            question: Some(AnsweredQuestion {
                text: "Was kostet das?".into(),
                tenant: "muenchen".into(),
                kind: Some(ReplyKind::Aspect),
                about: Some(Nearest {
                    id: "1".into(),
                    title: "Reisepass".into(),
                    score: Some(1.5),
                }),
            }),
        }
    }

    #[test]
    fn round_trips() {
        let codec = ContextCodec::new(b"k");
        assert_eq!(codec.decode(&codec.encode(&state())), Some(state()));
    }

    #[test]
    fn a_tampered_payload_is_rejected() {
        let codec = ContextCodec::new(b"k");
        let token = codec.encode(&state());
        let (payload, tag) = token.split_once('.').unwrap();
        let mut forged = ConversationState {
            service: Some("999".into()),
            ..state()
        };
        forged.turn = 1;
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_ne!(payload, forged_payload);
        assert_eq!(codec.decode(&format!("{forged_payload}.{tag}")), None);
    }

    #[test]
    fn garbage_and_oversized_tokens_are_ignored() {
        let codec = ContextCodec::new(b"k");
        for token in ["", ".", "abc", "a.b.c", "%%%.%%%", "ä.ö"] {
            assert_eq!(codec.decode(token), None, "{token}");
        }
        assert_eq!(codec.decode(&"a".repeat(MAX_CONTEXT_LEN + 1)), None);
    }

    #[test]
    fn the_largest_state_fits_in_a_context() {
        // Five long choice ids, and a question and a title of the longest kept length in
        // characters that JSON escapes as six bytes each.
        let long = "\u{1}".repeat(crate::review::record::MAX_QUESTION_CHARS);
        let state = ConversationState {
            version: "f".repeat(64) + "-a99",
            service: Some("9".repeat(20)),
            choices: vec!["9".repeat(20); 5],
            aspect: Some(Aspect::Prerequisites),
            turn: u32::MAX,
            question: Some(AnsweredQuestion {
                text: long.clone(),
                tenant: "t".repeat(64),
                kind: Some(ReplyKind::Clarify),
                about: Some(Nearest {
                    id: "9".repeat(20),
                    title: long,
                    score: Some(f32::MAX),
                }),
            }),
        };
        let codec = ContextCodec::new(b"k");
        let token = codec.encode(&state);
        assert!(token.len() <= MAX_CONTEXT_LEN, "{}", token.len());
        assert_eq!(codec.decode(&token), Some(state));
    }

    #[test]
    fn contexts_without_a_question_still_decode() {
        // Contexts made before questions were kept.
        let old = serde_json::json!({"v": "abc", "s": "1", "t": 2});
        let state: ConversationState = serde_json::from_value(old).unwrap();
        assert_eq!(state.question, None);
    }

    #[test]
    fn random_keys_differ() {
        let token = ContextCodec::random().encode(&state());
        assert_eq!(ContextCodec::random().decode(&token), None);
    }
}
