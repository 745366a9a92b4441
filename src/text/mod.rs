//! German text analysis: a tantivy tokenizer and token filters, and the two analyzers built
//! from them.
//!
//! The chain, one step a file:
//!
//! | step | type | function for one word |
//! |------|------|-----------------------|
//! | split into words | [`GermanTokenizer`] | [`words`] |
//! | lower case, umlauts, `ß`, diacritics | [`GermanNormalizer`] | [`normalize_word`] |
//! | drop stop words (retrieval only) | [`GermanStopWords`] | [`is_stop_word`] |
//! | Snowball German stem | [`GermanStemmer`] | [`stem_word`] |
//!
//! [`retrieval_analyzer`] runs all four steps; [`intent_analyzer`] skips the stop words,
//! because "wo", "wann", "nicht" or "du" tell what a citizen wants even though they do not
//! help to find a service. [`explain`] shows each step for each word.
//!
//! Index and query must use the same analyzer *and* the same [`ANALYZER_VERSION`].
//!
//! # Example
//! ```rust
//! use sophia::text::{retrieval_analyzer, tokens};
//!
//! let mut analyzer = retrieval_analyzer();
//! assert_eq!(
//!     tokens(&mut analyzer, "Wo kann ich meinen Führerschein umschreiben?"),
//!     ["fuhrerschein", "umschreib"]
//! );
//! assert_eq!(
//!     tokens(&mut analyzer, "fuehrerscheine"),
//!     tokens(&mut analyzer, "FÜHRERSCHEIN")
//! );
//! ```

pub mod common;
pub mod decompound;
pub mod fnv;
pub mod normalize;
pub mod separable;
pub mod situation;
pub mod stem;
pub mod stopwords;
pub mod synonyms;
pub mod tokenizer;
pub mod typo;
pub mod zu_infinitive;

use serde::Serialize;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

pub use common::is_common_word;
pub use decompound::{Decompounder, Dictionary};
pub use fnv::Fnv;
pub use normalize::{GermanNormalizer, normalize_word};
pub use separable::{separated_particles, verb_stems};
pub use situation::is_situation_word;
pub use stem::{GermanStemmer, stem_word};
pub use stopwords::{GermanStopWords, is_stop_word};
pub use synonyms::{SHIPPED_SYNONYMS, SynonymError, Synonyms};
pub use tokenizer::{GermanTokenizer, MAX_WORD_CHARS, words};
pub use typo::{Correction, TypoCorrector, Vocabulary};
pub use zu_infinitive::{ZuInfinitive, join_zu_infinitive};

/// Version of the analysis. Bump it whenever a change to this module changes the tokens of
/// any text (tokenizer rules, normalisation, stop-word list, stemmer, or a dependency
/// update that changes stems): an index built with another version must be rebuilt.
///
/// # Example
/// ```rust
/// assert!(sophia::text::ANALYZER_VERSION >= 1);
/// ```
pub const ANALYZER_VERSION: u32 = 5;

/// The words of a shipped word list (`stopwords_de.txt`, `situation_de.txt`,
/// `common_de.txt`) as written: one word a line, `#` starts a comment, blank lines skipped.
pub(crate) fn list_words(list: &str) -> impl Iterator<Item = &str> {
    list.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|word| !word.is_empty())
}

/// The analyzer for indexing and searching service texts: words, normalised, without stop
/// words, stemmed.
///
/// # Example
/// ```rust
/// use sophia::text::{retrieval_analyzer, tokens};
///
/// let mut analyzer = retrieval_analyzer();
/// assert_eq!(
///     tokens(&mut analyzer, "Ich möchte einen Reisepass beantragen"),
///     ["reisepass", "beantrag"]
/// );
/// ```
pub fn retrieval_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(GermanTokenizer::default())
        .filter(GermanNormalizer)
        .filter(ZuInfinitive)
        .filter(GermanStopWords)
        .filter(GermanStemmer)
        .build()
}

/// The retrieval analyzer followed by compound splitting with `dictionary`: each compound
/// token is followed by its parts at the same position.
///
/// # Example
/// ```rust
/// use std::sync::Arc;
/// use sophia::text::{Dictionary, retrieval_analyzer_with, tokens};
///
/// let dictionary = Arc::new(Dictionary::from_words(["wohnsitz", "anmeld"]));
/// let mut analyzer = retrieval_analyzer_with(dictionary);
/// assert_eq!(tokens(&mut analyzer, "Wohnsitzanmeldung"), ["wohnsitzanmeld", "wohnsitz", "anmeld"]);
/// ```
pub fn retrieval_analyzer_with(dictionary: std::sync::Arc<Dictionary>) -> TextAnalyzer {
    TextAnalyzer::builder(GermanTokenizer::default())
        .filter(GermanNormalizer)
        .filter(ZuInfinitive)
        .filter(GermanStopWords)
        .filter(GermanStemmer)
        .filter(Decompounder::new(dictionary))
        .build()
}

/// The analyzer for intent detection: like [`retrieval_analyzer`] but keeps stop words,
/// since function words ("wo", "was", "wie", "nicht", "du") carry intent.
///
/// # Example
/// ```rust
/// use sophia::text::{intent_analyzer, tokens};
///
/// let mut analyzer = intent_analyzer();
/// assert_eq!(
///     tokens(&mut analyzer, "Wo ist das Bürgerbüro?"),
///     ["wo", "ist", "das", "burgerburo"]
/// );
/// ```
pub fn intent_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(GermanTokenizer::default())
        .filter(GermanNormalizer)
        .filter(ZuInfinitive)
        .filter(GermanStemmer)
        .build()
}

/// The token texts `analyzer` produces for `text`, in order.
///
/// # Example
/// ```rust
/// use sophia::text::{intent_analyzer, tokens};
///
/// assert_eq!(tokens(&mut intent_analyzer(), "Gewerbe-Anmeldung"), ["gewerb", "anmeld"]);
/// ```
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut texts = Vec::new();
    while let Some(token) = stream.next() {
        texts.push(token.text.clone());
    }
    texts
}

/// What the retrieval chain does to one word of the input, see [`explain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordTrace {
    /// The word as written in the input.
    pub original: String,
    /// After [`normalize_word`].
    pub normalized: String,
    /// Whether [`is_stop_word`] drops it from retrieval.
    pub stop_word: bool,
    /// After [`stem_word`]: the token the retrieval analyzer produces, `None` for a stop
    /// word.
    pub stemmed: Option<String>,
}

/// Each step of the retrieval chain for each word of `text`.
///
/// Built from the same per-word functions as the filters, so the `stemmed` values are
/// exactly the tokens of [`retrieval_analyzer`].
///
/// # Example
/// ```rust
/// use sophia::text::{WordTrace, explain};
///
/// assert_eq!(
///     explain("Die Gebühren"),
///     [
///         WordTrace {
///             original: "Die".into(),
///             normalized: "die".into(),
///             stop_word: true,
///             stemmed: None,
///         },
///         WordTrace {
///             original: "Gebühren".into(),
///             normalized: "gebuhren".into(),
///             stop_word: false,
///             stemmed: Some("gebuhr".into()),
///         },
///     ]
/// );
/// ```
pub fn explain(text: &str) -> Vec<WordTrace> {
    words(text)
        .map(|(_, original)| {
            let mut normalized = normalize_word(original);
            if let Some(verb) = join_zu_infinitive(&normalized) {
                normalized = verb;
            }
            let stop_word = is_stop_word(&normalized);
            let stemmed = (!stop_word).then(|| stem_word(&normalized));
            WordTrace {
                original: original.to_string(),
                normalized,
                stop_word,
                stemmed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTENCES: &[&str] = &[
        "Wo kann ich meinen Personalausweis verlängern?",
        "Ich brauche einen neuen Reisepass für mein Kind (unter 12 Jahren).",
        "Gewerbe-Anmeldung / Gewerbeabmeldung – Gebühren 2025: 50 €",
        "FUEHRERSCHEIN umschreiben, Führerschein verloren, fuhrerschein ersetzen",
        "Straße/Strasse ummelden; Wohnsitzes, Wohnsitz-Anmeldung",
        "Hallo! Was kostet eine Meldebescheinigung ohne Termin?",
        "Bis zu 5 Dokumente ab 16 Jahren – z.B. Geburtsurkunde, Eheurkunde",
        "geht's auch online? Müll, Sperrmüll & Wertstoffhof",
        "Kfz-Zulassung: Kennzeichen reservieren (Wunschkennzeichen)",
        "Fahr\u{00AD}zeug ab\u{200B}melden \u{FEFF}bitte",
        "",
        "§§ ... !!!",
        "wo muss ich hin, um die Hochzeit anzumelden und das Auto abzumelden?",
    ];

    #[test]
    fn explain_agrees_with_retrieval_analyzer() {
        let mut analyzer = retrieval_analyzer();
        for sentence in SENTENCES {
            let explained: Vec<String> = explain(sentence)
                .into_iter()
                .filter_map(|trace| trace.stemmed)
                .collect();
            assert_eq!(explained, tokens(&mut analyzer, sentence), "{sentence:?}");
        }
    }

    #[test]
    fn explain_agrees_with_intent_analyzer() {
        let mut analyzer = intent_analyzer();
        for sentence in SENTENCES {
            let explained: Vec<String> = explain(sentence)
                .into_iter()
                .map(|trace| stem_word(&trace.normalized))
                .collect();
            assert_eq!(explained, tokens(&mut analyzer, sentence), "{sentence:?}");
        }
    }

    #[test]
    fn spelling_variants_meet_in_both_analyzers() {
        let groups: &[&[&str]] = &[
            &[
                "Führerschein",
                "Fuehrerschein",
                "Fuhrerschein",
                "FÜHRERSCHEIN",
            ],
            &["Straße", "Strasse", "STRASSE", "Straße"],
            &["Gebühren", "Gebuehren", "gebühr", "GEBUEHR"],
            &["Reisepässe", "Reisepaesse", "Reisepass"],
            &["Bürgerbüro", "Buergerbuero", "Burgerburo"],
        ];
        for analyzer in [&mut retrieval_analyzer(), &mut intent_analyzer()] {
            for group in groups {
                let first = tokens(analyzer, group[0]);
                assert_eq!(first.len(), 1);
                for spelling in &group[1..] {
                    assert_eq!(tokens(analyzer, spelling), first, "{spelling}");
                }
            }
        }
    }

    #[test]
    fn stop_words_removed_only_in_retrieval() {
        let text = "Wo und wann kann ich meinen Ausweis nicht abholen?";
        assert_eq!(
            tokens(&mut retrieval_analyzer(), text),
            ["ausweis", "nicht", "abhol"]
        );
        assert_eq!(
            tokens(&mut intent_analyzer(), text),
            [
                "wo", "und", "wann", "kann", "ich", "mein", "ausweis", "nicht", "abhol"
            ]
        );
    }

    #[test]
    fn positions_leave_gaps_for_stop_words() {
        let mut analyzer = retrieval_analyzer();
        let mut stream = analyzer.token_stream("Antrag auf Wohngeld");
        let mut found = Vec::new();
        stream.process(&mut |t| found.push((t.text.clone(), t.position, t.offset_from)));
        assert_eq!(
            found,
            [
                ("antrag".to_string(), 0, 0),
                ("wohngeld".to_string(), 2, 11)
            ]
        );
    }

    #[test]
    fn explain_serializes() {
        let json = serde_json::to_value(explain("Die Ämter")).unwrap();
        assert_eq!(json[0]["stop_word"], true);
        assert_eq!(json[0]["stemmed"], serde_json::Value::Null);
        assert_eq!(json[1]["original"], "Ämter");
        assert_eq!(json[1]["normalized"], "amter");
    }

    /// Every service name and keyword of the shipped Munich catalogue goes through the
    /// retrieval analyzer cleanly.
    #[test]
    fn munich_catalogue() {
        let catalogue: serde_json::Value =
            serde_json::from_str(include_str!("../../index/muenchen/services_de.json")).unwrap();
        let services = catalogue["data"].as_array().unwrap();
        assert!(services.len() > 100);
        let mut analyzer = retrieval_analyzer();
        let mut token_count = 0;
        for service in services {
            let name = service["name"].as_str().unwrap();
            let keywords = service["meta"]["keywords"].as_str().unwrap_or_default();
            let name_tokens = tokens(&mut analyzer, name);
            assert!(!name_tokens.is_empty(), "name {name:?} lost all its tokens");
            for text in std::iter::once(name).chain(keywords.split(',')) {
                for token in tokens(&mut analyzer, text) {
                    assert!(!token.is_empty(), "empty token in {text:?}");
                    assert!(
                        token
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                        "token {token:?} of {text:?}"
                    );
                    token_count += 1;
                }
            }
        }
        assert!(token_count > 1000);
    }

    /// The long descriptions (HTML as shipped) keep offsets consistent: every token of the
    /// analyzer points at the word it came from.
    #[test]
    fn munich_descriptions_offsets() {
        let catalogue: serde_json::Value =
            serde_json::from_str(include_str!("../../index/muenchen/services_de.json")).unwrap();
        let mut analyzer = retrieval_analyzer();
        for service in catalogue["data"].as_array().unwrap() {
            let text = service["description"].as_str().unwrap_or_default();
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                let source = &text[token.offset_from..token.offset_to];
                let normalized = normalize_word(source);
                let joined = join_zu_infinitive(&normalized).unwrap_or(normalized);
                assert_eq!(stem_word(&joined), token.text);
                assert!(
                    token
                        .text
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "token {:?} from {source:?}",
                    token.text
                );
            }
        }
    }
}
