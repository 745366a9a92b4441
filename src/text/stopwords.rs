//! # Example
//! ```rust
//! use sophia::text::{GermanNormalizer, GermanStopWords, GermanTokenizer};
//! use tantivy::tokenizer::{TextAnalyzer, TokenStream};
//!
//! let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
//!     .filter(GermanNormalizer)
//!     .filter(GermanStopWords)
//!     .build();
//! let mut stream = analyzer.token_stream("Wo kann ich meinen Ausweis verlängern?");
//! let token = stream.next().unwrap();
//! assert_eq!((token.text.as_str(), token.position), ("ausweis", 4));
//! let token = stream.next().unwrap();
//! assert_eq!((token.text.as_str(), token.position), ("verlangern", 5));
//! assert!(stream.next().is_none());
//! ```
//!
//! The list is `stopwords_de.txt` next to this file; its header explains what is left out
//! on purpose (negations, "ohne", "neu", "ab", "bis", numbers).
use std::collections::HashSet;
use std::sync::LazyLock;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::normalize::normalize_word;

/// The stop-word list as written: one word a line, `#` starts a comment.
const STOP_WORDS_DE: &str = include_str!("stopwords_de.txt");

/// The list, normalised with [`normalize_word`] at load.
static STOP_WORDS: LazyLock<HashSet<String>> =
    LazyLock::new(|| list_words().map(normalize_word).collect());

/// The words of [`STOP_WORDS_DE`] as written, without comments and blank lines.
fn list_words() -> impl Iterator<Item = &'static str> {
    super::list_words(STOP_WORDS_DE)
}

/// True when the *normalised* word (see [`normalize_word`]) is a German stop word for
/// retrieval: articles, pronouns, auxiliaries and modal verbs, conjunctions, most
/// prepositions, question words, particles, greetings.
///
/// # Example
/// ```rust
/// use sophia::text::{is_stop_word, normalize_word};
///
/// assert!(is_stop_word("der"));
/// assert!(is_stop_word(&normalize_word("möchte")));
/// assert!(is_stop_word(&normalize_word("moechte")));
/// assert!(!is_stop_word("ohne"));
/// assert!(!is_stop_word("reisepass"));
/// ```
pub fn is_stop_word(normalized: &str) -> bool {
    STOP_WORDS.contains(normalized)
}

/// Token filter that removes German stop words (see [`is_stop_word`]).
///
/// Expects normalised tokens, so it goes after
/// [`GermanNormalizer`](super::GermanNormalizer). The remaining tokens keep their positions,
/// so phrase queries see the gaps.
///
/// # Example
/// ```rust
/// use sophia::text::{GermanNormalizer, GermanStopWords, GermanTokenizer};
/// use tantivy::tokenizer::{TextAnalyzer, TokenStream};
///
/// let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
///     .filter(GermanNormalizer)
///     .filter(GermanStopWords)
///     .build();
/// let mut stream = analyzer.token_stream("Termin ohne Ausweis");
/// assert_eq!(stream.next().unwrap().text, "termin");
/// assert_eq!(stream.next().unwrap().text, "ohne");
/// assert_eq!(stream.next().unwrap().text, "ausweis");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GermanStopWords;

impl TokenFilter for GermanStopWords {
    type Tokenizer<T: Tokenizer> = GermanStopWordsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> GermanStopWordsFilter<T> {
        GermanStopWordsFilter { inner: tokenizer }
    }
}

/// The [`Tokenizer`] produced by [`GermanStopWords`].
#[derive(Clone)]
pub struct GermanStopWordsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for GermanStopWordsFilter<T> {
    type TokenStream<'a> = GermanStopWordsTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        GermanStopWordsTokenStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The [`TokenStream`] produced by [`GermanStopWordsFilter`].
pub struct GermanStopWordsTokenStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for GermanStopWordsTokenStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if !is_stop_word(&self.tail.token().text) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;
    use crate::text::{GermanNormalizer, GermanTokenizer};

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
            .filter(GermanNormalizer)
            .filter(GermanStopWords)
            .build();
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        stream.process(&mut |token| tokens.push((token.text.clone(), token.position)));
        tokens
    }

    #[test]
    fn list_is_loaded_and_normalised() {
        assert!(STOP_WORDS.len() > 250);
        for word in STOP_WORDS.iter() {
            assert_eq!(&normalize_word(word), word);
        }
        // Umlaut spellings of a listed word are all recognised.
        for spelling in ["für", "fuer", "FÜR", "Für"] {
            assert!(is_stop_word(&normalize_word(spelling)), "{spelling}");
        }
        assert!(is_stop_word(&normalize_word("Grüß")));
        assert!(is_stop_word(&normalize_word("Gruess")));
        assert!(is_stop_word(&normalize_word("daß")));
    }

    #[test]
    fn list_entries_are_single_words() {
        for word in list_words() {
            let found: Vec<&str> = crate::text::words(word).map(|(_, w)| w).collect();
            assert_eq!(found, [word], "entry {word:?} is not one word");
        }
    }

    #[test]
    fn domain_words_are_not_stop_words() {
        for word in [
            "nicht", "kein", "keine", "keinen", "ohne", "neu", "neue", "neuer", "ab", "bis",
            "uber", "unter", "zwei", "einfach", "einfache", "online", "ware", "waren", "ausweis",
            "termin", "gewerbe", "kind", "kinder",
        ] {
            assert!(!is_stop_word(word), "{word} must not be a stop word");
        }
    }

    #[test]
    fn causative_lassen_is_dropped_but_not_the_verb_it_goes_with() {
        assert_eq!(
            tokens("Perso verlängern lassen"),
            [("perso".to_string(), 0), ("verlangern".to_string(), 1)]
        );
        for form in ["lasse", "lässt", "laesst", "lassen", "ließ"] {
            assert!(is_stop_word(&normalize_word(form)), "{form}");
        }
        // Words that merely contain it stay.
        assert!(!is_stop_word("zulassen"));
        assert!(!is_stop_word("niederlassung"));
    }

    #[test]
    fn colloquial_fillers_and_bavarian_function_words_are_dropped() {
        assert_eq!(
            tokens("gibts sowas wie einen sofortpass"),
            [("sofortpass".to_string(), 4)]
        );
        assert_eq!(
            tokens("mei freundin und i wollen heiraten"),
            [("freundin".to_string(), 1), ("heiraten".to_string(), 5)]
        );
    }

    #[test]
    fn removes_stop_words_and_keeps_positions() {
        assert_eq!(
            tokens("Hallo, ich möchte bitte einen neuen Reisepass ohne Termin beantragen"),
            [
                ("neuen".to_string(), 5),
                ("reisepass".to_string(), 6),
                ("ohne".to_string(), 7),
                ("termin".to_string(), 8),
                ("beantragen".to_string(), 9),
            ]
        );
        assert_eq!(
            tokens("bis zu 5 Dokumente"),
            [
                ("bis".to_string(), 0),
                ("5".to_string(), 2),
                ("dokumente".to_string(), 3),
            ]
        );
        assert_eq!(tokens("Wie geht es dir?"), [("geht".to_string(), 1)]);
    }
}
