//! Evaluation of answer quality, like `rasa test`: single questions labelled with the right
//! services (`cases`), and conversations: small talk, off-topic and missing services, and
//! multi-turn dialogs (`conversation`).

mod cases;
pub mod conversation;

pub use cases::*;
