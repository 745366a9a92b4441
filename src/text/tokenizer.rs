//! # Example
//! ```rust
//! use sophia::text::GermanTokenizer;
//! use tantivy::tokenizer::{TextAnalyzer, TokenStream};
//!
//! let mut analyzer = TextAnalyzer::from(GermanTokenizer::default());
//! let mut stream = analyzer.token_stream("Gewerbe-Anmeldung: 20 € (§ 14 GewO)");
//! let mut texts = Vec::new();
//! while let Some(token) = stream.next() {
//!     texts.push(token.text.clone());
//! }
//! assert_eq!(texts, ["Gewerbe", "Anmeldung", "20", "14", "GewO"]);
//! ```
//!
//! # What a word is
//!
//! Words are the [UAX #29](https://unicode.org/reports/tr29/) words of
//! [`unicode_word_indices`](UnicodeSegmentation::unicode_word_indices), joined across
//! zero-width spaces (a hidden break hint inside a compound, not a space), split further at every
//! character inside them that is neither a letter, a digit nor an ignorable character (soft
//! hyphen, zero-width joiner, combining mark, apostrophe). So "z.B." gives `z`, `B`,
//! "1.000" gives `1`, `000`, and "geht's" stays one word (the normaliser drops the
//! apostrophe). Hyphens and slashes always separate words. Pieces without a letter or digit
//! and pieces longer than [`MAX_WORD_CHARS`] characters are not words: they get no token and
//! no position.
use std::iter::Peekable;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_segmentation::{UnicodeSegmentation, UnicodeWordIndices};

use super::normalize::is_ignorable;

/// Words longer than this many characters (not bytes) are skipped: they are URLs, encoded
/// data or garbage, not something a citizen types.
///
/// # Example
/// ```rust
/// use sophia::text::{MAX_WORD_CHARS, words};
///
/// let longest = "x".repeat(MAX_WORD_CHARS);
/// let too_long = "y".repeat(MAX_WORD_CHARS + 1);
/// let text = format!("{longest} {too_long} Antrag");
/// let found: Vec<&str> = words(&text).map(|(_, word)| word).collect();
/// assert_eq!(found, [longest.as_str(), "Antrag"]);
/// ```
pub const MAX_WORD_CHARS: usize = 60;

/// The words of `text` with their byte offsets, exactly as [`GermanTokenizer`] emits them.
///
/// # Example
/// ```rust
/// use sophia::text::words;
///
/// let found: Vec<(usize, &str)> = words("Ausweis beantragen/ändern").collect();
/// assert_eq!(found, [(0, "Ausweis"), (8, "beantragen"), (19, "ändern")]);
/// ```
pub fn words(text: &str) -> Words<'_> {
    Words {
        text,
        uax29: text.unicode_word_indices().peekable(),
        rest: None,
    }
}

/// Iterator over the words of a text with their byte offsets, see [`words`].
///
/// # Example
/// ```rust
/// use sophia::text::tokenizer::Words;
///
/// let mut found: Words = sophia::text::words("Kita-Platz");
/// assert_eq!(found.next(), Some((0, "Kita")));
/// assert_eq!(found.next(), Some((5, "Platz")));
/// assert_eq!(found.next(), None);
/// ```
pub struct Words<'a> {
    text: &'a str,
    uax29: Peekable<UnicodeWordIndices<'a>>,
    /// The part of the current UAX #29 word not yet split, with its byte offset.
    rest: Option<(usize, &'a str)>,
}

fn is_separator(c: char) -> bool {
    !c.is_alphanumeric() && !is_ignorable(c)
}

fn is_word(piece: &str) -> bool {
    piece
        .chars()
        .any(|c| c.is_alphanumeric() && !is_ignorable(c))
        && piece.chars().nth(MAX_WORD_CHARS).is_none()
}

impl<'a> Words<'a> {
    /// The next UAX #29 word, joined with the following ones while only zero-width spaces
    /// separate them: UAX #29 breaks at U+200B, but inside a word it is a hidden line-break
    /// hint in a long compound ("Aufenthalts\u{200B}titel"), not a space.
    fn next_uax29_word(&mut self) -> Option<(usize, &'a str)> {
        let (offset, word) = self.uax29.next()?;
        let mut end = offset + word.len();
        loop {
            let gap = self.text[end..].len() - self.text[end..].trim_start_matches(ZWSP).len();
            match self.uax29.peek() {
                Some(&(next, next_word)) if gap > 0 && next == end + gap => {
                    end = next + next_word.len();
                    self.uax29.next();
                }
                _ => return Some((offset, &self.text[offset..end])),
            }
        }
    }
}

/// Zero-width space.
const ZWSP: char = '\u{200B}';

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        loop {
            let Some((offset, rest)) = self.rest.take() else {
                self.rest = Some(self.next_uax29_word()?);
                continue;
            };
            let Some(start) = rest.find(|c: char| !is_separator(c)) else {
                continue;
            };
            let end = rest[start..]
                .find(is_separator)
                .map_or(rest.len(), |len| start + len);
            if end < rest.len() {
                self.rest = Some((offset + end, &rest[end..]));
            }
            let piece = &rest[start..end];
            if is_word(piece) {
                return Some((offset + start, piece));
            }
        }
    }
}

/// Tokenizer for German text: one token per word of [`words`], with its original text,
/// byte offsets and consecutive positions.
///
/// The tokens keep their original spelling; [`GermanNormalizer`](super::GermanNormalizer)
/// lower-cases and folds them.
///
/// # Example
/// ```rust
/// use sophia::text::GermanTokenizer;
/// use tantivy::tokenizer::{TextAnalyzer, TokenStream};
///
/// let mut analyzer = TextAnalyzer::from(GermanTokenizer::default());
/// let mut stream = analyzer.token_stream("Kfz-Zulassung");
/// let token = stream.next().unwrap();
/// assert_eq!((token.text.as_str(), token.position, token.offset_from), ("Kfz", 0, 0));
/// let token = stream.next().unwrap();
/// assert_eq!((token.text.as_str(), token.position, token.offset_from), ("Zulassung", 1, 4));
/// ```
#[derive(Clone, Default)]
pub struct GermanTokenizer {
    token: Token,
}

/// The [`TokenStream`] produced by [`GermanTokenizer`].
pub struct GermanTokenStream<'a> {
    words: Words<'a>,
    token: &'a mut Token,
}

impl Tokenizer for GermanTokenizer {
    type TokenStream<'a> = GermanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GermanTokenStream<'a> {
        self.token.reset();
        GermanTokenStream {
            words: words(text),
            token: &mut self.token,
        }
    }
}

impl TokenStream for GermanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((offset, word)) = self.words.next() else {
            return false;
        };
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = offset;
        self.token.offset_to = offset + word.len();
        self.token.text.clear();
        self.token.text.push_str(word);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        let mut analyzer = TextAnalyzer::from(GermanTokenizer::default());
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        stream.process(&mut |token| tokens.push(token.clone()));
        tokens
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn offsets_and_positions() {
        let text = "Führerschein für Ärzte";
        let found = tokens(text);
        let summary: Vec<(&str, usize, usize, usize)> = found
            .iter()
            .map(|t| (t.text.as_str(), t.position, t.offset_from, t.offset_to))
            .collect();
        assert_eq!(
            summary,
            [
                ("Führerschein", 0, 0, 13),
                ("für", 1, 14, 18),
                ("Ärzte", 2, 19, 25)
            ]
        );
        for token in &found {
            assert_eq!(&text[token.offset_from..token.offset_to], token.text);
            assert_eq!(token.position_length, 1);
        }
    }

    #[test]
    fn hyphens_and_slashes_separate_words() {
        assert_eq!(texts("Gewerbe-Anmeldung"), ["Gewerbe", "Anmeldung"]);
        assert_eq!(texts("beantragen/ändern"), ["beantragen", "ändern"]);
        assert_eq!(
            texts("Haupt- oder Nebenberuf"),
            ["Haupt", "oder", "Nebenberuf"]
        );
        assert_eq!(texts("Kfz–Zulassung"), ["Kfz", "Zulassung"]);
        let found = tokens("Gewerbe-Anmeldung");
        assert_eq!((found[1].offset_from, found[1].offset_to), (8, 17));
        assert_eq!(found[1].position, 1);
    }

    #[test]
    fn digits_kept_symbols_dropped() {
        assert_eq!(texts("bis zu 20 € (§ 5)"), ["bis", "zu", "20", "5"]);
        assert_eq!(texts("1.000 Euro, 3,5 %"), ["1", "000", "Euro", "3", "5"]);
        assert_eq!(texts("§§ -- ... / € ?!"), Vec::<String>::new());
        assert_eq!(texts("B2 A1"), ["B2", "A1"]);
    }

    #[test]
    fn inner_punctuation_splits_but_apostrophes_and_soft_hyphens_do_not() {
        assert_eq!(
            texts("z.B. www.muenchen.de"),
            ["z", "B", "www", "muenchen", "de"]
        );
        assert_eq!(texts("Wie geht's?"), ["Wie", "geht's"]);
        assert_eq!(texts("Fahr\u{00AD}zeug"), ["Fahr\u{00AD}zeug"]);
        assert_eq!(texts("Fahr\u{200B}zeug"), ["Fahr\u{200B}zeug"]);
        assert_eq!(
            texts("\u{200B}Sie \u{200B}\u{200B}a\u{200B}\u{200B}b \u{200B}"),
            ["Sie", "a\u{200B}\u{200B}b"]
        );
        assert_eq!(texts("Kfz-\u{200B}Zulassung"), ["Kfz", "Zulassung"]);
        assert_eq!(texts("snake_case"), ["snake", "case"]);
    }

    #[test]
    fn long_words_are_skipped_without_a_position() {
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        let limit = "ä".repeat(MAX_WORD_CHARS);
        let text = format!("Antrag {long} {limit} Formular");
        let found = tokens(&text);
        let summary: Vec<(&str, usize)> = found
            .iter()
            .map(|t| (t.text.as_str(), t.position))
            .collect();
        assert_eq!(
            summary,
            [("Antrag", 0), (limit.as_str(), 1), ("Formular", 2)]
        );
        assert_eq!(found[2].offset_from, text.find("Formular").unwrap());
    }

    #[test]
    fn words_matches_the_tokenizer() {
        let text = "Wo kann ich meinen Reisepass/Personalausweis (z.B. für Kinder) beantragen?";
        let from_words: Vec<(usize, &str)> = words(text).collect();
        let from_tokens: Vec<(usize, String)> = tokens(text)
            .into_iter()
            .map(|t| (t.offset_from, t.text))
            .collect();
        assert_eq!(from_words.len(), from_tokens.len());
        for ((o1, w), (o2, t)) in from_words.iter().zip(&from_tokens) {
            assert_eq!((o1, *w), (o2, t.as_str()));
        }
    }

    #[test]
    fn stream_can_be_reused() {
        let mut analyzer = TextAnalyzer::from(GermanTokenizer::default());
        for _ in 0..2 {
            let mut stream = analyzer.token_stream("eins zwei");
            assert_eq!(stream.next().unwrap().position, 0);
            assert_eq!(stream.next().unwrap().position, 1);
            assert!(stream.next().is_none());
        }
        assert!(analyzer.token_stream("").next().is_none());
    }
}
