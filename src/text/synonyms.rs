//! Synonyms: the words citizens type mapped to the words the catalogue uses.
//!
//! A synonym file has one rule a line, `word = alternative, alternative`; `#` starts a
//! comment. Both sides are analysed like all text (normalised and stemmed), so umlaut
//! spellings, inflections and case don't matter. Applied at query time only, so editing
//! synonyms never needs a new catalogue index.

use std::collections::HashMap;

use tantivy::tokenizer::TextAnalyzer;

use super::{intent_analyzer, tokens};

/// The shipped synonym file.
pub const SHIPPED_SYNONYMS: &str = include_str!("../../packs/synonyms.txt");

/// A broken line of a synonym file: `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct SynonymError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Analysed word -> analysed alternatives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    map: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// The shipped synonyms.
    ///
    /// ```
    /// let s = sophia::text::Synonyms::shipped();
    /// assert!(s.alternatives("perso").contains(&"personalausweis".to_string()));
    /// ```
    pub fn shipped() -> Synonyms {
        Self::parse("packs/synonyms.txt", SHIPPED_SYNONYMS)
            .expect("the shipped synonyms are valid; a test guards them")
    }

    /// Parses a synonym file; `file` names it in errors. Every broken line is reported.
    pub fn parse(file: &str, text: &str) -> Result<Synonyms, Vec<SynonymError>> {
        // Stop words are kept: "weg" or "tot" may be exactly the word a rule is about.
        let mut analyzer: TextAnalyzer = intent_analyzer();
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        let mut errors = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let error = |column: usize, message: &str| SynonymError {
                file: file.to_string(),
                line: index + 1,
                column,
                message: message.to_string(),
            };
            let Some((left, right)) = line.split_once('=') else {
                errors.push(error(1, "expected `word = alternative, alternative`"));
                continue;
            };
            let key = tokens(&mut analyzer, left);
            let [key] = key.as_slice() else {
                errors.push(error(
                    1,
                    "the left side must be exactly one word (write one rule per word)",
                ));
                continue;
            };
            let column = raw.find('=').map_or(1, |c| c + 2);
            let alternatives: Vec<String> = right
                .split(',')
                .flat_map(|alt| tokens(&mut analyzer, alt))
                .filter(|alt| alt != key)
                .collect();
            if alternatives.is_empty() {
                errors.push(error(column, "no alternative after `=`"));
                continue;
            }
            let entry = map.entry(key.clone()).or_default();
            for alt in alternatives {
                if !entry.contains(&alt) {
                    entry.push(alt);
                }
            }
        }
        if errors.is_empty() {
            Ok(Synonyms { map })
        } else {
            Err(errors)
        }
    }

    /// Adds the rules of `other` (a pack's synonyms beside the shipped ones).
    ///
    /// ```
    /// use sophia::text::Synonyms;
    /// let mut all = Synonyms::shipped();
    /// all.extend(&Synonyms::parse("lokal/synonyms.txt", "wertstoffinsel = container").unwrap());
    /// assert!(all.alternatives("wertstoffinsel").contains(&"contain".to_string()));
    /// assert!(!all.alternatives("perso").is_empty());
    /// ```
    pub fn extend(&mut self, other: &Synonyms) {
        for (key, alternatives) in &other.map {
            let entry = self.map.entry(key.clone()).or_default();
            for alt in alternatives {
                if !entry.contains(alt) {
                    entry.push(alt.clone());
                }
            }
        }
    }

    /// The alternatives of an analysed word (empty when it has none).
    pub fn alternatives(&self, analysed: &str) -> &[String] {
        self.map.get(analysed).map_or(&[], Vec::as_slice)
    }

    /// The analysed words that have alternatives, in no particular order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// Number of words with alternatives.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{normalize_word, stem_word};

    fn stem(w: &str) -> String {
        stem_word(&normalize_word(w))
    }

    #[test]
    fn colloquial_id_words_reach_the_official_name() {
        let s = Synonyms::shipped();
        assert!(
            s.alternatives(&stem("Perso"))
                .contains(&stem("Personalausweis"))
        );
        assert!(
            s.alternatives(&stem("geklaut"))
                .contains(&stem("Diebstahl"))
        );
    }

    #[test]
    fn vehicle_words_reach_fahrzeug() {
        let s = Synonyms::shipped();
        for w in ["Kfz", "Auto", "PKW"] {
            assert!(s.alternatives(&stem(w)).contains(&stem("Fahrzeug")), "{w}");
        }
    }

    #[test]
    fn licence_words_meet_both_ways() {
        let s = Synonyms::shipped();
        assert!(
            s.alternatives(&stem("Führerschein"))
                .contains(&stem("Fahrerlaubnis"))
        );
        assert!(
            s.alternatives(&stem("Fahrerlaubnis"))
                .contains(&stem("Führerschein"))
        );
    }

    #[test]
    fn moving_words_reach_registration() {
        let s = Synonyms::shipped();
        assert!(
            s.alternatives(&stem("umgezogen"))
                .contains(&stem("Ummeldung"))
        );
        assert!(
            s.alternatives(&stem("Umzug"))
                .contains(&stem("Wohnsitzanmeldung"))
        );
        // "ich muss mich ummelden" is about the registration; a vehicle's re-registration
        // is found through the vehicle's word ("Auto ummelden"), not through the verb.
        assert!(
            !s.alternatives(&stem("ummelden"))
                .contains(&stem("Umschreibung"))
        );
    }

    #[test]
    fn life_events_reach_their_services() {
        let s = Synonyms::shipped();
        assert!(
            s.alternatives(&stem("heiraten"))
                .contains(&stem("Eheschließung"))
        );
        assert!(
            s.alternatives(&stem("gestorben"))
                .contains(&stem("Sterbeurkunde"))
        );
    }

    #[test]
    fn everyday_words_reach_their_services() {
        let s = Synonyms::shipped();
        for (word, official) in [
            ("Autobrief", "Fahrzeugbrief"),
            ("Geheimzahl", "PIN"),
            ("Todesurkunde", "Sterbeurkunde"),
            ("Aufenthaltsgenehmigung", "Aufenthaltserlaubnis"),
            ("Radl", "Fahrrad"),
            ("Vorstrafe", "Führungszeugnis"),
        ] {
            assert!(
                s.alternatives(&stem(word)).contains(&stem(official)),
                "{word} → {official}: {:?}",
                s.alternatives(&stem(word))
            );
        }
    }

    #[test]
    fn verbs_reach_their_nouns_with_another_vowel() {
        let s = Synonyms::shipped();
        for (verb, noun) in [
            ("abgeben", "Abgabe"),
            ("abgegeben", "Abgabe"),
            ("teilnehmen", "Teilnahme"),
            ("eingezogen", "Einzug"),
            ("eingezogen", "Wohnsitzanmeldung"),
        ] {
            assert!(
                s.alternatives(&stem(verb)).contains(&stem(noun)),
                "{verb} → {noun}"
            );
        }
        // A father named in passing ("mein Vater ist verstorben") is no paternity question.
        assert!(s.alternatives(&stem("Vater")).is_empty());
    }

    #[test]
    fn umlaut_spellings_of_rules_meet() {
        let s = Synonyms::parse("t", "Knöllchen = Verwarnungsgeld\n").unwrap();
        assert_eq!(
            s.alternatives(&stem("knoellchen")),
            [stem("Verwarnungsgeld")]
        );
    }

    #[test]
    fn broken_lines_are_reported_with_file_and_line() {
        let errors = Synonyms::parse(
            "syn.txt",
            "# c\nperso personalausweis\nzwei worte = x\nleer =\n",
        )
        .unwrap_err();
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("syn.txt:2:1:"), "{lines:?}");
        assert!(lines[1].starts_with("syn.txt:3:1:"), "{lines:?}");
        assert!(lines[2].starts_with("syn.txt:4:"), "{lines:?}");
    }
}
