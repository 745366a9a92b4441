//! The request and reply of one chat turn, as in the HTTP contract (DESIGN.md).

use serde::{Deserialize, Serialize};

use crate::nlu::Aspect;

/// One message of a citizen, with the conversation so far.
///
/// ```
/// let request = sophia::ChatRequest::new("Was kostet ein Reisepass?");
/// assert!(request.context.is_none() && request.tenant.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// What the citizen typed.
    pub message: String,
    /// The opaque context of the previous reply, if any.
    #[serde(default)]
    pub context: Option<String>,
    /// The portal; `None` is the default tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The citizen's location (postcode, ARS or "lat,lon"), when known.
    #[serde(default)]
    pub location: Option<String>,
}

impl ChatRequest {
    /// A first message without context, for the default tenant.
    pub fn new(message: impl Into<String>) -> Self {
        ChatRequest {
            message: message.into(),
            ..Default::default()
        }
    }
}

/// What kind of answer a reply is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyKind {
    /// A service description.
    Service,
    /// One part of a service (fees, documents, ...).
    Aspect,
    /// "Meinten Sie ...?" with choices.
    Clarify,
    /// Small talk.
    Smalltalk,
    /// An editor's custom answer.
    Custom,
    /// An office.
    Office,
    /// Sophia does not know, and says where to turn instead.
    Fallback,
}

/// The recognised intent and how sure Sophia is of the final answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentScore {
    /// Intent name (`service_search`, small-talk names, `off_topic`).
    pub name: String,
    /// Confidence between 0 and 1.
    pub confidence: f32,
}

/// What an answer is about, or a choice offered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `service`, `custom` or `office`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The id in its source.
    pub id: String,
    /// Title.
    pub title: String,
    /// A page about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The retrieval score (absent when the service was picked or followed up on, not
    /// searched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The "Stand" date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Whom to credit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

/// An office named in an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeRef {
    /// Office id.
    pub id: String,
    /// Name.
    pub name: String,
    /// One-line address.
    pub address: String,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Booking or web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A quick-reply button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The button's label.
    pub label: String,
    /// The message sent when it is pressed.
    pub message: String,
}

/// Sophia's answer to one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// What kind of answer this is.
    pub kind: ReplyKind,
    /// The answer as plain text.
    pub text: String,
    /// The same answer as sanitised HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The recognised intent and the confidence of the answer.
    pub intent: IntentScore,
    /// The part of a service the citizen asked for.
    pub aspect: Option<Aspect>,
    /// What the answer is about (`sources[0]`), or the choices of a clarify.
    pub sources: Vec<Source>,
    /// Offices, when the answer names where to go.
    pub offices: Vec<OfficeRef>,
    /// Quick-reply buttons.
    pub suggestions: Vec<Suggestion>,
    /// Opaque conversation state to send back with the next message.
    pub context: String,
}
