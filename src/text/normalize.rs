//! # Example
//! ```rust
//! use sophia::text::{GermanNormalizer, GermanTokenizer};
//! use tantivy::tokenizer::{TextAnalyzer, TokenStream};
//!
//! let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
//!     .filter(GermanNormalizer)
//!     .build();
//! let mut stream = analyzer.token_stream("FÜHRERSCHEIN Fuehrerschein Straße");
//! assert_eq!(stream.next().unwrap().text, "fuhrerschein");
//! assert_eq!(stream.next().unwrap().text, "fuhrerschein");
//! assert_eq!(stream.next().unwrap().text, "strasse");
//! assert!(stream.next().is_none());
//! ```
//!
//! # The rules, in order
//!
//! 1. Unicode lower-casing.
//! 2. Character folding: `ß` → `ss`, `ä`/`ö`/`ü` → `a`/`o`/`u`, other Latin diacritics to
//!    ASCII (`é` → `e`, `ç` → `c`, `ł` → `l`, `ø` → `o`, `æ` → `ae` ...), ligatures split
//!    (`ﬁ` → `fi`), superscript digits to digits. Invisible characters (soft hyphen,
//!    zero-width characters, byte order mark), combining diacritical marks and apostrophes
//!    (`geht's` → `gehts`) are removed.
//! 3. Umlaut transliterations: `ae`/`oe`/`ue` → `a`/`o`/`u`, so that "Fuehrerschein" meets
//!    "Führerschein" (both become `fuhrerschein`). Two exceptions:
//!    - `ue` after `a`, `e` or `q` is kept: it is the diphthong of "Bauer", "neue", "Steuer",
//!      "Abenteuer" or the `qu` of "Quelle", "bequem", never a transliterated `ü`.
//!    - a vowel followed by `ee` is kept (rare; this keeps the function idempotent).
//!
//! `ae` and `oe` after a vowel *are* collapsed, because there the transliteration is the
//! common case: "geaendert" = "geändert", "geoeffnet" = "geöffnet", "Diaet" = "Diät".
//!
//! ## What this costs
//!
//! Some ordinary words change: "aktuell" → `aktull`, "zuerst" → `zurst`, "Poet" → `pot`,
//! "Michael" → `michal`. Index and query go through the same function, so these words still
//! meet each other; the rule only matters for words that *should* meet and do not:
//! "geuebt" stays `geuebt` while "geübt" becomes `geubt` (`eue` is read as in "neue").
use std::mem;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Normalises one word: lower case, umlauts and `ß` folded, `ae`/`oe`/`ue` read as umlauts,
/// other diacritics folded to ASCII, invisible characters removed.
///
/// See the [module documentation](self) for the exact rules. The function is idempotent:
/// `normalize_word(&normalize_word(w)) == normalize_word(w)`.
///
/// # Example
/// ```rust
/// use sophia::text::normalize_word;
///
/// for spelling in ["Führerschein", "Fuehrerschein", "Fuhrerschein", "FÜHRERSCHEIN"] {
///     assert_eq!(normalize_word(spelling), "fuhrerschein");
/// }
/// assert_eq!(normalize_word("Straße"), normalize_word("Strasse"));
/// assert_eq!(normalize_word("Café"), "cafe");
/// // The diphthongs of "neue" and "Steuer" and the "qu" of "Quelle" are kept.
/// assert_eq!(normalize_word("neue"), "neue");
/// assert_eq!(normalize_word("Steuer"), "steuer");
/// assert_eq!(normalize_word("Quelle"), "quelle");
/// ```
pub fn normalize_word(word: &str) -> String {
    if is_normal(word) {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    normalize_into(word, &mut String::with_capacity(word.len()), &mut out);
    out
}

/// Characters that [`normalize_word`] deletes: soft hyphen, zero-width and other invisible
/// format characters, combining diacritical marks and apostrophes.
///
/// The tokenizer does not split words at these characters and does not count them as
/// letters.
pub(crate) fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                  // soft hyphen
            | '\u{0300}'..='\u{036F}' // combining diacritical marks (NFD umlauts, accents)
            | '\u{200B}'..='\u{200F}' // zero-width space/non-joiner/joiner, LRM, RLM
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{FEFF}'              // zero-width no-break space (BOM)
            | '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{FF07}' // apostrophes
    )
}

/// True when `word` is already normal, so that the filter can leave it untouched.
fn is_normal(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && !bytes
            .windows(2)
            .any(|pair| matches!(pair, [b'a' | b'o' | b'u', b'e']))
}

/// Writes the normalised form of `word` into `out` (cleared first), using `scratch` for the
/// folded intermediate form.
fn normalize_into(word: &str, scratch: &mut String, out: &mut String) {
    scratch.clear();
    for upper in word.chars() {
        for c in upper.to_lowercase() {
            fold_char(c, scratch);
        }
    }
    out.clear();
    collapse_transliterations(scratch, out);
}

/// Pushes the folded form of the lower-case character `c`.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        if c != '\'' {
            out.push(c);
        }
        return;
    }
    if is_ignorable(c) {
        return;
    }
    let folded = match c {
        'ß' => "ss",
        'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' | 'ª' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => "n",
        'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'º' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ſ' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ü' | 'ù' | 'ú' | 'û' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        'ﬅ' | 'ﬆ' => "st",
        '¹' => "1",
        '²' => "2",
        '³' => "3",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// `ae`/`oe`/`ue` → `a`/`o`/`u`, except `ue` after `a`, `e`, `q` and a vowel before `ee`.
///
/// The test looks at the previous character of the *output*, which is what makes the
/// function idempotent: a pair that survives survives again, and a collapse never creates a
/// new pair (the character after a dropped `e` is not an `e`).
fn collapse_transliterations(folded: &str, out: &mut String) {
    let bytes = folded.as_bytes();
    let mut copied_up_to = 0;
    let mut previous = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        let current = bytes[i];
        let collapses = matches!(current, b'a' | b'o' | b'u')
            && bytes.get(i + 1) == Some(&b'e')
            && bytes.get(i + 2) != Some(&b'e')
            && !(current == b'u' && matches!(previous, b'a' | b'e' | b'q'));
        previous = current;
        if collapses {
            // Bytes are ASCII here, so these are char boundaries.
            out.push_str(&folded[copied_up_to..=i]);
            i += 2;
            copied_up_to = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&folded[copied_up_to..]);
}

/// Token filter that applies [`normalize_word`] to every token.
///
/// Offsets and positions are left untouched.
///
/// # Example
/// ```rust
/// use sophia::text::{GermanNormalizer, GermanTokenizer};
/// use tantivy::tokenizer::{TextAnalyzer, TokenStream};
///
/// let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
///     .filter(GermanNormalizer)
///     .build();
/// let mut stream = analyzer.token_stream("Gebühren");
/// let token = stream.next().unwrap();
/// assert_eq!(token.text, "gebuhren");
/// assert_eq!((token.offset_from, token.offset_to), (0, 9));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GermanNormalizer;

impl TokenFilter for GermanNormalizer {
    type Tokenizer<T: Tokenizer> = GermanNormalizerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> GermanNormalizerFilter<T> {
        GermanNormalizerFilter {
            inner: tokenizer,
            scratch: String::new(),
            buffer: String::new(),
        }
    }
}

/// The [`Tokenizer`] produced by [`GermanNormalizer`].
#[derive(Clone)]
pub struct GermanNormalizerFilter<T> {
    inner: T,
    scratch: String,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for GermanNormalizerFilter<T> {
    type TokenStream<'a> = GermanNormalizerTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        GermanNormalizerTokenStream {
            tail: self.inner.token_stream(text),
            scratch: &mut self.scratch,
            buffer: &mut self.buffer,
        }
    }
}

/// The [`TokenStream`] produced by [`GermanNormalizerFilter`].
pub struct GermanNormalizerTokenStream<'a, T> {
    tail: T,
    scratch: &'a mut String,
    buffer: &'a mut String,
}

impl<T: TokenStream> TokenStream for GermanNormalizerTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if !is_normal(&token.text) {
            normalize_into(&token.text, self.scratch, self.buffer);
            mem::swap(&mut token.text, self.buffer);
        }
        true
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
    use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, WhitespaceTokenizer};

    use super::*;

    fn all_equal(spellings: &[&str], expected: &str) {
        for spelling in spellings {
            assert_eq!(normalize_word(spelling), expected, "spelling {spelling:?}");
        }
    }

    #[test]
    fn umlaut_spellings_meet() {
        all_equal(
            &[
                "Führerschein",
                "Fuehrerschein",
                "Fuhrerschein",
                "FÜHRERSCHEIN",
                "FUEHRERSCHEIN",
                "fu\u{0308}hrerschein", // decomposed (NFD) ü
            ],
            "fuhrerschein",
        );
        all_equal(&["Gebühren", "Gebuehren", "GEBÜHREN"], "gebuhren");
        all_equal(&["Reisepässe", "Reisepaesse", "REISEPÄSSE"], "reisepasse");
        all_equal(&["Öffnungszeiten", "Oeffnungszeiten"], "offnungszeiten");
        all_equal(&["Bürgerbüro", "Buergerbuero", "Burgerburo"], "burgerburo");
        all_equal(&["München", "Muenchen", "MÜNCHEN"], "munchen");
        all_equal(&["Änderung", "Aenderung", "ÄNDERUNG"], "anderung");
        all_equal(&["Häuser", "Haeuser"], "hauser");
        all_equal(&["Säule", "Saeule"], "saule");
        all_equal(&["Müll", "Muell"], "mull");
        // ae/oe after a vowel are transliterations too.
        all_equal(&["geändert", "geaendert"], "geandert");
        all_equal(&["geöffnet", "geoeffnet"], "geoffnet");
        all_equal(&["Diät", "Diaet"], "diat");
    }

    #[test]
    fn sharp_s_meets_double_s() {
        all_equal(&["Straße", "Strasse", "STRASSE", "STRAẞE"], "strasse");
        all_equal(&["Maßnahme", "Massnahme"], "massnahme");
        all_equal(&["Grüße", "Gruesse", "Grüsse"], "grusse");
    }

    #[test]
    fn diphthongs_and_qu_keep_their_e() {
        for word in [
            "neue",
            "neuer",
            "steuer",
            "steuererklarung",
            "bauer",
            "dauer",
            "mauer",
            "feuerwehr",
            "abenteuer",
            "treue",
            "quelle",
            "bequem",
            "frequenz",
            "konsequenz",
            "kaffee",
            "allee",
            "idee",
        ] {
            assert_eq!(normalize_word(word), word);
        }
        assert_eq!(normalize_word("Steuererklärung"), "steuererklarung");
        assert_eq!(normalize_word("Neuerungen"), "neuerungen");
    }

    #[test]
    fn known_disturbances_are_consistent() {
        // Ordinary words that lose an e: harmless, index and query agree.
        assert_eq!(normalize_word("aktuell"), "aktull");
        assert_eq!(normalize_word("aktuelle"), "aktulle");
        assert_eq!(normalize_word("zuerst"), "zurst");
        assert_eq!(normalize_word("Michael"), "michal");
        // Known miss: "eue" reads as in "neue".
        assert_eq!(normalize_word("geübt"), "geubt");
        assert_eq!(normalize_word("geuebt"), "geuebt");
    }

    #[test]
    fn other_diacritics_fold_to_ascii() {
        assert_eq!(normalize_word("Café"), "cafe");
        assert_eq!(normalize_word("Garçon"), "garcon");
        assert_eq!(normalize_word("Łódź"), "lodz");
        assert_eq!(normalize_word("Dvořák"), "dvorak");
        assert_eq!(normalize_word("São"), "sao");
        assert_eq!(normalize_word("Øresund"), "oresund");
        assert_eq!(normalize_word("İstanbul"), "istanbul");
        assert_eq!(normalize_word("ﬁnanzamt"), "finanzamt");
        assert_eq!(normalize_word("m²"), "m2");
        // Non-Latin letters are lower-cased, not transliterated.
        assert_eq!(normalize_word("ПАСПОРТ"), "паспорт");
    }

    #[test]
    fn invisible_characters_and_apostrophes_are_removed() {
        assert_eq!(normalize_word("Fahr\u{00AD}zeug"), "fahrzeug");
        assert_eq!(normalize_word("Fahr\u{200B}zeug"), "fahrzeug");
        assert_eq!(normalize_word("\u{FEFF}Antrag\u{2060}"), "antrag");
        assert_eq!(normalize_word("geht's"), "gehts");
        assert_eq!(normalize_word("Kita’s"), "kitas");
    }

    #[test]
    fn already_normal_words_take_the_fast_path() {
        assert!(is_normal("personalausweis"));
        assert!(is_normal("neu2"));
        assert!(!is_normal("Personalausweis"));
        assert!(!is_normal("neue"));
        assert!(!is_normal("gebühr"));
        assert!(!is_normal("gehts'"));
    }

    #[test]
    fn idempotent() {
        let words = [
            "Führerschein",
            "Fuehrerschein",
            "Straße",
            "neue",
            "Steuer",
            "Quelle",
            "Müesli",
            "Bauer",
            "Aeuee",
            "uee",
            "UEEE",
            "aueue",
            "queue",
            "Poesie",
            "oeoeoe",
            "Œuvre",
            "Æther",
            "Ærø",
            "geübt",
            "geuebt",
            "İİ",
            "ǅemal",
            "ΣΊΣΥΦΟΣ",
            "Fahr\u{AD}zeug",
            "zoo\u{0308}e",
            "a\u{0308}e",
            "aktuell",
            "Silhouette",
            "Ü",
            "ÜE",
            "qÜe",
            "12ae",
            "",
        ];
        for word in words {
            let once = normalize_word(word);
            assert_eq!(normalize_word(&once), once, "not idempotent on {word:?}");
        }
        // Exhaustive over short strings of the interesting letters.
        let alphabet = ['a', 'e', 'o', 'u', 'q', 'ä', 'ü', 'x'];
        let mut stack = vec![String::new()];
        while let Some(prefix) = stack.pop() {
            let once = normalize_word(&prefix);
            assert_eq!(normalize_word(&once), once, "not idempotent on {prefix:?}");
            if prefix.chars().count() < 5 {
                for c in alphabet {
                    stack.push(format!("{prefix}{c}"));
                }
            }
        }
    }

    #[test]
    fn filter_changes_text_only() {
        let mut analyzer = TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(GermanNormalizer)
            .build();
        let mut stream = analyzer.token_stream("Übung  macht STRAẞEN");
        let mut tokens: Vec<Token> = Vec::new();
        stream.process(&mut |token| tokens.push(token.clone()));
        let summary: Vec<(&str, usize, usize, usize)> = tokens
            .iter()
            .map(|t| (t.text.as_str(), t.position, t.offset_from, t.offset_to))
            .collect();
        assert_eq!(
            summary,
            [
                ("ubung", 0, 0, 6),
                ("macht", 1, 8, 13),
                ("strassen", 2, 14, 23)
            ]
        );
    }
}
