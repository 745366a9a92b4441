//! The dialogue: from a citizen's message to Sophia's reply.

mod answer;
pub mod choice;
mod context;
mod copies;
mod engine;
mod follow_up;
mod lacking;
mod layer;
pub mod near_duplicates;
mod office_answer;
pub mod policy;
mod reply;
pub mod smalltalk;
mod whereabouts;

pub use answer::{german_date, is_safe_url, summary};
pub use context::{AnsweredQuestion, ContextCodec, ConversationState, MAX_CONTEXT_LEN};
pub use copies::{authority, copies_in_scope, copy_for, group_copies};
pub use engine::{
    Candidate, Engine, Explanation, MAX_MESSAGE_CHARS, QuestionMatch, Snapshot, SnapshotError,
    WordSteps,
};
pub use lacking::LackingTopics;
pub use layer::Layer;
pub use policy::Decision;
pub use reply::{ChatRequest, IntentScore, OfficeRef, Reply, ReplyKind, Source, Suggestion};
pub use whereabouts::Whereabouts;
