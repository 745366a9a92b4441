//! Which part of a service a message asks for: fees, documents, where, online, ...
//!
//! The cues are data (`intents/aspects.toml`), matched on the intent analyzer's tokens
//! (normalised and stemmed, stop words kept: "wo" and "wie lange" are cues).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TextAnalyzer;

use crate::text;

/// The shipped aspect cues.
pub const SHIPPED_ASPECTS: &str = include_str!("../../intents/aspects.toml");

/// A part of a service description a citizen may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aspect {
    /// What it costs.
    Fees,
    /// Which documents to bring.
    Documents,
    /// How long it takes.
    Duration,
    /// Where to go.
    Location,
    /// The online application.
    Online,
    /// Booking an appointment.
    Appointment,
    /// Who may apply, under which conditions.
    Prerequisites,
}

impl Aspect {
    /// All aspects.
    pub const ALL: [Aspect; 7] = [
        Aspect::Fees,
        Aspect::Documents,
        Aspect::Duration,
        Aspect::Location,
        Aspect::Online,
        Aspect::Appointment,
        Aspect::Prerequisites,
    ];

    /// The name used in files and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Fees => "fees",
            Aspect::Documents => "documents",
            Aspect::Duration => "duration",
            Aspect::Location => "location",
            Aspect::Online => "online",
            Aspect::Appointment => "appointment",
            Aspect::Prerequisites => "prerequisites",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cues {
    cues: Vec<String>,
    /// Cues that count only when no other aspect's cue occurs: nouns that are often the
    /// object of another aspect's question ("was muss ich zum Termin mitbringen?").
    #[serde(default)]
    weak_cues: Vec<String>,
}

#[derive(Deserialize)]
struct CueFile {
    #[serde(default)]
    follow_up_words: Vec<String>,
    #[serde(default)]
    pointing_words: Vec<String>,
    #[serde(flatten)]
    aspects: BTreeMap<String, Cues>,
}

/// The aspect found in a message and the analysed words that signalled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AspectMatch {
    /// The aspect.
    pub aspect: Aspect,
    /// The analysed cue tokens found in the message.
    pub cue_tokens: Vec<String>,
}

/// Finds the aspect a message asks for.
#[derive(Clone)]
pub struct AspectDetector {
    /// Per aspect, its cue phrases as analysed token sequences.
    cues: Vec<(Aspect, Vec<Vec<String>>)>,
    /// Per aspect, the phrases that count only when no aspect has a cue from `cues`.
    weak_cues: Vec<(Aspect, Vec<Vec<String>>)>,
    /// Analysed words that may stand beside a cue in a follow-up.
    follow_up_words: Vec<String>,
    /// Analysed words that point back to what was talked about ("dafür", "dort").
    pointing_words: Vec<String>,
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for AspectDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AspectDetector")
            .field("cues", &self.cues)
            .finish()
    }
}

impl AspectDetector {
    /// The detector with the shipped cues.
    ///
    /// ```
    /// use sophia::nlu::{Aspect, AspectDetector};
    /// let d = AspectDetector::shipped();
    /// assert_eq!(d.detect("Was kostet ein Reisepass?").unwrap().aspect, Aspect::Fees);
    /// assert_eq!(d.detect("wo kann ich mich ummelden").unwrap().aspect, Aspect::Location);
    /// assert!(d.detect("Reisepass").is_none());
    /// ```
    pub fn shipped() -> Self {
        Self::parse("intents/aspects.toml", SHIPPED_ASPECTS)
            .expect("the shipped aspect cues are valid; a test guards them")
    }

    /// Parses a cue file; `file` names it in errors.
    pub fn parse(file: &str, source: &str) -> Result<Self, String> {
        let parsed: CueFile =
            toml::from_str(source).map_err(|e| format!("{file}: {}", e.to_string().trim_end()))?;
        let mut analyzer = text::intent_analyzer();
        let follow_up_words = parsed
            .follow_up_words
            .iter()
            .flat_map(|w| text::tokens(&mut analyzer, w))
            .collect();
        let pointing_words = parsed
            .pointing_words
            .iter()
            .flat_map(|w| text::tokens(&mut analyzer, w))
            .collect();
        let mut cues = Vec::new();
        let mut weak_cues = Vec::new();
        for (name, table) in parsed.aspects {
            let aspect = Aspect::ALL
                .into_iter()
                .find(|a| a.as_str() == name)
                .ok_or_else(|| {
                    format!("{file}: unknown aspect [{name}]; known: fees, documents, duration, location, online, appointment, prerequisites")
                })?;
            let mut phrases = |list: &[String]| -> Vec<Vec<String>> {
                list.iter()
                    .map(|c| text::tokens(&mut analyzer, c))
                    .filter(|t| !t.is_empty())
                    .collect()
            };
            cues.push((aspect, phrases(&table.cues)));
            weak_cues.push((aspect, phrases(&table.weak_cues)));
        }
        Ok(AspectDetector {
            cues,
            weak_cues,
            follow_up_words,
            pointing_words,
            analyzer,
        })
    }

    /// The aspect `message` asks for, if any. When cues of several aspects occur, the one
    /// whose cues cover the most words wins, then the one named first in the message.
    pub fn detect(&self, message: &str) -> Option<AspectMatch> {
        let tokens = text::tokens(&mut self.analyzer.clone(), message);
        self.detect_tokens(&tokens)
    }

    /// True when every one of `words` (analysed) may stand beside an aspect cue in a
    /// follow-up question ("machen", "dafür").
    pub fn only_follow_up_words<'a>(&self, words: impl IntoIterator<Item = &'a String>) -> bool {
        words.into_iter().all(|w| self.follow_up_words.contains(w))
    }

    /// True when `message` holds a word that points back to what was talked about
    /// ("brauche ich dafür einen Termin?", "wie komme ich dorthin?").
    ///
    /// ```
    /// use sophia::nlu::AspectDetector;
    /// let d = AspectDetector::shipped();
    /// assert!(d.points_back("brauch ich dafuer einen termin"));
    /// assert!(d.points_back("Wann hat das Amt dort offen?"));
    /// assert!(!d.points_back("brauche ich einen Termin beim Bürgerbüro"));
    /// ```
    pub fn points_back(&self, message: &str) -> bool {
        text::tokens(&mut self.analyzer.clone(), message)
            .iter()
            .any(|t| self.pointing_words.contains(t))
    }

    /// Like [`AspectDetector::detect`] on already analysed tokens.
    pub fn detect_tokens(&self, tokens: &[String]) -> Option<AspectMatch> {
        best_match(&self.cues, tokens).or_else(|| best_match(&self.weak_cues, tokens))
    }
}

/// The aspect whose `cues` cover the most of `tokens`, then the one named first.
fn best_match(cues: &[(Aspect, Vec<Vec<String>>)], tokens: &[String]) -> Option<AspectMatch> {
    let mut best: Option<(usize, usize, AspectMatch)> = None;
    for (aspect, phrases) in cues {
        let mut covered = vec![false; tokens.len()];
        let mut first = usize::MAX;
        for phrase in phrases {
            for start in 0..tokens.len().saturating_sub(phrase.len() - 1) {
                if tokens[start..start + phrase.len()] == phrase[..] {
                    covered[start..start + phrase.len()].fill(true);
                    first = first.min(start);
                }
            }
        }
        let count = covered.iter().filter(|c| **c).count();
        if count == 0 {
            continue;
        }
        let better = match &best {
            None => true,
            Some((c, f, _)) => count > *c || (count == *c && first < *f),
        };
        if better {
            let cue_tokens = tokens
                .iter()
                .zip(&covered)
                .filter(|(_, c)| **c)
                .map(|(t, _)| t.clone())
                .collect();
            best = Some((
                count,
                first,
                AspectMatch {
                    aspect: *aspect,
                    cue_tokens,
                },
            ));
        }
    }
    best.map(|(_, _, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aspect(message: &str) -> Option<Aspect> {
        AspectDetector::shipped().detect(message).map(|m| m.aspect)
    }

    #[test]
    fn finds_each_aspect_in_citizen_wording() {
        assert_eq!(aspect("wieviel kostet der perso"), Some(Aspect::Fees));
        assert_eq!(
            aspect("gebuehren fuehrerschein umschreiben"),
            Some(Aspect::Fees)
        );
        assert_eq!(
            aspect("welche unterlagen brauche ich für die anmeldung"),
            Some(Aspect::Documents)
        );
        assert_eq!(
            aspect("wie lange dauert ein reisepass"),
            Some(Aspect::Duration)
        );
        assert_eq!(aspect("wo melde ich mein auto ab"), Some(Aspect::Location));
        assert_eq!(
            aspect("kann ich das gewerbe online anmelden"),
            Some(Aspect::Online)
        );
        assert_eq!(
            aspect("termin für personalausweis"),
            Some(Aspect::Appointment)
        );
        assert_eq!(
            aspect("voraussetzungen einbürgerung"),
            Some(Aspect::Prerequisites)
        );
        // Who may: the citizen, someone for them, anyone.
        for message in [
            "darf man als deutscher zwei pässe haben",
            "darf meine tochter das für mich beantragen",
            "dürfen wir als ausländer hier heiraten",
        ] {
            assert_eq!(aspect(message), Some(Aspect::Prerequisites), "{message}");
        }
    }

    #[test]
    fn a_weak_cue_yields_to_another_aspect() {
        assert_eq!(
            aspect("was muss ich zum termin mitbringen"),
            Some(Aspect::Documents)
        );
        assert_eq!(aspect("dauert der termin lange"), Some(Aspect::Duration));
        assert_eq!(aspect("brauch ich da n termin"), Some(Aspect::Appointment));
    }

    #[test]
    fn no_aspect_without_cues() {
        assert_eq!(aspect("reisepass beantragen"), None);
        assert_eq!(aspect(""), None);
    }

    #[test]
    fn cue_tokens_are_reported_for_removal_from_the_query() {
        let m = AspectDetector::shipped()
            .detect("Was kostet ein Reisepass")
            .unwrap();
        assert!(!m.cue_tokens.is_empty());
        assert!(m.cue_tokens.iter().all(|t| !t.contains("reisepass")));
    }

    #[test]
    fn unknown_aspect_names_are_errors() {
        let err = AspectDetector::parse("a.toml", "[price]\ncues = [\"x\"]\n").unwrap_err();
        assert!(err.contains("a.toml") && err.contains("[price]"), "{err}");
    }
}
