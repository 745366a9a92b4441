//! Understanding what a citizen wants: the intent (service search, small talk, off topic)
//! and the part of a service asked for (aspect).

mod aspect;
mod classifier;
pub mod features;
pub mod language;
mod origin;
mod topics;

pub use aspect::{Aspect, AspectDetector, AspectMatch, SHIPPED_ASPECTS};
pub use classifier::{
    HUMAN_HANDOFF, IntentClassifier, IntentGuess, MIN_EXAMPLES, OFF_TOPIC, SERVICE_SEARCH,
    SHIPPED_INTENTS, SMALL_TALK,
};
pub use origin::{
    Origin, named_origin, names_a_country, names_both_german, service_abroad, service_origin,
};
pub use topics::{Lacking, Named, Topic, Topics};
