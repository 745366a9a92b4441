//! One unanswered question, as kept for review: a single JSON line.
//!
//! ```json
//! {"time":"2026-12-04T10:15:00Z","tenant":"muenchen","text":"Wie melde ich meinen Hund an? Tel. [Telefon]",
//!  "kind":"fallback","reply_kind":"fallback","nearest":null,"comment":null}
//! ```
//!
//! A record holds only what the review needs. It has no field for an IP address, a user
//! agent, a session or the conversation context, and its texts are [redacted](super::redact())
//! when the record is made.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::redact::redact;
use crate::dialog::{ReplyKind, Source};

/// A question is kept with at most this many characters.
pub const MAX_QUESTION_CHARS: usize = 200;
/// A feedback comment is kept with at most this many characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// Why a question is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Sophia found nothing for a service search.
    Fallback,
    /// The citizen said the answer did not help.
    NegativeFeedback,
}

/// The answer nearest to a question: what the reply was about (its `sources[0]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nearest {
    /// Service id or custom answer id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The retrieval score, when the answer was ranked (not when it was picked or followed
    /// up on).
    #[serde(default)]
    pub score: Option<f32>,
}

impl Nearest {
    /// What a reply's source names: id, title (clipped to [`MAX_QUESTION_CHARS`]) and score.
    ///
    /// ```
    /// use sophia::review::Nearest;
    /// let reply = sophia::Engine::shipped().respond(&sophia::ChatRequest::new("Reisepass"));
    /// let nearest = Nearest::of(&reply.sources[0]);
    /// assert_eq!((nearest.id.as_str(), nearest.title.as_str()), ("1063453", "Reisepass"));
    /// ```
    pub fn of(source: &Source) -> Nearest {
        Nearest {
            id: source.id.clone(),
            title: clip(&source.title, MAX_QUESTION_CHARS),
            score: source.score,
        }
    }
}

/// An unanswered question, redacted, as one line of the review log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnansweredRecord {
    /// When (UTC, to the second; RFC 3339 in JSON).
    #[serde(serialize_with = "write_time", deserialize_with = "read_time")]
    time: OffsetDateTime,
    /// The tenant asked for.
    tenant: String,
    /// The question, redacted and clipped.
    text: String,
    /// Why it is kept.
    kind: RecordKind,
    /// The kind of reply Sophia gave.
    reply_kind: ReplyKind,
    /// What the reply was about, if anything.
    nearest: Option<Nearest>,
    /// The citizen's comment with negative feedback, redacted and clipped.
    comment: Option<String>,
}

impl UnansweredRecord {
    /// A service search Sophia had no answer for, asked now.
    ///
    /// ```
    /// use sophia::review::UnansweredRecord;
    /// let record = UnansweredRecord::fallback("muenchen", "Hundesteuer? Ich bin a@b.de");
    /// assert_eq!(record.text(), "Hundesteuer? Ich bin [E-Mail]");
    /// assert!(record.to_json_line().starts_with("{\"time\":\""));
    /// ```
    pub fn fallback(tenant: &str, question: &str) -> UnansweredRecord {
        UnansweredRecord {
            time: now(),
            tenant: tenant.to_string(),
            text: storable(question, MAX_QUESTION_CHARS),
            kind: RecordKind::Fallback,
            reply_kind: ReplyKind::Fallback,
            nearest: None,
            comment: None,
        }
    }

    /// An answer the citizen found not helpful, given now: the question, the kind of reply,
    /// what it was about and the comment, if any.
    ///
    /// ```
    /// use sophia::ReplyKind;
    /// use sophia::review::{RecordKind, UnansweredRecord};
    /// let record = UnansweredRecord::negative_feedback(
    ///     "muenchen", "Reisepass", ReplyKind::Service, None, Some("Ruf mich an: 0171 1234567"));
    /// assert_eq!(record.kind(), RecordKind::NegativeFeedback);
    /// assert_eq!(record.comment(), Some("Ruf mich an: [Telefon]"));
    /// ```
    pub fn negative_feedback(
        tenant: &str,
        question: &str,
        reply_kind: ReplyKind,
        nearest: Option<Nearest>,
        comment: Option<&str>,
    ) -> UnansweredRecord {
        UnansweredRecord {
            time: now(),
            tenant: tenant.to_string(),
            text: storable(question, MAX_QUESTION_CHARS),
            kind: RecordKind::NegativeFeedback,
            reply_kind,
            nearest,
            comment: comment
                .map(|c| storable(c, MAX_COMMENT_CHARS))
                .filter(|c| !c.is_empty()),
        }
    }

    /// The same record made at `time` (truncated to the second).
    pub fn at(self, time: OffsetDateTime) -> UnansweredRecord {
        UnansweredRecord {
            time: to_second(time),
            ..self
        }
    }

    /// When, in UTC.
    pub fn time(&self) -> OffsetDateTime {
        self.time
    }

    /// The tenant asked for.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The question, redacted.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Why it is kept.
    pub fn kind(&self) -> RecordKind {
        self.kind
    }

    /// The kind of reply given.
    pub fn reply_kind(&self) -> ReplyKind {
        self.reply_kind
    }

    /// What the reply was about.
    pub fn nearest(&self) -> Option<&Nearest> {
        self.nearest.as_ref()
    }

    /// The comment, redacted.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// The record as one line of JSON, without the line break.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("a record serialises")
    }

    /// Reads one line of JSON; the error names the field that is wrong.
    ///
    /// ```
    /// use sophia::review::UnansweredRecord;
    /// let record = UnansweredRecord::fallback("muenchen", "Hundesteuer");
    /// assert_eq!(UnansweredRecord::from_json_line(&record.to_json_line()).unwrap(), record);
    /// assert!(UnansweredRecord::from_json_line("{}").unwrap_err().contains("time"));
    /// ```
    pub fn from_json_line(line: &str) -> Result<UnansweredRecord, String> {
        serde_json::from_str(line).map_err(|e| {
            // The line is one line: its column is all there is to say about the place.
            let message = e.to_string();
            let place = format!(" at line {} column {}", e.line(), e.column());
            match message.strip_suffix(&place) {
                Some(message) => format!("not a review record: {message} (column {})", e.column()),
                None => format!("not a review record: {message}"),
            }
        })
    }
}

/// `text` as it may be stored: [redacted](redact), control characters and runs of white space
/// made one space, trimmed and clipped to `max_chars` characters.
///
/// ```
/// use sophia::review::record::storable;
/// assert_eq!(storable("  Tel.\n0171 1234567\t bitte ", 200), "Tel. [Telefon] bitte");
/// assert_eq!(storable("Reisepass beantragen", 9), "Reisepass");
/// ```
pub fn storable(text: &str, max_chars: usize) -> String {
    let redacted = redact(text);
    let mut one_line = String::with_capacity(redacted.len());
    for word in redacted
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !one_line.is_empty() {
            one_line.push(' ');
        }
        one_line.push_str(word);
    }
    clip(&one_line, max_chars)
}

/// `text` cut to `max_chars` characters.
fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => text[..end].trim_end().to_string(),
        None => text.to_string(),
    }
}

/// Now, in UTC, to the second.
pub(crate) fn now() -> OffsetDateTime {
    to_second(OffsetDateTime::now_utc())
}

fn to_second(time: OffsetDateTime) -> OffsetDateTime {
    time.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond")
}

fn write_time<S: Serializer>(time: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    let text = to_second(*time)
        .format(&Rfc3339)
        .map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

fn read_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    OffsetDateTime::parse(&text, &Rfc3339)
        .map(to_second)
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "field `time`: `{text}` is not an RFC 3339 time ({e})"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use time::macros::datetime;

    #[test]
    fn a_record_is_one_json_line_with_exactly_the_review_fields() {
        let record = UnansweredRecord::negative_feedback(
            "muenchen",
            "Reisepass\nfür max@web.de",
            ReplyKind::Aspect,
            Some(Nearest {
                id: "1063453".into(),
                title: "Reisepass".into(),
                score: Some(12.5),
            }),
            Some("hilft nicht"),
        )
        .at(datetime!(2026-12-04 10:15:30.987 +01:00));
        let line = record.to_json_line();
        assert!(!line.contains('\n'));
        let value: Value = serde_json::from_str(&line).unwrap();
        assert!(line.starts_with("{\"time\":"), "{line}");
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "comment",
                "kind",
                "nearest",
                "reply_kind",
                "tenant",
                "text",
                "time"
            ]
        );
        assert_eq!(value["time"], "2026-12-04T09:15:30Z");
        assert_eq!(value["text"], "Reisepass für [E-Mail]");
        assert_eq!(value["kind"], "negative_feedback");
        assert_eq!(value["reply_kind"], "aspect");
        assert_eq!(value["nearest"]["title"], "Reisepass");
        assert_eq!(value["comment"], "hilft nicht");
    }

    #[test]
    fn a_fallback_has_no_nearest_and_no_comment() {
        let line = UnansweredRecord::fallback("a", "x").to_json_line();
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["kind"], "fallback");
        assert_eq!(value["reply_kind"], "fallback");
        assert!(value["nearest"].is_null() && value["comment"].is_null());
        let time = value["time"].as_str().unwrap();
        assert!(time.ends_with('Z') && !time.contains('.'), "{time}");
    }

    #[test]
    fn records_round_trip() {
        let record =
            UnansweredRecord::fallback("muenchen", "Hund").at(datetime!(2026-01-02 03:04:05 UTC));
        assert_eq!(
            UnansweredRecord::from_json_line(&record.to_json_line()),
            Ok(record)
        );
    }

    #[test]
    fn bad_lines_name_what_is_wrong() {
        let good = UnansweredRecord::fallback("a", "x").to_json_line();
        for (line, expected) in [
            ("not json", "not a review record: expected ident (column 2)"),
            ("kaputt", "not a review record: expected value (column 1)"),
            (r#"{"time":"gestern"}"#, "field `time`"),
            (
                &good.replace("\"fallback\"", "\"other\""),
                "unknown variant",
            ),
            (&good.replace("\"tenant\"", "\"ip\""), "unknown field `ip`"),
        ] {
            let err = UnansweredRecord::from_json_line(line).unwrap_err();
            assert!(err.contains(expected), "{line}: {err}");
        }
    }

    #[test]
    fn texts_are_redacted_clipped_and_one_line() {
        let long = "Reisepass ".repeat(50) + "089/123456";
        let record = UnansweredRecord::fallback("a", &long);
        assert_eq!(record.text().chars().count(), MAX_QUESTION_CHARS - 1);
        assert!(!record.text().ends_with(' '));
        let record = UnansweredRecord::negative_feedback(
            "a",
            "x",
            ReplyKind::Service,
            None,
            Some("  \u{0}\r\n "),
        );
        assert_eq!(record.comment(), None, "a blank comment is no comment");
        assert_eq!(storable("089/123456\u{1b}[31m", 200), "[Telefon] [31m");
    }
}
