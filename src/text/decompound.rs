//! German compound splitting: a [`Dictionary`] of known (normalised, stemmed) words,
//! [`split`] for one word and the [`Decompounder`] token filter.
//!
//! The filter goes *after* [`GermanStemmer`](super::GermanStemmer): it sees stems such as
//! `wohnsitzanmeld` (from "Wohnsitzanmeldung") and splits them with a dictionary of stems,
//! so inflected forms ("Personalausweise") split like their base form. The parts it emits
//! are dictionary entries, i.e. tokens the analyzer itself produces for the single words,
//! so a query "Anmeldung Wohnsitz" meets the document word "Wohnsitzanmeldung".
//!
//! # Example
//! ```rust
//! use std::sync::Arc;
//!
//! use sophia::text::decompound::{Decompounder, Dictionary};
//! use sophia::text::{GermanNormalizer, GermanStemmer, GermanTokenizer, tokens};
//! use tantivy::tokenizer::TextAnalyzer;
//!
//! let dict = Dictionary::from_words(["wohnsitz", "anmeld", "aufenthalt", "erlaubnis"]);
//! let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
//!     .filter(GermanNormalizer)
//!     .filter(GermanStemmer)
//!     .filter(Decompounder::new(Arc::new(dict)))
//!     .build();
//! assert_eq!(
//!     tokens(&mut analyzer, "Wohnsitzanmeldung, Aufenthaltserlaubnis"),
//!     [
//!         "wohnsitzanmeld", "wohnsitz", "anmeld",
//!         "aufenthaltserlaubnis", "aufenthalt", "erlaubnis",
//!     ]
//! );
//! ```
use std::fmt;
use std::sync::Arc;

use fst::Set;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::stem_word;

/// Words with fewer characters than this are never split.
pub const MIN_COMPOUND_CHARS: usize = 8;

/// Every part of a split has at least this many characters.
pub const MIN_PART_CHARS: usize = 4;

/// A word is split into at most this many parts.
pub const MAX_PARTS: usize = 4;

/// Linking elements (Fugenelemente) allowed between two parts; they are dropped.
/// The empty link comes first: without a link is the preferred reading.
const LINKS: [&str; 7] = ["", "s", "es", "n", "en", "er", "e"];

/// Stems that are never split although they decompose: lexicalised words whose parts
/// would only add noise ("Kennzeichen" is no "Kenn-Zeichen", "Haushalt" no "Haus-Halt").
const NEVER_SPLIT: [&str; 7] = [
    "fuhrerschein",
    "haushalt",
    "hochzeit",
    "kennzeich",
    "mittwoch",
    "vielleicht",
    "vollendet",
];

/// Dictionary words that are never a part: prefixes, particles, suffixes and fragments
/// that a catalogue vocabulary contains but that carry no meaning of their own in a
/// compound ("uber|pruf", "zahl|reich", "schul|isch", "aufg|rund").
const NOT_A_PART: [&str; 8] = [
    "aufg", "hint", "isch", "nach", "reich", "uber", "viel", "wied",
];

/// How many characters [`stem_word`] may remove from a non-last part: a segment is only
/// stemmed when a dictionary word is a prefix of it and at most this much shorter.
const MAX_STEM_SUFFIX: usize = 6;

/// The vocabulary for [`split`]: a sorted set of words (normalised and stemmed, as the
/// analyzer produces them), stored as an [`fst::Set`].
///
/// # Example
/// ```rust
/// use sophia::text::decompound::Dictionary;
///
/// let dict = Dictionary::from_words(["schein", "fahrzeug", "schein"]);
/// assert_eq!(dict.len(), 2);
/// assert!(dict.contains("fahrzeug"));
/// assert!(!dict.contains("fahrzeugschein"));
///
/// // Persist and load again.
/// let bytes = dict.as_bytes().to_vec();
/// let loaded = Dictionary::from_bytes(bytes).unwrap();
/// assert!(loaded.contains("schein"));
/// ```
#[derive(Clone)]
pub struct Dictionary {
    set: Set<Vec<u8>>,
}

impl Dictionary {
    /// Builds a dictionary from words in any order, with duplicates; empty words are
    /// dropped.
    pub fn from_words(words: impl IntoIterator<Item = impl AsRef<str>>) -> Dictionary {
        let mut words: Vec<String> = words
            .into_iter()
            .map(|word| word.as_ref().to_string())
            .filter(|word| !word.is_empty())
            .collect();
        words.sort_unstable();
        words.dedup();
        let set = Set::from_iter(words).expect("sorted, deduplicated words build an fst");
        Dictionary { set }
    }

    /// Loads a dictionary from the bytes of [`Dictionary::as_bytes`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Dictionary, fst::Error> {
        Ok(Dictionary {
            set: Set::new(bytes)?,
        })
    }

    /// The fst bytes, to store the dictionary next to an index.
    pub fn as_bytes(&self) -> &[u8] {
        self.set.as_fst().as_bytes()
    }

    /// Whether `word` is in the dictionary.
    pub fn contains(&self, word: &str) -> bool {
        self.set.contains(word)
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether there are no words at all.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The end positions `end` (exclusive, byte offsets into `word`) such that
    /// `word[start..end]` is a dictionary word, ascending.
    fn word_ends(&self, word: &[u8], start: usize) -> Vec<usize> {
        let fst = self.set.as_fst();
        let mut node = fst.root();
        let mut ends = Vec::new();
        for (i, &byte) in word.iter().enumerate().skip(start) {
            match node.find_input(byte) {
                Some(index) => node = fst.node(node.transition(index).addr),
                None => break,
            }
            if node.is_final() {
                ends.push(i + 1);
            }
        }
        ends
    }
}

impl fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dictionary")
            .field("len", &self.len())
            .finish()
    }
}

/// A non-last part: `word[start..end]` reads as the dictionary word `form`.
struct Segment {
    end: usize,
    form: String,
}

/// The non-last parts starting at `start`: segments that are dictionary words or whose
/// stem is one.
fn segments(word: &str, start: usize, dict: &Dictionary) -> Vec<Segment> {
    let ends = dict.word_ends(word.as_bytes(), start);
    let mut found = Vec::new();
    let Some(&first) = ends.first() else {
        return found;
    };
    // A part must leave room for the head after it.
    let last_end = word.len() - MIN_PART_CHARS;
    let longest = ends.last().map_or(first, |&end| end) + MAX_STEM_SUFFIX;
    for end in (start + MIN_PART_CHARS).max(first)..=longest.min(last_end) {
        // Only a dictionary word ending at most MAX_STEM_SUFFIX before `end` can match.
        if !ends.iter().any(|&e| e <= end && end - e <= MAX_STEM_SUFFIX) {
            continue;
        }
        let text = &word[start..end];
        // The stem first: it is the token a query for the part produces.
        let stem = stem_word(text);
        let form = if text.starts_with(stem.as_str()) && ends.contains(&(start + stem.len())) {
            stem
        } else if ends.contains(&end) {
            text.to_string()
        } else {
            continue;
        };
        if is_part(&form) {
            found.push(Segment { end, form });
        }
    }
    found
}

/// The last part `word[start..]` as a dictionary word: itself or its stem.
fn head(word: &str, start: usize, dict: &Dictionary) -> Option<String> {
    let text = &word[start..];
    if text.len() < MIN_PART_CHARS {
        return None;
    }
    // The head is already stemmed (with the whole word): stemming it again would strip
    // too much ("versicher" -> "versich"), so it is only the fallback.
    let form = if dict.contains(text) {
        text.to_string()
    } else {
        stem_word(text)
    };
    (is_part(&form) && dict.contains(&form)).then_some(form)
}

/// Whether the dictionary word `form` may be a part.
fn is_part(form: &str) -> bool {
    form.len() >= MIN_PART_CHARS && !NOT_A_PART.contains(&form)
}

/// Splits a normalised, stemmed word into dictionary parts, `None` when it does not
/// decompose.
///
/// - Words under [`MIN_COMPOUND_CHARS`] characters, and words with anything but ASCII
///   letters, are not split.
/// - Every part has at least [`MIN_PART_CHARS`] characters; there are 2 to [`MAX_PARTS`]
///   parts.
/// - A part before the last is a piece of the word whose stem ([`stem_word`]) is in the
///   dictionary (the stem is returned: "personen" gives `person`), or else the piece
///   itself. The last part, already stemmed with the whole word, is in the dictionary
///   itself or with its stem.
/// - Between two parts a linking element ("s", "es", "n", "en", "er", "e") may stand; it
///   is dropped.
/// - The split with the fewest parts wins, then the one with the longest last part.
/// - A word that is itself in the dictionary is split all the same, except a few
///   lexicalised words ("kennzeich", "fuhrerschein", "haushalt", ...); prefixes and
///   suffixes the vocabulary happens to contain ("uber", "nach", "reich", ...) are never
///   parts.
///
/// Nothing is cached between calls; the search is bounded by [`MAX_PARTS`], so a word of
/// 30 letters takes microseconds.
///
/// # Example
/// ```rust
/// use sophia::text::decompound::{Dictionary, split};
///
/// let dict = Dictionary::from_words([
///     "wohn", "sitz", "wohnsitz", "anmeld", "person", "beforder", "schein",
/// ]);
/// assert_eq!(split("wohnsitzanmeld", &dict).unwrap(), ["wohnsitz", "anmeld"]);
/// assert_eq!(
///     split("personenbeforderungsschein", &dict).unwrap(),
///     ["person", "beforder", "schein"]
/// );
/// assert_eq!(split("anmeld", &dict), None);
/// ```
pub fn split(word: &str, dict: &Dictionary) -> Option<Vec<String>> {
    if word.len() < MIN_COMPOUND_CHARS
        || !word.bytes().all(|b| b.is_ascii_lowercase())
        || NEVER_SPLIT.contains(&word)
    {
        return None;
    }
    // reach[k][pos]: how `word[..pos]` is covered by k non-last parts (each with its
    // link), as (start of the previous cover, form of the last part).
    let n = word.len();
    let mut reach: Vec<Vec<Option<(usize, String)>>> = vec![vec![None; n + 1]; MAX_PARTS];
    reach[0][0] = Some((0, String::new()));
    // Segments and heads by start position, each computed once per call.
    let mut segment_cache: Vec<Option<Vec<Segment>>> = (0..n).map(|_| None).collect();
    let mut head_cache: Vec<Option<Option<String>>> = vec![None; n];
    for parts in 0..MAX_PARTS - 1 {
        for start in 0..n {
            if reach[parts][start].is_none() {
                continue;
            }
            let found = segment_cache[start].get_or_insert_with(|| segments(word, start, dict));
            for segment in found.iter() {
                for link in LINKS {
                    let next = segment.end + link.len();
                    if word[segment.end..].starts_with(link)
                        && n - next >= MIN_PART_CHARS
                        && reach[parts + 1][next].is_none()
                    {
                        reach[parts + 1][next] = Some((start, segment.form.clone()));
                    }
                }
            }
        }
        // Fewest parts first, then the longest head: the smallest head start.
        let parts = parts + 1;
        for head_start in 0..n {
            if reach[parts][head_start].is_none() {
                continue;
            }
            let Some(last) = head_cache[head_start]
                .get_or_insert_with(|| head(word, head_start, dict))
                .clone()
            else {
                continue;
            };
            let mut result = vec![last];
            let mut pos = head_start;
            for k in (1..=parts).rev() {
                let (previous, form) = reach[k][pos].clone().expect("reached");
                result.push(form);
                pos = previous;
            }
            result.reverse();
            return Some(result);
        }
    }
    None
}

/// Token filter that adds the parts of compound words: for every token it emits the token
/// itself and then, if [`split`] splits it, each part as an extra token at the same
/// position and with the same offsets (like synonyms).
///
/// Goes after [`GermanStemmer`](super::GermanStemmer), with a [`Dictionary`] of stems.
///
/// # Example
/// ```rust
/// use std::sync::Arc;
///
/// use sophia::text::decompound::{Decompounder, Dictionary};
/// use sophia::text::{GermanNormalizer, GermanStemmer, GermanTokenizer};
/// use tantivy::tokenizer::{TextAnalyzer, TokenStream};
///
/// let dict = Arc::new(Dictionary::from_words(["fahrzeug", "schein"]));
/// let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
///     .filter(GermanNormalizer)
///     .filter(GermanStemmer)
///     .filter(Decompounder::new(dict))
///     .build();
/// let mut stream = analyzer.token_stream("Neuer Fahrzeugschein");
/// let mut found = Vec::new();
/// stream.process(&mut |t| found.push((t.text.clone(), t.position, t.offset_from)));
/// assert_eq!(
///     found,
///     [
///         ("neu".to_string(), 0, 0),
///         ("fahrzeugschein".to_string(), 1, 6),
///         ("fahrzeug".to_string(), 1, 6),
///         ("schein".to_string(), 1, 6),
///     ]
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Decompounder {
    dict: Arc<Dictionary>,
}

impl Decompounder {
    /// A filter splitting with `dict`.
    pub fn new(dict: Arc<Dictionary>) -> Decompounder {
        Decompounder { dict }
    }

    /// The dictionary it splits with.
    pub fn dictionary(&self) -> &Arc<Dictionary> {
        &self.dict
    }
}

impl TokenFilter for Decompounder {
    type Tokenizer<T: Tokenizer> = DecompounderFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DecompounderFilter<T> {
        DecompounderFilter {
            dict: self.dict,
            inner: tokenizer,
        }
    }
}

/// The [`Tokenizer`] produced by [`Decompounder`].
#[derive(Clone)]
pub struct DecompounderFilter<T> {
    dict: Arc<Dictionary>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for DecompounderFilter<T> {
    type TokenStream<'a> = DecompounderTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DecompounderTokenStream {
            dict: &self.dict,
            tail: self.inner.token_stream(text),
            pending: Vec::new(),
            part: Token::default(),
            on_part: false,
        }
    }
}

/// The [`TokenStream`] produced by [`DecompounderFilter`].
pub struct DecompounderTokenStream<'a, T> {
    dict: &'a Dictionary,
    tail: T,
    /// Parts still to emit, last first.
    pending: Vec<Token>,
    /// The part being emitted when `on_part`.
    part: Token,
    on_part: bool,
}

impl<T: TokenStream> TokenStream for DecompounderTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(part) = self.pending.pop() {
            self.part = part;
            self.on_part = true;
            return true;
        }
        self.on_part = false;
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        if let Some(parts) = split(&token.text, self.dict) {
            self.pending
                .extend(parts.into_iter().rev().map(|text| Token {
                    text,
                    ..token.clone()
                }));
        }
        true
    }

    fn token(&self) -> &Token {
        if self.on_part {
            &self.part
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.on_part {
            &mut self.part
        } else {
            self.tail.token_mut()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::LazyLock;

    use super::*;
    use crate::text::{
        GermanNormalizer, GermanStemmer, GermanStopWords, GermanTokenizer, normalize_word,
        retrieval_analyzer, tokens,
    };
    use tantivy::tokenizer::TextAnalyzer;

    /// Removes `<...>` tags, crudely.
    fn strip_html(html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    out.push(' ');
                }
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// The texts of the Munich catalogue: names, keywords, descriptions.
    fn catalogue_texts() -> Vec<String> {
        let catalogue: serde_json::Value =
            serde_json::from_str(include_str!("../../index/muenchen/services_de.json")).unwrap();
        let mut texts = Vec::new();
        for service in catalogue["data"].as_array().unwrap() {
            for field in [&service["name"], &service["meta"]["keywords"]] {
                texts.push(field.as_str().unwrap_or_default().to_string());
            }
            texts.push(strip_html(
                service["description"].as_str().unwrap_or_default(),
            ));
        }
        texts
    }

    /// All retrieval tokens of the catalogue.
    static VOCABULARY: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
        let mut analyzer = retrieval_analyzer();
        catalogue_texts()
            .iter()
            .flat_map(|text| tokens(&mut analyzer, text))
            .collect()
    });

    /// The dictionary as production builds it: all retrieval tokens of the catalogue.
    static DICT: LazyLock<Dictionary> = LazyLock::new(|| Dictionary::from_words(&*VOCABULARY));

    /// The retrieval tokens of single words.
    fn stems(words: &[&str]) -> Vec<String> {
        words
            .iter()
            .map(|word| stem_word(&normalize_word(word)))
            .collect()
    }

    /// The retrieval token of one word.
    fn stem(word: &str) -> String {
        stem_word(&normalize_word(word))
    }

    /// Compounds of the Munich catalogue and their parts, as written; compared after
    /// [`stem`] and [`stems`].
    const COMPOUNDS: &[(&str, &[&str])] = &[
        ("Wohnsitzanmeldung", &["Wohnsitz", "Anmeldung"]),
        ("Wohnsitzabmeldung", &["Wohnsitz", "Abmeldung"]),
        ("Aufenthaltserlaubnis", &["Aufenthalt", "Erlaubnis"]),
        (
            "Personenbeförderungsschein",
            &["Personenbeförderung", "Schein"],
        ),
        ("Kurzzeitkennzeichen", &["kurz", "Zeit", "Kennzeichen"]),
        ("Bewohnerparkausweis", &["Bewohner", "Parkausweis"]),
        ("Führerscheinstelle", &["Führerschein", "Stelle"]),
        ("Fahrzeugschein", &["Fahrzeug", "Schein"]),
        ("Fahrzeugbrief", &["Fahrzeug", "Brief"]),
        ("Zulassungsbescheinigung", &["Zulassung", "Bescheinigung"]),
        ("Meldebescheinigung", &["Melde", "Bescheinigung"]),
        ("Gewerbeanmeldung", &["Gewerbe", "Anmeldung"]),
        ("Gewerbeabmeldung", &["Gewerbe", "Abmeldung"]),
        ("Gewerbeummeldung", &["Gewerbe", "Ummeldung"]),
        ("Gewerbeschein", &["Gewerbe", "Schein"]),
        ("Gewerbebehörde", &["Gewerbe", "Behörde"]),
        ("Reisepass", &["Reise", "Pass"]),
        ("Niederlassungserlaubnis", &["Niederlassung", "Erlaubnis"]),
        ("Fischereischein", &["Fischerei", "Schein"]),
        ("Jugendfischereischein", &["Jugend", "Fischereischein"]),
        ("Verlustmeldung", &["Verlust", "melden"]),
        ("Verlustanzeige", &["Verlust", "Anzeige"]),
        ("Wechselkennzeichen", &["Wechsel", "Kennzeichen"]),
        ("Wunschkennzeichen", &["Wunsch", "Kennzeichen"]),
        ("Ausfuhrkennzeichen", &["Ausfuhr", "Kennzeichen"]),
        ("Oldtimerkennzeichen", &["Oldtimer", "Kennzeichen"]),
        ("Kennzeichenschilder", &["Kennzeichen", "Schild"]),
        ("Melderegisterauskunft", &["Melderegister", "Auskunft"]),
        ("Führungszeugnis", &["Führung", "Zeugnis"]),
        ("Personalausweis", &["Personal", "Ausweis"]),
        ("Personalausweise", &["Personal", "Ausweis"]),
        ("Parkausweis", &["Park", "Ausweis"]),
        ("Parklizenz", &["Park", "Lizenz"]),
        ("Reiseausweis", &["Reise", "Ausweis"]),
        ("Ausweisdokument", &["Ausweis", "Dokument"]),
        ("Fahrerlaubnis", &["fahren", "Erlaubnis"]),
        ("Fahrerlaubnisbehörde", &["Fahrerlaubnis", "Behörde"]),
        ("Fahrschulerlaubnis", &["Fahrschule", "Erlaubnis"]),
        ("Fahrlehrerlaubnis", &["Fahrlehrer", "Erlaubnis"]),
        ("Auskunftssperre", &["Auskunft", "Sperre"]),
        ("Geburtsurkunde", &["Geburt", "Urkunde"]),
        ("Urkundenbestellung", &["Urkunde", "Bestellung"]),
        ("Taxigenehmigung", &["Taxi", "Genehmigung"]),
        ("Ehegattennachzug", &["Ehegatte", "Nachzug"]),
        ("Familiennachzug", &["Familie", "Nachzug"]),
        ("Familienangehörige", &["Familie", "Angehörige"]),
        ("Staatsangehörige", &["Staat", "Angehörige"]),
        ("Hauptwohnsitz", &["Haupt", "Wohnsitz"]),
        ("Zeitwohnsitz", &["Zeit", "Wohnsitz"]),
        ("Kraftfahrzeug", &["Kraft", "Fahrzeug"]),
        ("Fahrzeugabmeldung", &["Fahrzeug", "Abmeldung"]),
        ("Zulassungsstelle", &["Zulassung", "Stelle"]),
        ("Zulassungsbehörde", &["Zulassung", "Behörde"]),
        ("Ausländerbehörde", &["Ausland", "Behörde"]),
        ("Auslandsaufenthalt", &["Ausland", "Aufenthalt"]),
        ("Arbeitserlaubnis", &["Arbeit", "Erlaubnis"]),
        ("Arbeitsvertrag", &["Arbeit", "Vertrag"]),
        ("Arbeitsplatz", &["Arbeit", "Platz"]),
        ("Arbeitgeberwechsel", &["Arbeitgeber", "Wechsel"]),
        ("Betriebserlaubnis", &["Betrieb", "Erlaubnis"]),
        ("Beschäftigungserlaubnis", &["Beschäftigung", "Erlaubnis"]),
        ("Asylantrag", &["Asyl", "Antrag"]),
        ("Antragsformular", &["Antrag", "Formular"]),
        ("Antragsteller", &["Antrag", "Stelle"]),
        ("Erstantrag", &["erst", "Antrag"]),
        ("Abholtermin", &["abholen", "Termin"]),
        ("Anmeldetermin", &["Anmeldung", "Termin"]),
        ("Terminvereinbarung", &["Termin", "Vereinbarung"]),
        ("Bearbeitungszeit", &["Bearbeitung", "Zeit"]),
        ("Wartezeit", &["warten", "Zeit"]),
        ("Jagdschein", &["Jagd", "Schein"]),
        ("Jugendjagdschein", &["Jugend", "Jagdschein"]),
        ("Waffenschein", &["Waffen", "Schein"]),
        ("Waffenbesitzkarte", &["Waffenbesitz", "Karte"]),
        ("Waffenrecht", &["Waffen", "Recht"]),
        ("Sorgerecht", &["Sorge", "Recht"]),
        ("Sorgerechtserklärung", &["Sorgerecht", "Erklärung"]),
        ("Verpflichtungserklärung", &["Verpflichtung", "Erklärung"]),
        ("Vaterschaftsanerkennung", &["Vaterschaft", "Anerkennung"]),
        ("Eheschließungsurkunde", &["Eheschließung", "Urkunde"]),
        ("Gemeinschaftslizenz", &["Gemeinschaft", "Lizenz"]),
        ("Mietwagengenehmigung", &["Mietwagen", "Genehmigung"]),
        ("Pfandleihergewerbe", &["Pfandleih", "Gewerbe"]),
        ("Versteigerungsgewerbe", &["Versteigerung", "Gewerbe"]),
        ("Reisegewerbe", &["Reise", "Gewerbe"]),
        ("Reisegewerbekarte", &["Reisegewerbe", "Karte"]),
        ("Handwerkerparkausweis", &["Handwerk", "Parkausweis"]),
        ("Schwerbehindertenausweis", &["schwerbehindert", "Ausweis"]),
        ("Identitätsnachweis", &["Identität", "Nachweis"]),
        ("Passfoto", &["Pass", "Foto"]),
        ("Passverlust", &["Pass", "Verlust"]),
        ("Expressreisepass", &["Express", "Reisepass"]),
        ("Kinderreisepass", &["Kinder", "Reisepass"]),
        ("Kindergeld", &["Kinder", "Geld"]),
        ("Wohngeld", &["wohnen", "Geld"]),
        ("Rentenversicherung", &["Rente", "Versicherung"]),
        ("Krankenversicherung", &["krank", "Versicherung"]),
        ("Versicherungsbestätigung", &["Versicherung", "Bestätigung"]),
        ("Haushaltsbescheinigung", &["Haushalt", "Bescheinigung"]),
        (
            "Gewerbezentralregisterauskunft",
            &["Gewerbezentralregister", "Auskunft"],
        ),
        ("Übermittlungssperre", &["Übermittlung", "Sperre"]),
        ("Datenübermittlungssperre", &["Datenübermittlung", "Sperre"]),
        ("Landeshauptstadt", &["Land", "Haupt", "Stadt"]),
        ("Stadtbezirk", &["Stadt", "Bezirk"]),
        ("Schulzeugnis", &["Schule", "Zeugnis"]),
        ("Hochschulabschluss", &["Hochschule", "Abschluss"]),
        ("Berufsausbildung", &["Beruf", "Ausbildung"]),
        ("Sprachkenntnisse", &["Sprache", "Kenntnis"]),
        ("Einbürgerungsanspruch", &["Einbürgerung", "Anspruch"]),
        ("Visumsantrag", &["Visum", "Antrag"]),
        ("Touristenvisum", &["Tourist", "Visum"]),
        ("Gebührenpflicht", &["Gebühr", "Pflicht"]),
        ("Meldepflicht", &["Melde", "Pflicht"]),
        ("Diebstahlanzeige", &["Diebstahl", "Anzeige"]),
        ("Ersatzfahrzeugschein", &["Ersatz", "Fahrzeugschein"]),
        ("Prüfungszeugnis", &["Prüfung", "Zeugnis"]),
        ("Heimatland", &["Heimat", "Land"]),
        ("Umweltschutz", &["Umwelt", "Schutz"]),
        ("Unterhaltsanspruch", &["Unterhalt", "Anspruch"]),
        ("Urkundenabholung", &["Urkunde", "Abholung"]),
        ("Ausbildungsplatzsuche", &["Ausbildung", "Platz", "Suche"]),
        (
            "Schwerbehindertenparkplatz",
            &["schwer", "Behindertenpark", "Platz"],
        ),
    ];

    /// Words that must stay whole: too short, not compounds, or lexicalised.
    const NOT_COMPOUNDS: &[&str] = &[
        "beantragen",
        "Verlängerung",
        "Bescheinigung",
        "Unterlagen",
        "Erlaubnis",
        "Abholung",
        "Kennzeichen",
        "Führerschein",
        "Anmeldung",
        "Ummeldung",
        "Genehmigung",
        "Versicherung",
        "Verpflichtung",
        "Informationen",
        "Gebühren",
        "Einbürgerung",
        "Bearbeitung",
        "Unterschrift",
        "Überprüfung",
        "Übermittlung",
        "Haushalt",
        "Hochzeit",
        "Mittwoch",
        "vielleicht",
        "erfolgreich",
        "zahlreiche",
        "aufgrund",
        "städtisch",
        "Fahrzeug",
        "Antrag",
        "Ausweis",
        "Termin",
    ];

    #[test]
    fn splits_catalogue_compounds() {
        let mut wrong = Vec::new();
        for &(word, parts) in COMPOUNDS {
            let token = stem(word);
            let expected = stems(parts);
            let found = split(&token, &DICT);
            if found.as_ref() != Some(&expected) {
                wrong.push(format!(
                    "{word} ({token}): {found:?}, expected {expected:?}"
                ));
            }
        }
        assert!(COMPOUNDS.len() >= 100);
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn keeps_words_whole() {
        for &word in NOT_COMPOUNDS {
            let token = stem(word);
            assert!(
                VOCABULARY.contains(&token),
                "{word} ({token}) not in the catalogue"
            );
            assert_eq!(split(&token, &DICT), None, "{word} ({token})");
        }
        assert!(NOT_COMPOUNDS.len() >= 20);
    }

    #[test]
    fn short_words_and_non_letters_are_not_split() {
        let dict = Dictionary::from_words(["haus", "auto", "bahn"]);
        assert_eq!(split("autohaus", &dict).unwrap(), ["auto", "haus"]);
        assert_eq!(split("hausbahn", &dict).unwrap(), ["haus", "bahn"]);
        // 7 letters: too short, whatever the dictionary says.
        let dict = Dictionary::from_words(["haus", "bau"]);
        assert_eq!(split("hausbau", &dict), None);
        assert_eq!(split("autohaus2", &dict), None);
        assert_eq!(split("", &dict), None);
    }

    #[test]
    fn prefers_fewest_parts_then_longest_head() {
        let dict = Dictionary::from_words(["wohn", "sitz", "wohnsitz", "anmeld", "sitzanmeld"]);
        // Two parts beat three; of the two-part splits the longer head wins.
        assert_eq!(
            split("wohnsitzanmeld", &dict).unwrap(),
            ["wohn", "sitzanmeld"]
        );
        let dict = Dictionary::from_words(["wohn", "sitz", "anmeld"]);
        assert_eq!(
            split("wohnsitzanmeld", &dict).unwrap(),
            ["wohn", "sitz", "anmeld"]
        );
    }

    #[test]
    fn linking_elements_and_stems() {
        let dict =
            Dictionary::from_words(["person", "beforder", "schein", "aufenthalt", "erlaubnis"]);
        assert_eq!(
            split("personenbeforderungsschein", &dict).unwrap(),
            ["person", "beforder", "schein"]
        );
        assert_eq!(
            split("aufenthaltserlaubnis", &dict).unwrap(),
            ["aufenthalt", "erlaubnis"]
        );
        // A word in the dictionary is split all the same.
        let dict = Dictionary::from_words(["reisepass", "reis", "pass"]);
        assert_eq!(split("reisepass", &dict).unwrap(), ["reis", "pass"]);
    }

    #[test]
    fn at_most_four_parts() {
        let dict = Dictionary::from_words(["haus", "auto", "bahn", "hof"]);
        assert_eq!(
            split("hausautobahnhaus", &dict).unwrap(),
            ["haus", "auto", "bahn", "haus"]
        );
        assert_eq!(split("hausautobahnhausauto", &dict), None);
        // Long unsplittable words end without a result; their cost is
        // measured by the analyzer bench, not here.
        assert_eq!(split("hausautobahnhausautobahnhausbahnx", &DICT), None);
        assert!(split("personenbeforderungsschein", &DICT).is_some());
    }

    #[test]
    fn dictionary_round_trip() {
        let dict = Dictionary::from_words(["b", "a", "", "b", "c"]);
        assert_eq!(dict.len(), 3);
        assert!(!dict.is_empty());
        let loaded = Dictionary::from_bytes(dict.as_bytes().to_vec()).unwrap();
        assert_eq!(loaded.len(), 3);
        assert!(loaded.contains("a") && !loaded.contains(""));
        assert!(Dictionary::from_bytes(vec![1, 2, 3]).is_err());
        assert!(DICT.len() > 3000);
    }

    #[test]
    fn filter_keeps_positions_and_original_first() {
        let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
            .filter(GermanNormalizer)
            .filter(GermanStopWords)
            .filter(GermanStemmer)
            .filter(Decompounder::new(Arc::new(DICT.clone())))
            .build();
        let text = "Die Wohnsitzanmeldung und der Fahrzeugschein";
        let mut found = Vec::new();
        analyzer.token_stream(text).process(&mut |t| {
            found.push((
                t.text.clone(),
                t.position,
                &text[t.offset_from..t.offset_to],
            ))
        });
        assert_eq!(
            found,
            [
                ("wohnsitzanmeld".to_string(), 1, "Wohnsitzanmeldung"),
                ("wohnsitz".to_string(), 1, "Wohnsitzanmeldung"),
                ("anmeld".to_string(), 1, "Wohnsitzanmeldung"),
                ("fahrzeugschein".to_string(), 4, "Fahrzeugschein"),
                ("fahrzeug".to_string(), 4, "Fahrzeugschein"),
                ("schein".to_string(), 4, "Fahrzeugschein"),
            ]
        );
        // Without compounds the filter changes nothing.
        assert_eq!(
            tokens(&mut analyzer, "Antrag auf Wohngeld"),
            ["antrag", "wohngeld", "wohn", "geld"]
        );
        assert_eq!(tokens(&mut analyzer, ""), Vec::<String>::new());
    }

    #[test]
    #[ignore = "prints the splits of the catalogue vocabulary, for inspection"]
    fn print_catalogue_splits() {
        let start = std::time::Instant::now();
        let split_count = VOCABULARY
            .iter()
            .filter(|w| split(w, &DICT).is_some())
            .count();
        println!(
            "{split_count} of {} split, {:?} a word",
            VOCABULARY.len(),
            start.elapsed() / VOCABULARY.len() as u32
        );
        for word in VOCABULARY.iter() {
            if let Some(parts) = split(word, &DICT) {
                println!("{word} -> {}", parts.join(" | "));
            } else if word.len() >= 12 {
                println!("{word} -- unsplit");
            }
        }
    }
}
