//! Review of unanswered questions, privacy first.
//!
//! Editors learn what citizens ask that Sophia cannot answer from two signals: fallbacks to
//! a service search and answers marked as not helpful. Each is kept as one
//! [`UnansweredRecord`]: the question with personal data [redacted](redact()), the tenant, the
//! time and the nearest answer Sophia had, never an IP address, a user agent, a session or
//! the conversation context.
//!
//! - [`redact`](mod@redact): e-mail addresses, phone numbers, IBANs, dates and long numbers out.
//! - [`record`]: one unanswered question, one JSON line.
//! - [`log`]: appending records to a file (with retention) or to stdout.
//! - [`report`]: the records of review logs grouped by what they ask, most frequent first.

pub mod log;
pub mod record;
pub mod redact;
pub mod report;

pub use log::{Pruned, Recorded, ReviewLog, ReviewLogError};
pub use record::{Nearest, RecordKind, UnansweredRecord};
pub use redact::redact;
