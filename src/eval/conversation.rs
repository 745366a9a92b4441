//! Conversation evaluation: single messages that are small talk, off-topic or about services
//! the catalogue lacks, and multi-turn dialogs whose context is carried from turn to turn.
//!
//! A conversation set is a TOML file of `[[utterance]]` tables (`q`, `intent`: a small-talk
//! intent, `off_topic` or `missing_service`) and `[[dialog]]` tables with `[[dialog.turn]]`
//! (`q`, `expect`: the service ids the reply must be about, empty when no service is right;
//! `clarify = true` when a choice offering `expect` is the right reply; `aspect` when the
//! turn asks for one part).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::dialog::{ChatRequest, Engine, Reply, ReplyKind};
use crate::nlu::Aspect;

/// The intent label of an administrative request the catalogue has no service for.
pub const MISSING_SERVICE: &str = "missing_service";

/// One single message with its expected intent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Utterance {
    /// The message.
    pub q: String,
    /// A small-talk intent, `off_topic` or `missing_service`.
    pub intent: String,
}

/// One turn of a dialog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    /// The message.
    pub q: String,
    /// The service ids the reply must be about; empty when no service is right.
    pub expect: Vec<String>,
    /// A choice offering `expect` is the right reply.
    #[serde(default)]
    pub clarify: bool,
    /// The part asked for.
    #[serde(default)]
    pub aspect: Option<Aspect>,
}

/// A multi-turn dialog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dialog {
    /// What the dialog is about.
    pub name: String,
    /// The turns, in order.
    pub turn: Vec<Turn>,
}

/// A conversation set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationSet {
    /// Single messages.
    #[serde(default)]
    pub utterance: Vec<Utterance>,
    /// Dialogs.
    #[serde(default)]
    pub dialog: Vec<Dialog>,
}

/// Parses a conversation set; `file` names it in errors.
///
/// ```
/// let set = sophia::eval::conversation::parse("c.toml", "[[utterance]]\nq = \"hallo\"\nintent = \"greeting\"\n").unwrap();
/// assert_eq!(set.utterance[0].intent, "greeting");
/// ```
pub fn parse(file: &str, text: &str) -> Result<ConversationSet, String> {
    toml::from_str(text).map_err(|e| format!("{file}: {}", e.to_string().trim_end()))
}

/// True when `text` is a conversation set (it has `[[utterance]]` or `[[dialog]]` tables)
/// rather than a question set.
///
/// ```
/// use sophia::eval::conversation::is_conversation_set;
/// assert!(is_conversation_set("[[dialog]]\nname = \"x\"\n"));
/// assert!(!is_conversation_set("[[case]]\nq = \"x\"\nexpect = []\n"));
/// ```
pub fn is_conversation_set(text: &str) -> bool {
    toml::from_str::<toml::Table>(text)
        .is_ok_and(|t| t.contains_key("utterance") || t.contains_key("dialog"))
}

/// The figures of a conversation set, as fractions between 0 and 1 (with their counts).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConversationScores {
    /// Small-talk messages answered with the right small-talk intent.
    pub small_talk_accuracy: f64,
    /// Number of small-talk messages.
    pub small_talk: usize,
    /// Off-topic messages and requests for missing services answered without naming a
    /// service.
    pub declined: f64,
    /// Number of off-topic and missing-service messages.
    pub out_of_scope: usize,
    /// Dialog turns answered about the right service (or rightly about none).
    pub turn_accuracy: f64,
    /// Number of dialog turns.
    pub turns: usize,
    /// Turns asking for a part, answered with that part of the right service.
    pub aspect_accuracy: f64,
    /// Number of turns asking for a part.
    pub aspect_turns: usize,
    /// Dialogs with every turn right.
    pub dialogs_right: f64,
    /// Number of dialogs.
    pub dialogs: usize,
}

/// The result of running a conversation set: figures and the misses as readable lines.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConversationReport {
    /// The figures.
    pub scores: ConversationScores,
    /// One line per wrong reply.
    pub misses: Vec<String>,
}

/// True when the reply to `turn` is what the turn expects.
pub fn turn_right(turn: &Turn, reply: &Reply) -> bool {
    let ids: Vec<&str> = reply.sources.iter().map(|s| s.id.as_str()).collect();
    if turn.expect.is_empty() {
        return ids.is_empty();
    }
    if turn.clarify {
        return reply.kind == ReplyKind::Clarify
            && turn.expect.iter().all(|id| ids.contains(&id.as_str()));
    }
    matches!(reply.kind, ReplyKind::Service | ReplyKind::Aspect)
        && ids
            .first()
            .is_some_and(|id| turn.expect.iter().any(|e| e == id))
}

/// Runs every utterance and dialog of `set`.
pub fn run(engine: &Engine, set: &ConversationSet) -> ConversationReport {
    let mut report = ConversationReport::default();
    let (mut small_talk_right, mut declined) = (0usize, 0usize);
    for u in &set.utterance {
        let reply = engine.respond(&ChatRequest::new(u.q.clone()));
        let right = if u.intent == "off_topic" || u.intent == MISSING_SERVICE {
            report.scores.out_of_scope += 1;
            let ok = reply.sources.is_empty();
            declined += usize::from(ok);
            ok
        } else {
            report.scores.small_talk += 1;
            let ok = reply.kind == ReplyKind::Smalltalk && reply.intent.name == u.intent;
            small_talk_right += usize::from(ok);
            ok
        };
        if !right {
            report.misses.push(format!(
                "{:?}: want {}, got {:?} {} {:?}",
                u.q,
                u.intent,
                reply.kind,
                reply.intent.name,
                reply.sources.first().map(|s| &s.title)
            ));
        }
    }
    let (mut turns_right, mut aspects_right, mut dialogs_right) = (0usize, 0usize, 0usize);
    for dialog in &set.dialog {
        let mut context: Option<String> = None;
        let mut all_right = true;
        for (i, turn) in dialog.turn.iter().enumerate() {
            let reply = engine.respond(&ChatRequest {
                message: turn.q.clone(),
                context: context.take(),
                ..Default::default()
            });
            let right = turn_right(turn, &reply);
            report.scores.turns += 1;
            turns_right += usize::from(right);
            if let Some(aspect) = turn.aspect {
                report.scores.aspect_turns += 1;
                aspects_right += usize::from(right && reply.aspect == Some(aspect));
                // The right service, but not the part asked for: a miss of the aspect score.
                if right && reply.aspect != Some(aspect) {
                    report.misses.push(format!(
                        "{} (turn {}) {:?}: want the part {aspect:?}, got {:?} {:?}",
                        dialog.name,
                        i + 1,
                        turn.q,
                        reply.kind,
                        reply.aspect
                    ));
                }
            }
            if !right {
                all_right = false;
                report.misses.push(format!(
                    "{} (turn {}) {:?}: want {:?}{}, got {:?} {:?}",
                    dialog.name,
                    i + 1,
                    turn.q,
                    turn.expect,
                    if turn.clarify { " as choices" } else { "" },
                    reply.kind,
                    reply
                        .sources
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                ));
            }
            context = Some(reply.context);
        }
        report.scores.dialogs += 1;
        dialogs_right += usize::from(all_right);
    }
    let share = |right: usize, n: usize| if n == 0 { 0.0 } else { right as f64 / n as f64 };
    let s = &mut report.scores;
    s.small_talk_accuracy = share(small_talk_right, s.small_talk);
    s.declined = share(declined, s.out_of_scope);
    s.turn_accuracy = share(turns_right, s.turns);
    s.aspect_accuracy = share(aspects_right, s.aspect_turns);
    s.dialogs_right = share(dialogs_right, s.dialogs);
    report
}

impl ConversationReport {
    /// The report as text, with the misses when `misses` is true.
    pub fn render(&self, misses: bool) -> String {
        let s = &self.scores;
        let mut out = String::new();
        for (label, share, n) in [
            (
                "small-talk intent accuracy",
                s.small_talk_accuracy,
                s.small_talk,
            ),
            ("out of scope declined", s.declined, s.out_of_scope),
            ("dialog turns right", s.turn_accuracy, s.turns),
            ("aspect answers right", s.aspect_accuracy, s.aspect_turns),
            ("dialogs right throughout", s.dialogs_right, s.dialogs),
        ] {
            let _ = writeln!(out, "{label:<26} {:>6.1}%  (n = {n})", share * 100.0);
        }
        if misses && !self.misses.is_empty() {
            let _ = writeln!(out, "\nmisses ({}):", self.misses.len());
            for m in &self.misses {
                let _ = writeln!(out, "- {m}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialog::{IntentScore, Source};

    fn reply(kind: ReplyKind, ids: &[&str]) -> Reply {
        Reply {
            kind,
            text: String::new(),
            html: None,
            intent: IntentScore {
                name: "service_search".into(),
                confidence: 1.0,
            },
            aspect: None,
            sources: ids
                .iter()
                .map(|id| Source {
                    kind: "service".into(),
                    id: id.to_string(),
                    title: String::new(),
                    url: None,
                    score: None,
                    updated: None,
                    attribution: None,
                })
                .collect(),
            offices: Vec::new(),
            suggestions: Vec::new(),
            context: String::new(),
        }
    }

    fn turn(expect: &[&str], clarify: bool) -> Turn {
        Turn {
            q: "q".into(),
            expect: expect.iter().map(|s| s.to_string()).collect(),
            clarify,
            aspect: None,
        }
    }

    #[test]
    fn a_direct_turn_needs_the_right_service_first() {
        assert!(turn_right(
            &turn(&["a"], false),
            &reply(ReplyKind::Service, &["a"])
        ));
        assert!(!turn_right(
            &turn(&["a"], false),
            &reply(ReplyKind::Clarify, &["a", "b"])
        ));
        assert!(!turn_right(
            &turn(&["a"], false),
            &reply(ReplyKind::Service, &["b"])
        ));
    }

    #[test]
    fn a_clarify_turn_needs_every_expected_choice() {
        assert!(turn_right(
            &turn(&["a", "b"], true),
            &reply(ReplyKind::Clarify, &["b", "a", "c"])
        ));
        assert!(!turn_right(
            &turn(&["a", "b"], true),
            &reply(ReplyKind::Clarify, &["a", "c"])
        ));
    }

    #[test]
    fn a_turn_without_service_needs_no_source() {
        assert!(turn_right(
            &turn(&[], false),
            &reply(ReplyKind::Smalltalk, &[])
        ));
        assert!(!turn_right(
            &turn(&[], false),
            &reply(ReplyKind::Service, &["a"])
        ));
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_file() {
        let err = parse("c.toml", "[[utterance]]\nq = \"x\"\nintnt = \"greeting\"\n").unwrap_err();
        assert!(err.starts_with("c.toml:"), "{err}");
    }
}
