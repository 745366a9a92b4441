//! Review of unanswered questions, privacy first.
//!
//! - [`redact`](mod@redact): e-mail addresses, phone numbers, IBANs, dates and long numbers out.

pub mod redact;

pub use redact::redact;
